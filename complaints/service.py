"""Complaints as customers file and follow them: creation, ticket numbers, status and history."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from db.models import Complaint, ComplaintEvent, ResponseTarget

CATEGORIES = ("no_water", "low_pressure", "quality", "leak", "meter", "billing", "other")
OPEN_STATUSES = ("received", "in_progress")
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
    channel: str,
    category: str,
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
    complaint.ticket_number = ticket_number(complaint.id, ticket_prefix)
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id, kind="status", to_status="received", created_at=now
        )
    )
    session.flush()
    return complaint


def complaint_of_contact(*, session: Session, contact_id: int, ticket: str) -> Complaint | None:
    """A ticket, only for the contact who filed it: nobody reads another customer's complaint."""
    return session.exec(
        select(Complaint).where(
            Complaint.ticket_number == ticket, Complaint.contact_id == contact_id
        )
    ).first()


def recent_complaints(*, session: Session, contact_id: int, limit: int = 5) -> list[Complaint]:
    statement = (
        select(Complaint)
        .where(Complaint.contact_id == contact_id)
        .order_by(col(Complaint.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def public_history(*, session: Session, complaint_id: int) -> list[ComplaintEvent]:
    """What the customer may see of a complaint's history (internal notes left out)."""
    statement = (
        select(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.public == True)  # noqa: E712
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
    status: str,
    now: datetime,
    text: str = "",
    staff_id: int | None = None,
) -> None:
    """Move a complaint to a new status and keep the step in its history."""
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
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
    if status == "resolved":
        complaint.resolved_at = now
    elif status == "closed":
        complaint.closed_at = now
    elif status in OPEN_STATUSES:
        complaint.resolved_at = None
        complaint.closed_at = None
    session.add(complaint)
