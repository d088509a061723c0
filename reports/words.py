"""The report's figures in words, the same on the page, in the spreadsheet and in the PDF.

Which figures make the headline, what each row of a breakdown is called, how a period and a
value are written for people (Indonesian decimal comma, durations as '3 jam 5 menit').
The words themselves are in the catalogues' `[report]` and `[report_help]` sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal

from core import timefmt
from core.texts import label, language_or_default, t
from reports.service import Figures, Report

# attribute of Figures -> how it is shown
PERCENT, MINUTES, COUNT, RATING = "percent", "minutes", "count", "rating"
HEADLINES = (
    ("received", COUNT),
    ("handling_capability", PERCENT),
    ("pct_first_within", PERCENT),
    ("first_median", MINUTES),
    ("first_p90", MINUTES),
    ("pct_resolution_within", PERCENT),
    ("resolution_median", MINUTES),
    ("resolution_p90", MINUTES),
    ("open_past_target", COUNT),
    ("reopened", COUNT),
    ("rating_average", RATING),
    ("rating_response_rate", PERCENT),
)
# the columns of every breakdown table, after the group's name
COLUMNS = (
    ("received", COUNT),
    ("open", COUNT),
    ("open_past_target", COUNT),
    ("answered", COUNT),
    ("pct_first_within", PERCENT),
    ("first_median", MINUTES),
    ("first_p90", MINUTES),
    ("resolved", COUNT),
    ("pct_resolution_within", PERCENT),
    ("resolution_median", MINUTES),
    ("resolution_p90", MINUTES),
    ("handling_capability", PERCENT),
    ("reopened", COUNT),
    ("rated", COUNT),
    ("rating_average", RATING),
)
SHEETS = {
    "category": "report.sheet_category",
    "kecamatan": "report.sheet_kecamatan",
    "channel": "report.sheet_channel",
    "agent": "report.sheet_agent",
    "week": "report.sheet_week",
    "month": "report.sheet_month",
}


@dataclass(frozen=True)
class Headline:
    key: str
    kind: str
    value: float | int | None
    name: str  # 'Tanggapan pertama tepat waktu (%)'
    shown: str  # '60,0 %'
    meaning: str  # one line of what it means


def number(value: float | int, language: str, digits: int = 1) -> str:
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, pattern, locale=language_or_default(language))


def work_duration(minutes: float, language: str) -> str:
    """Working time as people say it: '19 jam 10 menit kerja', '45 menit kerja' (no days: a
    working day is not 24 hours)."""
    hours, rest = divmod(round(minutes), 60)
    if hours:
        return t(
            language, "report_work.hours_minutes", hours=number(hours, language, 0), minutes=rest
        )
    return t(language, "report_work.minutes", minutes=rest)


def shown(value: float | int | None, kind: str, language: str) -> str:
    """A figure as people read it: '60,0 %', '1 jam 15 menit', '4,00', '12'; '-' when none."""
    if value is None:
        return "-"
    if kind == PERCENT:
        return number(value, language) + " %"
    if kind == MINUTES:
        return work_duration(value, language)
    if kind == RATING:
        return number(value, language, digits=2)
    return number(value, language, digits=0)


def headlines(report: Report, language: str) -> list[Headline]:
    """The period's headline figures, each with its name and a line saying what it means."""
    rows = []
    for key, kind in HEADLINES:
        value = getattr(report.total, key)
        rows.append(Headline(key, kind, value, *_named(key, value, kind, language)))
    count = len(report.short_notice)
    rows.append(
        Headline(
            "short_notice_count",
            COUNT,
            count,
            *_named("short_notice_count", count, COUNT, language),
        )
    )
    return rows


def column_name(key: str, kind: str, language: str) -> str:
    """A figure's name where it is shown in words ('3 jam 5 menit'): without '(menit)'."""
    return t(language, f"report.{key}_time" if kind == MINUTES else f"report.{key}")


def _named(key: str, value: float | int | None, kind: str, language: str) -> tuple[str, str, str]:
    return (
        column_name(key, kind, language),
        shown(value, kind, language),
        t(language, f"report_help.{key}"),
    )


def group_name(by: str, figures: Figures, language: str) -> str:
    """What a breakdown's row is called: a category's word, a kecamatan's name, a week..."""
    key = figures.key
    if by == "total":
        return t(language, "report.total")
    if by == "category":
        return label(language, "complaint_category", key)
    if by == "channel":
        return label(language, "channel", key)
    if by == "kecamatan":
        return figures.name or t(language, "report.no_kecamatan")
    if by == "agent":
        return figures.name or t(language, "report.unassigned")
    day = date.fromisoformat(key or "1970-01-01")
    if by == "week":
        return t(language, "report.week_of", day=timefmt.calendar_day(day, language))
    return timefmt.month(day, language)


def period(start: datetime, end: datetime, tz: ZoneInfo, language: str) -> str:
    """'Periode: 1 Nov 2026 – 30 Nov 2026' (the end is exclusive, so its day before)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return t(
        language,
        "report.period",
        start=timefmt.calendar_day(first, language),
        end=timefmt.calendar_day(last, language),
    )


def generated(report: Report, tz: ZoneInfo, language: str) -> str:
    return t(language, "report.generated", moment=timefmt.moment(report.generated_at, language, tz))


@dataclass(frozen=True)
class TableRow:
    key: str | None
    name: str
    cells: list[str]
    total: bool = False


def table(
    report: Report, by: str, language: str, columns: tuple[tuple[str, str], ...] = COLUMNS
) -> list[TableRow]:
    """A breakdown as rows of words; the categories, kecamatan, channels and agents end with
    the total (weeks and months add up to it already)."""
    groups = [(by, f) for f in report.breakdowns[by]]
    if by not in ("week", "month"):
        groups.append(("total", report.total))
    return [
        TableRow(
            key=figures.key,
            name=group_name(kind, figures, language),
            cells=[shown(getattr(figures, key), how, language) for key, how in columns],
            total=kind == "total",
        )
        for kind, figures in groups
    ]
