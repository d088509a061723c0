"""The one way Kabar Air writes dates, times and durations for people, in their language.

Names of days and months, plural forms of units and the zone's short name come from Babel's
CLDR data (Indonesian first), never from hand-written lists; the few patterns we choose
ourselves ('Senin, 30 Nov 2026 pukul 08.00 WITA') live in the catalogues' `[time]` section.
Times are stored in UTC and shown in the zone of the TIME_ZONE setting, passed in as `tz`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time, get_timezone_name
from babel.units import format_unit

from core.texts import language_or_default, t

UNITS = {
    "day": "duration-day",
    "hour": "duration-hour",
    "minute": "duration-minute",
    "second": "duration-second",
}


def _locale(language: str | None) -> str:
    return language_or_default(language)


def zone_name(tz: ZoneInfo, at: datetime | None = None) -> str:
    """The zone's short name as people in Indonesia write it: 'WITA', 'WIB', 'WIT'.

    Babel's Indonesian data names Indonesia's three zones; elsewhere its English short name
    ('EST') or, lacking one, the UTC offset ('+0100') is used.
    """
    local = at.astimezone(tz) if at is not None else datetime.now(tz)
    name = get_timezone_name(local, "short", locale="id")
    if name[:1] in "+-":
        name = get_timezone_name(local, "short", locale="en")
    return name


def moment(when: datetime, language: str, tz: ZoneInfo) -> str:
    """'Senin, 30 Nov 2026 pukul 08.00 WITA' / 'Monday, 30 Nov 2026 at 08:00 WITA'.

    Shown to the minute, so remembered by the minute: a due time computed from the clock has
    its own microseconds, and Babel takes ~0.3 ms to write one.
    """
    return _moment(when.replace(second=0, microsecond=0), language, tz)


@lru_cache(maxsize=4096)
def _moment(when: datetime, language: str, tz: ZoneInfo) -> str:
    lang = _locale(language)
    local = when.astimezone(tz)
    return t(
        lang,
        "time.moment",
        date=format_date(local.date(), t(lang, "time.date_pattern"), locale=lang),
        time=format_time(local.time(), t(lang, "time.clock_pattern"), locale=lang),
        zone=zone_name(tz, when),
    )


def day(value: date, language: str) -> str:
    """A calendar day without the year: 'Rabu 2 Des' / 'Wednesday 2 Dec'."""
    lang = _locale(language)
    return format_date(value, t(lang, "time.day_pattern"), locale=lang)


def calendar_day(value: date, language: str) -> str:
    """A calendar day with its year, as in a report's period: '1 Nov 2026'."""
    lang = _locale(language)
    return format_date(value, t(lang, "time.calendar_day_pattern"), locale=lang)


def month(value: date, language: str, *, short: bool = False) -> str:
    """A calendar month: 'November 2026'; short, 'Nov 2026'."""
    lang = _locale(language)
    pattern = t(lang, "time.month_short_pattern" if short else "time.month_pattern")
    return format_date(value, pattern, locale=lang)


def clock(value: time | datetime, language: str, tz: ZoneInfo | None = None) -> str:
    """A wall-clock time: '08.00' / '08:00' (a datetime is first moved into `tz`)."""
    lang = _locale(language)
    if isinstance(value, datetime):
        value = (value.astimezone(tz) if tz else value).time()
    return format_time(value, t(lang, "time.clock_pattern"), locale=lang)


def short(when: datetime | None, language: str, tz: ZoneInfo) -> str:
    """A compact moment for tables: '30/11/2026 08.00'; '-' when there is none."""
    if when is None:
        return "-"
    lang = _locale(language)
    return format_datetime(when.astimezone(tz), t(lang, "time.short_pattern"), locale=lang)


def amount(count: int, unit: str, language: str) -> str:
    """A count of one unit, with the language's plural: '24 jam', '1 day', '2 days'."""
    return format_unit(count, UNITS[unit], locale=_locale(language), length="long")


def duration(span: timedelta, language: str) -> str:
    """A span as people say it: '1 hari 0 jam', '3 jam 5 menit', '45 menit' (sign ignored)."""
    minutes = int(abs(span.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        parts = [amount(days, "day", language), amount(hours, "hour", language)]
    elif hours:
        parts = [amount(hours, "hour", language), amount(minutes, "minute", language)]
    else:
        parts = [amount(minutes, "minute", language)]
    return " ".join(parts)
