"""The staff side of a complaint: replies, notes, assignment and status changes.

Every public change queues an outbound message (an outbox row, status 'pending') telling the
customer on their channel; the channels' sender delivers it. The first staff reply or public
status change is the complaint's first response (time and who), which reports measure; when a
clock stops its working minutes are stored (complaints/clocks.py). A resolution asks the
customer for a rating (complaints/satisfaction.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from accounts.roles import COMPLAINTS, allowed
from complaints import clocks, satisfaction
from complaints.calendar import ROUND_THE_CLOCK, WorkingCalendar
from complaints.service import CATEGORIES, complaint_contact, set_status
from core.errors import DomainError, Term
from core.texts import t
from db.models import Complaint, ComplaintEvent, Contact, Message, ResponseTarget, Staff
from db.rows import saved_id
from db.vocab import Channel, MessageStatus
from db.vocab import ComplaintStatus as S

MAX_REPLY_LENGTH = 1500  # WhatsApp via Twilio takes 1,600 characters; leave room for the ticket
MAX_NOTE_LENGTH = 4000
TRANSITIONS: dict[S, tuple[S, ...]] = {
    S.RECEIVED: (S.IN_PROGRESS, S.WAITING, S.RESOLVED, S.REJECTED),
    S.IN_PROGRESS: (S.WAITING, S.RESOLVED, S.REJECTED),
    S.WAITING: (S.IN_PROGRESS, S.RESOLVED, S.REJECTED),
    S.RESOLVED: (S.CLOSED, S.IN_PROGRESS),
    S.CLOSED: (S.IN_PROGRESS,),
    S.REJECTED: (S.IN_PROGRESS,),
}
STATUSES = tuple(S)


def next_statuses(complaint: Complaint) -> tuple[S, ...]:
    """Where the complaint may go from its current status."""
    return TRANSITIONS[S(complaint.status)]


def _clean(text: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise DomainError.of(field, "empty")
    if len(text) > limit:
        raise DomainError.of(field, "at_most", limit=limit, length=len(text))
    return text


def customer_reply(*, ticket: str | None, text: str, language: str | None) -> str:
    """A staff reply as the customer reads it; without a ticket, a direct message."""
    if ticket is None:
        return t(language, "complaint_update.direct", text=text)
    return t(language, "complaint_update.reply", ticket=ticket, text=text)


def customer_status(*, ticket: str, status: str, text: str, language: str | None) -> str:
    """A public status change as the customer reads it."""
    if status == S.REJECTED:
        return t(language, "complaint_update.rejected", ticket=ticket, text=text)
    if status == S.RESOLVED:
        note = f"\n{text}" if text else ""
        return t(language, "complaint_update.resolved", ticket=ticket, note=note)
    name = t(language, f"complaint_status.{status}")
    key = "complaint_update.status_note" if text else "complaint_update.status"
    return t(language, key, ticket=ticket, status=name, text=text)


def queue_message(
    *,
    session: Session,
    contact: Contact,
    text: str,
    now: datetime,
    staff: Staff | None,
    complaint: Complaint | None = None,
) -> Message:
    """Write the outbound row the channels' outbox will deliver."""
    if contact.id is None:
        raise ValueError("a message goes to a stored contact")
    message = Message(
        contact_id=contact.id,
        direction="out",
        channel=contact.channel,
        text=text,
        status=MessageStatus.PENDING,
        next_attempt_at=now,
        complaint_id=complaint.id if complaint else None,
        staff_id=staff.id if staff else None,
        created_at=now,
    )
    if contact.channel == Channel.WHATSAPP and complaint is not None:
        # Outside WhatsApp's 24-hour window only an approved template may be sent.
        message.template_kind = "complaint_update"
        message.template_variables = {"1": complaint.ticket_number or "", "2": text[:500]}
    session.add(message)
    return message


def _mark_first_response(complaint: Complaint, staff: Staff, now: datetime) -> None:
    if complaint.first_response_at is None:
        complaint.first_response_at = now
        complaint.first_response_by = staff.id


def reply(
    *,
    session: Session,
    complaint: Complaint,
    staff: Staff,
    text: str,
    now: datetime,
    calendar: WorkingCalendar = ROUND_THE_CLOCK,
) -> Message:
    """Answer the customer on their channel; the first answer is the first response.

    Its working minutes are counted in `calendar` (wall-clock time without one).
    """
    text = _clean(text, field="text", limit=MAX_REPLY_LENGTH)
    contact = complaint_contact(session=session, complaint=complaint)
    body = customer_reply(ticket=complaint.ticket_number, text=text, language=contact.language)
    message = queue_message(
        session=session, contact=contact, text=body, now=now, staff=staff, complaint=complaint
    )
    session.add(
        ComplaintEvent(
            complaint_id=saved_id(complaint),
            kind="reply",
            text=text,
            staff_id=staff.id,
            created_at=now,
        )
    )
    _mark_first_response(complaint, staff, now)
    complaint.updated_at = now
    clocks.stop(session=session, complaint=complaint, now=now, calendar=calendar)
    session.add(complaint)
    session.flush()
    return message


def add_note(
    *, session: Session, complaint: Complaint, staff: Staff, text: str, now: datetime
) -> ComplaintEvent:
    """An internal note for colleagues; the customer never sees it."""
    text = _clean(text, field="text", limit=MAX_NOTE_LENGTH)
    event = ComplaintEvent(
        complaint_id=saved_id(complaint),
        kind="note",
        text=text,
        public=False,
        staff_id=staff.id,
        created_at=now,
    )
    session.add(event)
    complaint.updated_at = now
    session.add(complaint)
    session.flush()
    return event


def assign(
    *,
    session: Session,
    complaint: Complaint,
    staff: Staff,
    assignee_id: int | None,
    now: datetime,
) -> ComplaintEvent:
    """Give the complaint to a colleague who works complaints (None: unassign)."""
    assignee = session.get(Staff, assignee_id) if assignee_id is not None else None
    if assignee_id is not None and (
        assignee is None or not assignee.active or not allowed(assignee.role, COMPLAINTS)
    ):
        raise DomainError.of("assignee", "assignee_not_worker")
    event = ComplaintEvent(
        complaint_id=saved_id(complaint),
        kind="assign",
        text=assignee.username if assignee else "",
        public=False,
        staff_id=staff.id,
        created_at=now,
    )
    session.add(event)
    complaint.assignee_id = assignee_id
    complaint.updated_at = now
    session.add(complaint)
    session.flush()
    return event


def change_status(
    *,
    session: Session,
    complaint: Complaint,
    staff: Staff,
    status: str,
    now: datetime,
    reason: str = "",
    calendar: WorkingCalendar = ROUND_THE_CLOCK,
) -> Message:
    """Move the complaint along its lifecycle and tell the customer; rejecting needs a reason.

    Leaving 'waiting' moves the due times on by the working time (`calendar`) it waited; the
    clocks that stop store their working minutes; a resolution asks for the customer's rating.
    """
    if status not in STATUSES:
        raise DomainError.of("status", "unknown_choice")
    if status not in next_statuses(complaint):
        raise DomainError.of(
            "status",
            "transition",
            before=Term(f"complaint_status.{complaint.status}"),
            after=Term(f"complaint_status.{status}"),
        )
    reason = _clean(reason, field="reason", limit=MAX_REPLY_LENGTH, required=status == S.REJECTED)
    set_status(
        session=session,
        complaint=complaint,
        status=S(status),
        now=now,
        text=reason,
        staff_id=staff.id,
        first_response=True,
        calendar=calendar,
    )
    complaint.reject_reason = reason if status == S.REJECTED else None
    contact = complaint_contact(session=session, complaint=complaint)
    body = customer_status(
        ticket=complaint.ticket_number or "", status=status, text=reason, language=contact.language
    )
    message = queue_message(
        session=session, contact=contact, text=body, now=now, staff=staff, complaint=complaint
    )
    if status == S.RESOLVED:
        satisfaction.ask(session=session, complaint=complaint, now=now)
    session.add(complaint)
    session.flush()
    return message


def reply_to_contact(
    *, session: Session, contact: Contact, staff: Staff, text: str, now: datetime
) -> Message:
    """Answer a customer who asked for a person, outside any complaint."""
    text = _clean(text, field="text", limit=MAX_REPLY_LENGTH)
    body = customer_reply(ticket=None, text=text, language=contact.language)
    message = queue_message(session=session, contact=contact, text=body, now=now, staff=staff)
    session.flush()
    return message


def set_target(
    *, session: Session, category: str, first_response_minutes: int, resolution_minutes: int
) -> tuple[tuple[int, int] | None, ResponseTarget]:
    """Change a category's response targets; returns the old values for the audit trail."""
    if category not in CATEGORIES:
        raise DomainError.of("category", "unknown_choice")
    if first_response_minutes < 1 or resolution_minutes < 1:
        raise DomainError.of("first_response_minutes", "at_least_a_minute")
    if resolution_minutes < first_response_minutes:
        raise DomainError.of("resolution_minutes", "resolution_shorter")
    target = session.get(ResponseTarget, category)
    old = (target.first_response_minutes, target.resolution_minutes) if target else None
    target = target or ResponseTarget(
        category=category, first_response_minutes=0, resolution_minutes=0
    )
    target.first_response_minutes = first_response_minutes
    target.resolution_minutes = resolution_minutes
    session.add(target)
    session.flush()
    return old, target
