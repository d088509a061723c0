"""Complaints as customers file and follow them: creation, ticket numbers, status and history."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, bindparam, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from complaints import clocks
from complaints.calendar import ROUND_THE_CLOCK, WorkingCalendar
from db.models import Complaint, ComplaintEvent, Contact, ResponseTarget
from db.prepared import Prepared
from db.rows import saved_id
from db.vocab import OPEN_COMPLAINT_STATUSES, Channel, ComplaintCategory, ComplaintStatus

CATEGORIES = tuple(ComplaintCategory)
OPEN_STATUSES = OPEN_COMPLAINT_STATUSES
TICKET_DIGITS = 6
DEFAULT_TARGET_MINUTES = (8 * 60, 5 * 8 * 60)  # working time, for a category without targets


def ticket_number(complaint_id: int, prefix: str) -> str:
    """Short and easy to read out over the phone: ADU-000123."""
    return f"{prefix}-{complaint_id:0{TICKET_DIGITS}d}"


def parse_ticket(text: str, prefix: str) -> str | None:
    """Find a ticket number however it was typed: 'adu 123', 'ADU-000123', 'adu000123'."""
    match = re.search(rf"\b{re.escape(prefix)}\s*[-_.#]?\s*(\d{{1,{TICKET_DIGITS}}})\b", text, re.I)
    return ticket_number(int(match.group(1)), prefix) if match else None


def create_complaint(
    *,
    session: Session,
    contact_id: int,
    channel: Channel,
    category: ComplaintCategory,
    area_code: str | None,
    address: str,
    account_number: str | None,
    description: str,
    media_ref: str | None,
    ticket_prefix: str,
    now: datetime,
    calendar: WorkingCalendar = ROUND_THE_CLOCK,
) -> Complaint:
    """File a complaint and give it its ticket number; the first event starts its history.

    The due times of its category's targets, counted in the working `calendar`'s time, are
    written on it now: a later change of the targets applies to new complaints only, and
    reports measure each one by its own promise. (Without a calendar: wall-clock time.)
    """
    first, full = response_targets(session=session, category=category)
    complaint = Complaint(
        contact_id=contact_id,
        channel=channel,
        category=category,
        area_code=area_code,
        address=address,
        account_number=account_number,
        description=description,
        media_ref=media_ref,
        created_at=now,
        updated_at=now,
        first_response_due_at=calendar.add(now, first),
        resolution_due_at=calendar.add(now, full),
    )
    session.add(complaint)
    session.flush()
    complaint.ticket_number = ticket_number(saved_id(complaint), ticket_prefix)
    session.add(
        ComplaintEvent(
            complaint_id=saved_id(complaint),
            kind="status",
            to_status=ComplaintStatus.RECEIVED,
            created_at=now,
        )
    )
    session.flush()
    return complaint


def complaint_contact(*, session: Session, complaint: Complaint) -> Contact:
    """The customer who filed the complaint (the foreign key guarantees there is one)."""
    contact = session.get(Contact, complaint.contact_id)
    if contact is None:
        raise LookupError(f"contact {complaint.contact_id} of a complaint is missing")
    return contact


def complaint_of_contact(*, session: Session, contact_id: int, ticket: str) -> Complaint | None:
    """A ticket, only for the contact who filed it: nobody reads another customer's complaint."""
    return session.exec(
        select(Complaint).where(
            col(Complaint.ticket_number) == ticket, col(Complaint.contact_id) == contact_id
        )
    ).first()


def open_complaints(*, session: Session, contact_id: int, limit: int = 5) -> list[Complaint]:
    """The contact's complaints still being handled, newest first."""
    statement = (
        select(Complaint)
        .where(
            col(Complaint.contact_id) == contact_id,
            col(Complaint.status).in_(OPEN_STATUSES),
        )
        .order_by(col(Complaint.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


_COMPLAINT = Complaint.__table__
_OPEN_DUPLICATE = (
    sa_select(_COMPLAINT.c.id)
    .where(
        _COMPLAINT.c.contact_id == bindparam("contact_id"),
        _COMPLAINT.c.category == bindparam("category"),
        _COMPLAINT.c.status.in_([literal(str(status)) for status in OPEN_STATUSES]),
        _COMPLAINT.c.created_at >= bindparam("since"),
    )
    .order_by(_COMPLAINT.c.id.desc())
    .limit(1)
)
# Asked by the bot each time a complaint reaches its address: prebuilt, one per area case, on
# the driver's cursor (db.prepared; fixed lists, no expanding parameters).
OPEN_DUPLICATE_IN_AREA = Prepared(
    _OPEN_DUPLICATE.where(_COMPLAINT.c.area_code == bindparam("area_code"))
)
OPEN_DUPLICATE_NO_AREA = Prepared(_OPEN_DUPLICATE.where(_COMPLAINT.c.area_code.is_(None)))


def open_duplicate(
    *, session: Session, contact_id: int, category: str, area_code: str | None, since: datetime
) -> Complaint | None:
    """The contact's open complaint of this category and area filed since `since`, if any."""
    params: dict[str, object] = {"contact_id": contact_id, "category": category, "since": since}
    if area_code:
        params["area_code"] = area_code
    statement = OPEN_DUPLICATE_IN_AREA if area_code else OPEN_DUPLICATE_NO_AREA
    found = statement.rows(session.connection(), params)
    return session.get(Complaint, found[0][0]) if found else None


def add_customer_message(
    *, session: Session, complaint: Complaint, text: str, now: datetime
) -> ComplaintEvent:
    """What the customer said again about an open complaint, kept in its history for staff."""
    event = ComplaintEvent(
        complaint_id=saved_id(complaint), kind="customer", text=text[:1000], created_at=now
    )
    session.add(event)
    complaint.updated_at = now
    session.add(complaint)
    session.flush()
    return event


def ticket_numbers(*, session: Session, complaint_ids: Iterable[int]) -> dict[int, str]:
    """The ticket numbers of these complaints, by id: what staff read and say, not our ids."""
    ids = sorted(set(complaint_ids))
    if not ids:
        return {}
    rows = session.exec(
        select(col(Complaint.id), col(Complaint.ticket_number)).where(col(Complaint.id).in_(ids))
    )
    return {found: ticket or f"#{found}" for found, ticket in rows if found is not None}


class RecentTicket(NamedTuple):
    ticket_number: str | None  # as Complaint.ticket_number
    category: str


RECENT_TICKETS = Prepared(
    sa_select(_COMPLAINT.c.ticket_number, _COMPLAINT.c.category)
    .where(_COMPLAINT.c.contact_id == bindparam("contact_id"))
    .order_by(_COMPLAINT.c.id.desc())
    .limit(bindparam("limit"))
)


def recent_tickets(
    connection: Connection, *, contact_id: int, limit: int = 5
) -> list[RecentTicket]:
    """The contact's latest tickets, newest first. A turn asks this often: on the driver's
    cursor (db.prepared); as an ORM query it was about a quarter of the 'status' turn."""
    rows = RECENT_TICKETS.rows(connection, {"contact_id": contact_id, "limit": limit})
    return [RecentTicket(*row) for row in rows]


def public_history(*, session: Session, complaint_id: int) -> list[ComplaintEvent]:
    """What the customer may see of a complaint's history (internal notes left out)."""
    statement = (
        select(ComplaintEvent)
        .where(col(ComplaintEvent.complaint_id) == complaint_id, col(ComplaintEvent.public) == True)  # noqa: E712
        .order_by(col(ComplaintEvent.id))
    )
    return list(session.exec(statement))


_TARGET = ResponseTarget.__table__
TARGET_MINUTES = Prepared(
    sa_select(_TARGET.c.first_response_minutes, _TARGET.c.resolution_minutes).where(
        _TARGET.c.category == bindparam("category")
    )
)


def response_targets(*, session: Session, category: str) -> tuple[int, int]:
    """Minutes to the first response and to the resolution, as the targets stand now (read
    on the driver's cursor: each complaint filed asks it, and `session.get` cost 0.5 ms)."""
    rows = TARGET_MINUTES.rows(session.connection(), {"category": category})
    if not rows:
        return DEFAULT_TARGET_MINUTES
    first, full = rows[0]
    return first, full


def set_status(
    *,
    session: Session,
    complaint: Complaint,
    status: ComplaintStatus,
    now: datetime,
    calendar: WorkingCalendar,
    text: str = "",
    staff_id: int | None = None,
    first_response: bool = False,
) -> None:
    """Move a complaint to a new status and keep the step in its history.

    A complaint leaving 'waiting' (for the customer) has its due times still ahead moved on by
    the working time it waited: the clock pauses while the customer has the next word. A
    staff member's public change (`first_response`) is the first response if none came yet.
    Whoever moves it (console, API, the bot, the notice dispatcher), the clocks that stop store
    their working minutes in `calendar`'s time (complaints/clocks.py).
    """
    if complaint.status == ComplaintStatus.WAITING and status != ComplaintStatus.WAITING:
        _resume_clock(session=session, complaint=complaint, now=now, calendar=calendar)
    session.add(
        ComplaintEvent(
            complaint_id=saved_id(complaint),
            kind="status",
            from_status=complaint.status,
            to_status=status,
            text=text,
            staff_id=staff_id,
            created_at=now,
        )
    )
    complaint.status = status
    complaint.updated_at = now
    if status == ComplaintStatus.RESOLVED:
        complaint.resolved_at = now
    elif status == ComplaintStatus.CLOSED:
        complaint.closed_at = now
    elif status in OPEN_STATUSES:
        complaint.resolved_at = None
        complaint.closed_at = None
    if first_response and complaint.first_response_at is None:
        complaint.first_response_at, complaint.first_response_by = now, staff_id
    session.add(complaint)
    session.flush()  # the step is in the history the clocks read
    clocks.stop(session=session, complaint=complaint, now=now, calendar=calendar)


def _resume_clock(
    *, session: Session, complaint: Complaint, now: datetime, calendar: WorkingCalendar
) -> None:
    since = session.exec(
        select(col(ComplaintEvent.created_at))
        .where(
            col(ComplaintEvent.complaint_id) == complaint.id,
            col(ComplaintEvent.to_status) == ComplaintStatus.WAITING,
        )
        .order_by(col(ComplaintEvent.id).desc())
    ).first()
    paused = calendar.working_minutes(since, now) if since is not None else 0.0
    if paused <= 0:
        return
    if complaint.first_response_at is None and complaint.first_response_due_at is not None:
        complaint.first_response_due_at = calendar.add(complaint.first_response_due_at, paused)
    if complaint.resolution_due_at is not None:
        complaint.resolution_due_at = calendar.add(complaint.resolution_due_at, paused)


def resume_on_answer(
    *, session: Session, complaint: Complaint, now: datetime, calendar: WorkingCalendar
) -> bool:
    """The customer answered a complaint waiting for them: back to work, clock running."""
    if complaint.status != ComplaintStatus.WAITING:
        return False
    set_status(
        session=session,
        complaint=complaint,
        status=ComplaintStatus.IN_PROGRESS,
        now=now,
        calendar=calendar,
    )
    return True
