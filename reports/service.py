"""Complaint-handling figures for management and the Ombudsman, computed by the database.

`build` gives a period's figures (the total and one list per breakdown) and the disruptions
published in it; `trend` the same figures month by month; `complaint_lines` the rows of the
per-complaint file. The rules of what counts are in `reports/query.py` and docs/reports.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlalchemy.orm import Session

from reports import query
from reports.query import BREAKDOWNS, MEASURES


@dataclass(frozen=True)
class Figures:
    """The figures of one group of complaints: a category, a kecamatan, a week, the total..."""

    key: str | None  # the group's code or ISO date; None: no kecamatan / nobody assigned
    name: str | None  # a kecamatan's or an agent's own name; vocabularies are named by label()
    received: int = 0
    open: int = 0
    open_past_target: int = 0
    answered: int = 0
    first_counted: int = 0  # answered, or unanswered past the due time
    first_within: int = 0
    first_median: float | None = None  # minutes
    first_p90: float | None = None
    resolved: int = 0
    resolved_by_end: int = 0  # resolved before the period ended: the handling KPI
    resolution_counted: int = 0
    resolution_within: int = 0
    resolution_median: float | None = None
    resolution_p90: float | None = None
    reopened: int = 0
    rated: int = 0
    rating_average: float | None = None

    @property
    def pct_first_within(self) -> float | None:
        return _pct(self.first_within, self.first_counted)

    @property
    def pct_resolution_within(self) -> float | None:
        return _pct(self.resolution_within, self.resolution_counted)

    @property
    def handling_capability(self) -> float | None:
        """Kemampuan penanganan pengaduan: resolved ÷ received in the period, in %."""
        return _pct(self.resolved_by_end, self.received)

    @property
    def rating_response_rate(self) -> float | None:
        """Of the resolved complaints, how many the customer rated, in %."""
        return _pct(self.rated, self.resolved)


@dataclass(frozen=True)
class Disruption:
    id: int
    kind: str
    status: str
    title: str
    starts_at: datetime
    published_at: datetime
    short_notice: bool
    is_demo: bool

    @property
    def hours_notice(self) -> float:
        return round((self.starts_at - self.published_at).total_seconds() / 3600, 1)


@dataclass(frozen=True)
class Report:
    start: datetime
    end: datetime
    generated_at: datetime
    total: Figures
    breakdowns: dict[str, list[Figures]]
    disruptions: list[Disruption]

    @property
    def short_notice(self) -> list[Disruption]:
        return [d for d in self.disruptions if d.short_notice]


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _number(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


COUNTS = {f.name for f in fields(Figures)} - {"key", "name"}
MINUTES = {f"{m}_{name}" for m in MEASURES for name, _ in query.PERCENTILES}


def _figures(row: dict[str, Any], key: str | None, name: str | None) -> Figures:
    values: dict[str, Any] = {
        field: _number(row.get(field)) if field in MINUTES else int(row.get(field) or 0)
        for field in COUNTS - {"rating_average"}
    }
    average = row.get("rating_average")
    values["rating_average"] = None if average is None else round(float(average), 2)
    return Figures(key=key, name=name, **values)


def _key(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def _groups(
    session: Session, rows: Any, breakdowns: tuple[str, ...], *, with_percentiles: bool
) -> dict[str, dict[str | None, dict[str, Any]]]:
    """Each breakdown's groups and their figures, from one statement."""
    dialect = session.get_bind().dialect.name
    statement = query.aggregates(dialect, rows, breakdowns, with_percentiles=with_percentiles)
    groups: dict[str, dict[str | None, dict[str, Any]]] = {by: {} for by in breakdowns}
    query.prepare(session)
    for r in query.run(session, statement):
        found = groups[r.by][_key(r.key)] = dict(r._mapping)
        for measure in MEASURES if with_percentiles else ():
            values = found.pop(f"{measure}_percentiles")
            if isinstance(values, str):  # SQLite's aggregate answers in JSON
                values = json.loads(values)
            for (name, _), value in zip(query.PERCENTILES, values or (None, None), strict=True):
                found[f"{measure}_{name}"] = value
    return groups


def _named(session: Session, by: str, groups: dict[str | None, dict[str, Any]]) -> list[Figures]:
    names: dict[str, str] = {}
    if by == "kecamatan":
        names = query.kecamatan_names(session, {k for k in groups if k})
    elif by == "agent":
        ids = {int(k) for k in groups if k}
        names = {str(i): n for i, n in query.staff_names(session, ids).items()}
    found = [_figures(row, key, names.get(key or "")) for key, row in groups.items()]
    if by in ("week", "month"):
        return sorted(found, key=lambda f: f.key or "")
    return sorted(found, key=lambda f: (f.key is None, -f.received, f.name or f.key or ""))


def _calendar(start: datetime, end: datetime, tz: ZoneInfo, by: str) -> list[str]:
    """Every local week (its Monday) or month (its first day) the period touches."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    if by == "week":
        day = first - timedelta(days=first.weekday())
        step = timedelta(days=7)
        days = []
        while day <= last:
            days.append(day)
            day += step
        return [d.isoformat() for d in days]
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month.isoformat())
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _filled(found: list[Figures], periods: list[str]) -> list[Figures]:
    """Weeks and months without complaints show as zero, so a trend has no holes."""
    known = {f.key: f for f in found}
    return [known.get(key) or Figures(key=key, name=None) for key in periods]


def build(
    *, session: Session, start: datetime, end: datetime, now: datetime, tz: ZoneInfo
) -> Report:
    """Figures for complaints filed in [start, end); `now` decides what is due by now."""
    dialect = session.get_bind().dialect.name
    rows = query.facts(dialect=dialect, start=start, end=end, now=now, tz=tz)
    groups = _groups(session, rows, ("total", *BREAKDOWNS), with_percentiles=True)
    total = groups["total"].get("") or {}
    breakdowns = {}
    for by in BREAKDOWNS:
        found = _named(session, by, groups[by])
        if by in ("week", "month"):
            found = _filled(found, _calendar(start, end, tz, by))
        breakdowns[by] = found
    disruptions = [Disruption(**row._mapping) for row in query.disruptions(session, start, end)]
    return Report(
        start=start,
        end=end,
        generated_at=now,
        total=_figures(total, "total", None),
        breakdowns=breakdowns,
        disruptions=disruptions,
    )


def month_start(year: int, month: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(date(year, month, 1), time(0), tz)


def months_back(end: datetime, months: int, tz: ZoneInfo) -> datetime:
    """The start of the local month `months` months before the one that ends at `end`."""
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    index = last.year * 12 + last.month - 1 - (months - 1)
    return month_start(index // 12, index % 12 + 1, tz)


def trend(
    *, session: Session, end: datetime, months: int, now: datetime, tz: ZoneInfo
) -> list[Figures]:
    """The counts and shares of the `months` local months up to `end`, one per month."""
    start = months_back(end, months, tz)
    dialect = session.get_bind().dialect.name
    keys = _calendar(start, end, tz, "month")
    bounds = [datetime.combine(date.fromisoformat(key), time(0), tz) for key in keys] + [end]
    periods = [
        (key, query.facts(dialect=dialect, start=bounds[i], end=bounds[i + 1], now=now, tz=tz))
        for i, key in enumerate(keys)
    ]
    query.prepare(session)
    rows = {r.key: dict(r._mapping) for r in query.run(session, query.totals(dialect, periods))}
    return [_figures(rows.get(key) or {}, key, None) for key in keys]


def complaint_lines(*, session: Session, start: datetime, end: datetime) -> Iterator[Row[Any]]:
    """Every complaint filed in [start, end), oldest first, streamed in batches."""
    result = session.execute(
        query.lines(start=start, end=end), execution_options={"yield_per": 2000}
    )
    yield from result
