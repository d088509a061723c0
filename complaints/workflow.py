"""The staff side of a complaint: replies, notes, assignment and status changes.

Every public change queues an outbound message (an outbox row, status 'pending') telling the
customer on their channel; the channels' sender delivers it. The first staff reply or public
status change is the complaint's first response (time and who), which reports measure.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from accounts.roles import COMPLAINTS, allowed
from complaints import texts
from complaints.service import CATEGORIES, set_status
from db.models import Complaint, ComplaintEvent, Contact, Message, ResponseTarget, Staff

MAX_REPLY_LENGTH = 1500  # WhatsApp via Twilio takes 1,600 characters; leave room for the ticket
MAX_NOTE_LENGTH = 4000
TRANSITIONS = {
    "received": ("in_progress", "resolved", "rejected"),
    "in_progress": ("resolved", "rejected"),
    "resolved": ("closed", "in_progress"),
    "closed": ("in_progress",),
    "rejected": ("in_progress",),
}
STATUSES = tuple(TRANSITIONS)


class WorkflowError(ValueError):
    """A staff action that cannot be done; the message names the field for the form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def _clean(text: str, *, field: str, limit: int, required: bool = True) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise WorkflowError(field, "must not be empty")
    if len(text) > limit:
        raise WorkflowError(field, f"at most {limit} characters")
    return text


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
    message = Message(
        contact_id=contact.id,
        direction="out",
        channel=contact.channel,
        text=text,
        status="pending",
        next_attempt_at=now,
        complaint_id=complaint.id if complaint else None,
        staff_id=staff.id if staff else None,
        created_at=now,
    )
    if contact.channel == "whatsapp" and complaint is not None:
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
    *, session: Session, complaint: Complaint, staff: Staff, text: str, now: datetime
) -> Message:
    """Answer the customer on their channel; the first answer is the first response."""
    text = _clean(text, field="text", limit=MAX_REPLY_LENGTH)
    contact = session.get(Contact, complaint.contact_id)
    language = contact.language if contact else None
    body = texts.reply_text(ticket=complaint.ticket_number, text=text, language=language)
    message = queue_message(
        session=session, contact=contact, text=body, now=now, staff=staff, complaint=complaint
    )
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id, kind="reply", text=text, staff_id=staff.id, created_at=now
        )
    )
    _mark_first_response(complaint, staff, now)
    complaint.updated_at = now
    session.add(complaint)
    session.flush()
    return message


def add_note(
    *, session: Session, complaint: Complaint, staff: Staff, text: str, now: datetime
) -> ComplaintEvent:
    """An internal note for colleagues; the customer never sees it."""
    text = _clean(text, field="text", limit=MAX_NOTE_LENGTH)
    event = ComplaintEvent(
        complaint_id=complaint.id,
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
        raise WorkflowError("assignee", "not an active member of staff who works complaints")
    event = ComplaintEvent(
        complaint_id=complaint.id,
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
) -> Message:
    """Move the complaint along its lifecycle and tell the customer; rejecting needs a reason."""
    if status not in STATUSES:
        raise WorkflowError("status", f"one of {', '.join(STATUSES)}")
    if status not in TRANSITIONS[complaint.status]:
        raise WorkflowError("status", f"cannot go from {complaint.status} to {status}")
    reason = _clean(reason, field="reason", limit=MAX_REPLY_LENGTH, required=status == "rejected")
    set_status(
        session=session, complaint=complaint, status=status, now=now, text=reason, staff_id=staff.id
    )
    complaint.reject_reason = reason if status == "rejected" else None
    _mark_first_response(complaint, staff, now)
    contact = session.get(Contact, complaint.contact_id)
    body = texts.status_text(
        ticket=complaint.ticket_number or "", status=status, text=reason, language=contact.language
    )
    message = queue_message(
        session=session, contact=contact, text=body, now=now, staff=staff, complaint=complaint
    )
    session.add(complaint)
    session.flush()
    return message


def reply_to_contact(
    *, session: Session, contact: Contact, staff: Staff, text: str, now: datetime
) -> Message:
    """Answer a customer who asked for a person, outside any complaint."""
    text = _clean(text, field="text", limit=MAX_REPLY_LENGTH)
    body = texts.reply_text(ticket=None, text=text, language=contact.language)
    message = queue_message(session=session, contact=contact, text=body, now=now, staff=staff)
    session.flush()
    return message


def settle_contact(*, session: Session, contact: Contact) -> None:
    """Clear the 'asked for a person' flag once staff have dealt with it."""
    contact.needs_human = False
    contact.needs_human_since = None
    session.add(contact)


def set_target(
    *, session: Session, category: str, first_response_minutes: int, resolution_minutes: int
) -> tuple[tuple[int, int] | None, ResponseTarget]:
    """Change a category's response targets; returns the old values for the audit trail."""
    if category not in CATEGORIES:
        raise WorkflowError("category", f"one of {', '.join(CATEGORIES)}")
    if first_response_minutes < 1 or resolution_minutes < 1:
        raise WorkflowError("minutes", "targets must be at least one minute")
    if resolution_minutes < first_response_minutes:
        raise WorkflowError("resolution_minutes", "cannot be shorter than the first response")
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
