"""The complaint clocks in working minutes, stored when they stop so reports aggregate numbers.

A clock runs from filing to the moment it stops (the first response, the resolution), counting
only the working calendar's time (complaints/calendar.py) and leaving out the working time the
complaint spent waiting for the customer (status 'waiting'), as its due times do.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, col, select

from complaints.calendar import WorkingCalendar
from db.models import Complaint, ComplaintEvent
from db.vocab import ComplaintStatus

Step = tuple[datetime, str | None, str | None]  # when, from status, to status


def waiting_spans(steps: Iterable[Step], until: datetime) -> list[tuple[datetime, datetime]]:
    """The stretches spent in 'waiting' before `until`, from the status steps in order."""
    spans: list[tuple[datetime, datetime]] = []
    since: datetime | None = None
    for when, before, after in steps:
        if when > until:
            break
        if after == ComplaintStatus.WAITING and since is None:
            since = when
        elif before == ComplaintStatus.WAITING and since is not None:
            spans.append((since, when))
            since = None
    if since is not None:
        spans.append((since, until))
    return spans


def work_minutes(
    *, created_at: datetime, until: datetime, steps: Iterable[Step], calendar: WorkingCalendar
) -> int:
    """Working minutes from filing to `until`, less the working time spent waiting."""
    total = calendar.working_minutes(created_at, until)
    paused = sum(
        calendar.working_minutes(max(start, created_at), end)
        for start, end in waiting_spans(steps, until)
    )
    return max(round(total - paused), 0)


def status_steps(*, session: Session, complaint_id: int) -> list[Step]:
    """The complaint's status steps in order (pending ones included: the session flushes)."""
    rows = session.exec(
        select(
            col(ComplaintEvent.created_at),
            col(ComplaintEvent.from_status),
            col(ComplaintEvent.to_status),
        )
        .where(col(ComplaintEvent.complaint_id) == complaint_id, ComplaintEvent.kind == "status")
        .order_by(col(ComplaintEvent.created_at), col(ComplaintEvent.id))
    ).all()
    return [(when, before, after) for when, before, after in rows]


def stop(
    *, session: Session, complaint: Complaint, now: datetime, calendar: WorkingCalendar
) -> None:
    """Store the working minutes of the clocks that stopped by `now` and are not stored yet.

    The resolution clock is stored again on every resolution (a reopened complaint resolved
    later counts to its last resolution).
    """
    if complaint.id is None:
        return
    steps: list[Step] | None = None
    if complaint.first_response_at is not None and complaint.first_response_work_minutes is None:
        steps = status_steps(session=session, complaint_id=complaint.id)
        complaint.first_response_work_minutes = work_minutes(
            created_at=complaint.created_at,
            until=complaint.first_response_at,
            steps=steps,
            calendar=calendar,
        )
    if complaint.status == ComplaintStatus.RESOLVED and complaint.resolved_at == now:
        steps = (
            steps if steps is not None else status_steps(session=session, complaint_id=complaint.id)
        )
        complaint.resolution_work_minutes = work_minutes(
            created_at=complaint.created_at, until=now, steps=steps, calendar=calendar
        )
    elif complaint.resolved_at is None:
        complaint.resolution_work_minutes = None
