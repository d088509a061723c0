"""The working calendar: when the office works, so complaint clocks count working time only.

Opening hours per weekday (one or more ranges, e.g. Friday with a prayer break) come from the
WORKING_HOURS setting; Indonesia's public holidays and cuti bersama from the `holidays` package
(categories public and government, Indonesian names); local closures (a flood, a regional
holiday) from the `work_closure` table, which admins fill in the console or the CLI. All of it
in the utility's zone (TIME_ZONE); callers pass and receive UTC-aware datetimes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from sqlalchemy import select as sa_select
from sqlmodel import Session

from core.errors import DomainError
from core.hours import DAY_NAMES, Range, Week
from core.settings import Settings
from db.models import WorkClosure
from db.prepared import Prepared

MAX_DAYS_AHEAD = 3 * 366  # a target that finds no working time in three years is a mistake


@lru_cache(maxsize=16)
def national_holidays(year: int) -> dict[date, str]:
    """Indonesia's public holidays and cuti bersama of a year, with their Indonesian names."""
    found = holidays.country_holidays(
        "ID", years=year, categories=("public", "government"), language="id"
    )
    return dict(found.items())


@dataclass(frozen=True)
class WorkingCalendar:
    """Opening hours, national holidays and local closures in one zone."""

    week: tuple[tuple[Range, ...], ...]
    tz: ZoneInfo
    closures: dict[date, str] = field(default_factory=dict)
    use_holidays: bool = True

    def closed_because(self, day: date) -> str | None:
        """Why a day is closed (a holiday's or closure's name, '' for no opening hours)."""
        if day in self.closures:
            return self.closures[day]
        if self.use_holidays and (name := national_holidays(day.year).get(day)):
            return name
        return None if self.week[day.weekday()] else ""

    def periods(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working periods of a local day, as zone-aware datetimes."""
        if self.closed_because(day) is not None:
            return []
        return [
            (datetime.combine(day, opens, self.tz), datetime.combine(day, closes, self.tz))
            for opens, closes in self.week[day.weekday()]
        ]

    def _periods_from(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        local = start.astimezone(self.tz)
        for offset in range(MAX_DAYS_AHEAD):
            for opens, closes in self.periods(local.date() + timedelta(days=offset)):
                if closes > local:
                    yield max(opens, local), closes
        raise ValueError("no working time in the calendar")

    def add(self, start: datetime, minutes: float) -> datetime:
        """When `minutes` of working time starting at `start` run out (UTC)."""
        remaining = timedelta(minutes=minutes)
        if remaining <= timedelta(0):
            return start
        for opens, closes in self._periods_from(start):
            if remaining <= closes - opens:
                return (opens + remaining).astimezone(start.tzinfo)
            remaining -= closes - opens
        raise AssertionError("unreachable: _periods_from raises when it runs out")

    def working_minutes(self, start: datetime, end: datetime) -> float:
        """Working time between two moments, in minutes (0 when end is not after start)."""
        total = timedelta(0)
        if end <= start:
            return 0.0
        for opens, closes in self._periods_from(start):
            if opens >= end:
                break
            total += min(closes, end) - opens
        return total.total_seconds() / 60

    def next_open(self, now: datetime) -> datetime | None:
        """None while the office is open; otherwise when it next opens (in now's zone)."""
        opens, _ = next(self._periods_from(now))
        return None if opens <= now else opens.astimezone(now.tzinfo)


ROUND_THE_CLOCK = WorkingCalendar(
    week=tuple(((time.min, time.max),) for _ in DAY_NAMES), tz=ZoneInfo("UTC"), use_holidays=False
)


def working_calendar(*, session: Session, settings: Settings) -> WorkingCalendar:
    """The calendar as it stands: the hours setting, the holidays and the stored closures."""
    return calendar_of(session=session, week=settings.working_week, tz=settings.tz)


_CLOSURE = WorkClosure.__table__
# Read for every complaint filed and every status change: on the driver's cursor (db.prepared),
# where the ORM query cost more than the rest of building the calendar.
CLOSURE_DAYS = Prepared(sa_select(_CLOSURE.c.day, _CLOSURE.c.reason))


def calendar_of(*, session: Session, week: Week, tz: ZoneInfo) -> WorkingCalendar:
    """The calendar of these opening hours, with the holidays and the stored closures (for
    callers handed a policy rather than the settings, like the notice dispatcher)."""
    rows = CLOSURE_DAYS.rows(session.connection(), {})
    return WorkingCalendar(week=week, tz=tz, closures=dict(rows))


def add_closure(
    *, session: Session, day: date, reason: str, staff_id: int | None, now: datetime
) -> WorkClosure:
    """Close the office for a day (a flood, a regional holiday); the reason is shown."""
    reason = " ".join(reason.split())
    if not reason:
        raise DomainError.of("reason", "empty")
    if len(reason) > 120:
        raise DomainError.of("reason", "at_most", limit=120, length=len(reason))
    closure = session.get(WorkClosure, day) or WorkClosure(day=day, reason=reason)
    closure.reason, closure.created_by, closure.created_at = reason, staff_id, now
    session.add(closure)
    session.flush()
    return closure


def remove_closure(*, session: Session, day: date) -> bool:
    """Open a closed day again; False when it was not closed."""
    closure = session.get(WorkClosure, day)
    if closure is None:
        return False
    session.delete(closure)
    session.flush()
    return True
