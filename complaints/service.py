"""Complaints as customers file and follow them: creation, ticket numbers, status and history."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from db.models import Complaint, ComplaintEvent, Contact, ResponseTarget
from db.rows import saved_id
from db.vocab import OPEN_COMPLAINT_STATUSES, Channel, ComplaintCategory, ComplaintStatus

CATEGORIES = tuple(ComplaintCategory)
OPEN_STATUSES = OPEN_COMPLAINT_STATUSES
TICKET_DIGITS = 6


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
) -> Complaint:
    """File a complaint and give it its ticket number; the first event starts its history."""
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


def recent_complaints(*, session: Session, contact_id: int, limit: int = 5) -> list[Complaint]:
    statement = (
        select(Complaint)
        .where(col(Complaint.contact_id) == contact_id)
        .order_by(col(Complaint.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def public_history(*, session: Session, complaint_id: int) -> list[ComplaintEvent]:
    """What the customer may see of a complaint's history (internal notes left out)."""
    statement = (
        select(ComplaintEvent)
        .where(col(ComplaintEvent.complaint_id) == complaint_id, col(ComplaintEvent.public) == True)  # noqa: E712
        .order_by(col(ComplaintEvent.id))
    )
    return list(session.exec(statement))


def first_response_minutes(*, session: Session, category: str) -> int:
    target = session.get(ResponseTarget, category)
    return target.first_response_minutes if target else 24 * 60


def first_response_due(*, created_at: datetime, minutes: int) -> datetime:
    return created_at + timedelta(minutes=minutes)


def set_status(
    *,
    session: Session,
    complaint: Complaint,
    status: ComplaintStatus,
    now: datetime,
    text: str = "",
    staff_id: int | None = None,
) -> None:
    """Move a complaint to a new status and keep the step in its history."""
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
    session.add(complaint)
