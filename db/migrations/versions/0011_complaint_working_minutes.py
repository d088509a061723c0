"""complaint: first response and resolution measured in working minutes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00

Reports give medians and p90 of the clocks in working time (the calendar of
complaints/calendar.py, less the time a complaint waited for the customer). The calendar lives
in Python, so the minutes are computed when the first response and the resolution happen and
stored here; the database then aggregates plain numbers.

Backfill: complaints already answered or resolved get their minutes computed here, in Python,
with the default calendar as it stood when this revision was written (Monday–Friday
08:00–16:00 Asia/Makassar, Indonesia's public holidays and cuti bersama from `holidays`, the
local closures in `work_closure`), less the working time spent in 'waiting'. The calendar is
written out below, not imported, so the revision computes the same later whatever the code
becomes. Rows the backfill cannot place stay NULL; reports count those in wall-clock minutes.
"""

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("first_response_work_minutes", "resolution_work_minutes")
ZONE = ZoneInfo("Asia/Makassar")
OPENS, CLOSES = time(8), time(16)
BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
    _backfill(op.get_bind())


def _aware(value: datetime | str) -> datetime:
    """SQLite hands back text or naive values; everything stored is UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Calendar:
    def __init__(self, closed: set[date]) -> None:
        self.closed = closed
        self.years: dict[int, set[date]] = {}

    def _open(self, day: date) -> bool:
        if day.year not in self.years:
            found = holidays.country_holidays(
                "ID", years=day.year, categories=("public", "government")
            )
            self.years[day.year] = set(found)
        return day.weekday() < 5 and day not in self.closed and day not in self.years[day.year]

    def _periods(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = start.astimezone(ZONE).date()
        while datetime.combine(day, OPENS, ZONE) < end:
            if self._open(day):
                yield datetime.combine(day, OPENS, ZONE), datetime.combine(day, CLOSES, ZONE)
            day += timedelta(days=1)

    def minutes(self, start: datetime, end: datetime) -> float:
        total = 0.0
        for opens, closes in self._periods(start, end):
            low, high = max(opens, start), min(closes, end)
            if high > low:
                total += (high - low).total_seconds() / 60
        return total


def _waiting(steps: list[tuple[datetime, str | None, str | None]], until: datetime) -> list:
    spans, since = [], None
    for when, before, after in steps:
        if when > until:
            break
        if after == "waiting" and since is None:
            since = when
        elif before == "waiting" and since is not None:
            spans.append((since, when))
            since = None
    return [*spans, (since, until)] if since is not None else spans


def _worked(
    calendar: _Calendar, filed: datetime, until: datetime | None, steps: list
) -> int | None:
    if until is None:
        return None
    paused = sum(calendar.minutes(max(a, filed), b) for a, b in _waiting(steps, until))
    return max(round(calendar.minutes(filed, until) - paused), 0)


def _backfill(connection: sa.Connection) -> None:
    complaint = sa.table(
        "complaint",
        *(sa.column(name) for name in ("id", "created_at", "first_response_at", "resolved_at")),
        *(sa.column(name) for name in COLUMNS),
    )
    event = sa.table(
        "complaint_event", *(sa.column(n) for n in ("complaint_id", "kind", "created_at",
                                                   "from_status", "to_status", "id"))
    )  # fmt: skip
    closures = sa.table("work_closure", sa.column("day"))
    closed = {
        day if isinstance(day, date) else date.fromisoformat(day)
        for day in connection.scalars(sa.select(closures.c.day))
    }
    calendar = _Calendar(closed)
    last = 0
    while True:
        rows = connection.execute(
            sa.select(complaint.c.id, complaint.c.created_at, complaint.c.first_response_at,
                      complaint.c.resolved_at)
            .where(complaint.c.id > last,
                   sa.or_(complaint.c.first_response_at.is_not(None),
                          complaint.c.resolved_at.is_not(None)))
            .order_by(complaint.c.id).limit(BATCH)
        ).all()  # fmt: skip
        if not rows:
            return
        last = rows[-1].id
        steps: dict[int, list] = {row.id: [] for row in rows}
        for e in connection.execute(
            sa.select(event.c.complaint_id, event.c.created_at, event.c.from_status,
                      event.c.to_status)
            .where(event.c.kind == "status", event.c.complaint_id.in_(list(steps)))
            .order_by(event.c.complaint_id, event.c.created_at, event.c.id)
        ):  # fmt: skip
            steps[e.complaint_id].append((_aware(e.created_at), e.from_status, e.to_status))
        values = []
        for row in rows:
            filed = _aware(row.created_at)
            answered = _aware(row.first_response_at) if row.first_response_at else None
            resolved = _aware(row.resolved_at) if row.resolved_at else None
            values.append({
                "key": row.id,
                "first": _worked(calendar, filed, answered, steps[row.id]),
                "full": _worked(calendar, filed, resolved, steps[row.id]),
            })  # fmt: skip
        connection.execute(
            complaint.update()
            .where(complaint.c.id == sa.bindparam("key"))
            .values(first_response_work_minutes=sa.bindparam("first"),
                    resolution_work_minutes=sa.bindparam("full")),
            values,
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
