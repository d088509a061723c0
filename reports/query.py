"""The report's figures as SQL: the database aggregates, Python only names the rows.

One row of facts per complaint filed in the period (`facts`), then one aggregate query per
breakdown (category, kecamatan, channel, agent, week, month and the total). A complaint counts
for or against a target only once it was answered (resolved) or its due time has passed:
open complaints that are not yet due are neither hit nor miss. The due times are the ones
stored on the complaint when it was filed, so a later change of targets rewrites nothing.

The clocks (first response, resolution) are in working minutes: the calendar lives in Python,
so complaints/clocks.py stores them on the complaint when they stop and the database aggregates
plain numbers.

Percentiles are interpolated as `percentile_cont` does: PostgreSQL runs it itself (one sort per
measure for both fractions); SQLite has no such aggregate, so a small one is registered on the
connection (`kabar_percentiles`) and runs inside the same statement. (Window functions picking
the two ranks around the position gave the same figures at five times the cost.)
Weeks and months are the utility's calendar: PostgreSQL converts with the zone's name; SQLite
shifts by the zone's offset at the start of the period (Indonesia's zones keep no summer time).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Date,
    Float,
    Row,
    Select,
    String,
    and_,
    case,
    cast,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from db.models import Complaint, ComplaintEvent, Contact, Notice, ServiceArea, Staff
from db.models.complaints import REOPENED
from db.types import UTCDateTime
from db.vocab import OPEN_COMPLAINT_STATUSES, ComplaintStatus

BREAKDOWNS = ("category", "kecamatan", "channel", "agent", "week", "month")
PERCENTILES = (("median", 0.5), ("p90", 0.9))
MEASURES = ("first", "resolution")  # minutes to the first response, to the resolution
WORK_MEM = "64MB"

complaint = Complaint.__table__
event = ComplaintEvent.__table__
area = ServiceArea.__table__.alias("area")
kecamatan_area = ServiceArea.__table__.alias("kecamatan_area")


def _minutes(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 1440.0
    return (extract("epoch", end) - extract("epoch", start)) / 60.0


def _worked(dialect: str, stored: Any, stopped: Any) -> ColumnElement[Any]:
    """A clock in working minutes as stored when it stopped (every door that stops one stores
    them, through complaints.service.set_status or workflow.reply); a row without them (one the
    migration's backfill could not place) falls back to wall-clock minutes from filing."""
    return func.coalesce(cast(stored, Float), _minutes(dialect, complaint.c.created_at, stopped))


def _calendar(dialect: str, tz: ZoneInfo, at: datetime) -> tuple[ColumnElement, ColumnElement]:
    """The local week (its Monday) and month (its first day) a complaint was filed in."""
    created = complaint.c.created_at
    if dialect == "sqlite":
        offset = tz.utcoffset(at.replace(tzinfo=None))
        shift = f"{int(offset.total_seconds() // 60) if offset else 0:+d} minutes"
        return (
            func.date(created, shift, "weekday 0", "-6 days"),
            func.strftime("%Y-%m-01", created, shift),
        )
    local = func.timezone(tz.key, created)
    return (
        cast(func.date_trunc("week", local), Date),
        cast(func.date_trunc("month", local), Date),
    )


def _state(done: Any, due: Any, now: ColumnElement) -> ColumnElement[Any]:
    """1 met, 0 missed, NULL not counted (no promise, or open and not yet due)."""
    return case(
        (due.is_(None), null()),
        (done.is_not(None), case((done <= due, 1), else_=0)),
        (due <= now, 0),
        else_=null(),
    )


def facts(
    *, dialect: str, start: datetime, end: datetime, now: datetime, tz: ZoneInfo
) -> Select[Any]:
    """One row per complaint filed in [start, end), with every column a breakdown needs."""
    c = complaint.c
    at = literal(now, UTCDateTime)
    until = literal(end, UTCDateTime)
    is_open = c.status.in_(OPEN_COMPLAINT_STATUSES)
    week, month = _calendar(dialect, tz, start)
    reopened = select(event.c.complaint_id).where(REOPENED)
    past_due = or_(
        and_(c.first_response_at.is_(None), c.first_response_due_at <= at),
        and_(c.first_response_at.is_not(None), c.resolution_due_at <= at),
    )
    not_rejected = c.status != ComplaintStatus.REJECTED
    columns: list[ColumnElement[Any]] = [
        c.category.label("category"),
        case((area.c.level == "district", area.c.code), else_=area.c.kecamatan_code).label(
            "kecamatan"
        ),
        c.channel.label("channel"),
        c.assignee_id.label("agent"),
        week.label("week"),
        month.label("month"),
        _worked(dialect, c.first_response_work_minutes, c.first_response_at).label("first"),
        _worked(dialect, c.resolution_work_minutes, c.resolved_at).label("resolution"),
        _state(c.first_response_at, c.first_response_due_at, at).label("first_state"),
        case((not_rejected, _state(c.resolved_at, c.resolution_due_at, at)), else_=null()).label(
            "resolution_state"
        ),
        case((is_open, 1), else_=0).label("open"),
        case((and_(is_open, past_due), 1), else_=0).label("open_past"),
        case((and_(c.resolved_at.is_not(None), c.resolved_at < until), 1), else_=0).label(
            "resolved_by_end"
        ),
        case((c.id.in_(reopened), 1), else_=0).label("reopened"),
        c.rating.label("rating"),
    ]
    query = (
        select(*columns)
        .select_from(complaint.outerjoin(area, area.c.code == c.area_code))
        .where(c.created_at >= literal(start, UTCDateTime), c.created_at < until)
    )
    return query


def _zero(value: ColumnElement[Any]) -> ColumnElement[int]:
    return func.coalesce(func.sum(value), 0)


def _cte(rows: Select[Any], branches: int, name: str = "facts") -> CTE:
    """The facts once per statement: materialized when several branches read them."""
    cte = rows.cte(name)
    return cte.prefix_with("MATERIALIZED") if branches > 1 else cte


def _union(branches: list[Select[Any]]) -> Select[Any] | CompoundSelect[Any]:
    return branches[0] if len(branches) == 1 else union_all(*branches)


class Percentiles:
    """SQLite aggregate: `percentile_cont` of PERCENTILES over a group, as a JSON array."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: float | None) -> None:
        if value is not None:
            self.values.append(value)

    def finalize(self) -> str | None:
        values = sorted(self.values)
        if not values:
            return None
        found = []
        for _, fraction in PERCENTILES:
            position = fraction * (len(values) - 1)
            low = int(position)
            high = min(low + 1, len(values) - 1)
            found.append(values[low] + (position - low) * (values[high] - values[low]))
        return json.dumps(found)


def _percentiles(dialect: str, values: ColumnElement[Any]) -> ColumnElement[Any]:
    if dialect == "sqlite":
        return func.kabar_percentiles(values)
    fractions = array([fraction for _, fraction in PERCENTILES])
    return func.percentile_cont(fractions).within_group(values)


def _aggregate(
    dialect: str, rows: CTE, by: str, with_percentiles: bool, total_key: str = ""
) -> Select[Any]:
    f = rows.c
    columns: list[ColumnElement[Any]] = [
        literal(by).label("by"),
        cast(literal(total_key) if by == "total" else f[by], String).label("key"),
        func.count().label("received"),
        _zero(f.open).label("open"),
        _zero(f.open_past).label("open_past_target"),
        func.count(f.first).label("answered"),
        func.count(f.first_state).label("first_counted"),
        _zero(f.first_state).label("first_within"),
        func.count(f.resolution).label("resolved"),
        _zero(f.resolved_by_end).label("resolved_by_end"),
        func.count(f.resolution_state).label("resolution_counted"),
        _zero(f.resolution_state).label("resolution_within"),
        _zero(f.reopened).label("reopened"),
        func.count(f.rating).label("rated"),
        func.avg(cast(f.rating, Float)).label("rating_average"),
    ]
    if with_percentiles:
        for measure in MEASURES:
            columns.append(_percentiles(dialect, f[measure]).label(f"{measure}_percentiles"))
    if by == "total":  # one group: nothing to sort by
        return select(*columns)
    return select(*columns).group_by(f[by])


def aggregates(
    dialect: str, rows: Select[Any], breakdowns: Sequence[str], *, with_percentiles: bool
) -> Select[Any] | CompoundSelect[Any]:
    """Counts, shares and averages per group of every breakdown, in one statement (one
    branch of a UNION ALL per breakdown, 'total' for the whole period); with
    `with_percentiles` the medians and p90s too, per measure as an array [median, p90]
    (`first_percentiles`; a JSON text on SQLite). Run it after `prepare`."""
    facts = _cte(rows, len(breakdowns))
    return _union([_aggregate(dialect, facts, by, with_percentiles) for by in breakdowns])


def totals(dialect: str, periods: Sequence[tuple[str, Select[Any]]]) -> CompoundSelect[Any]:
    """The whole of each period (a key and its facts), one branch each: a trend of months
    without sorting hundreds of thousands of rows by month."""
    branches = [
        _aggregate(dialect, _cte(rows, 1, f"facts_{n}"), "total", False, total_key=key)
        for n, (key, rows) in enumerate(periods)
    ]
    return union_all(*branches)


def prepare(session: Session) -> None:
    """SQLite: register the percentile aggregate on this connection. PostgreSQL, for this
    transaction only: room to sort a month of complaints in memory, and no JIT."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        # typeshed narrows aggregates to integers; SQLite takes any value
        raw.create_aggregate("kabar_percentiles", 1, Percentiles)  # type: ignore[arg-type]
    elif connection.dialect.name == "postgresql":
        connection.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        # compiling this many expressions costs more than it saves on a month's rows
        connection.execute(text("SET LOCAL jit = off"))


def run(session: Session, statement: Executable) -> Sequence[Row[Any]]:
    return session.execute(statement).all()


def kecamatan_names(session: Session, codes: set[str]) -> dict[str, str]:
    query = select(ServiceArea.__table__.c.code, ServiceArea.__table__.c.name).where(
        ServiceArea.__table__.c.code.in_(codes)
    )
    return {code: name for code, name in session.execute(query)} if codes else {}


def staff_names(session: Session, ids: set[int]) -> dict[int, str]:
    s = Staff.__table__.c
    query = select(s.id, s.username, s.full_name).where(s.id.in_(ids))
    return {row.id: row.full_name or row.username for row in session.execute(query)} if ids else {}


def disruptions(session: Session, start: datetime, end: datetime) -> Sequence[Any]:
    """Notices published in [start, end), by publication time, with their short-notice flag."""
    n = Notice.__table__.c
    query = (
        select(
            n.id, n.kind, n.status, n.title, n.starts_at, n.published_at, n.short_notice, n.is_demo
        )
        .where(
            n.published_at >= literal(start, UTCDateTime),
            n.published_at < literal(end, UTCDateTime),
        )
        .order_by(n.published_at, n.id)
    )
    return session.execute(query).all()


def lines(*, start: datetime, end: datetime) -> Select[Any]:
    """Every complaint filed in [start, end) with what the per-complaint file shows."""
    c = complaint.c
    contact = Contact.__table__.c
    notice = Notice.__table__.c
    agent = Staff.__table__.alias("agent")
    responder = Staff.__table__.alias("responder")
    reopened = select(event.c.complaint_id).where(REOPENED)
    joined = (
        complaint.join(Contact.__table__, contact.id == c.contact_id)
        .outerjoin(area, area.c.code == c.area_code)
        .outerjoin(
            kecamatan_area,
            kecamatan_area.c.code
            == case((area.c.level == "district", area.c.code), else_=area.c.kecamatan_code),
        )
        .outerjoin(agent, agent.c.id == c.assignee_id)
        .outerjoin(responder, responder.c.id == c.first_response_by)
        .outerjoin(Notice.__table__, notice.id == c.notice_id)
    )
    return (
        select(
            *complaint.c,
            contact.channel_user_id,
            contact.phone,
            contact.channel.label("contact_channel"),
            area.c.name.label("area_name"),
            kecamatan_area.c.name.label("kecamatan_name"),
            func.coalesce(func.nullif(agent.c.full_name, ""), agent.c.username).label("agent"),
            func.coalesce(func.nullif(responder.c.full_name, ""), responder.c.username).label(
                "responder"
            ),
            notice.title.label("notice_title"),
            case((c.id.in_(reopened), True), else_=False).label("reopened"),
        )
        .select_from(joined)
        .where(
            c.created_at >= literal(start, UTCDateTime), c.created_at < literal(end, UTCDateTime)
        )
        .order_by(c.created_at, c.id)
    )
