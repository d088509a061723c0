"""Complaints meet disruptions: a complaint from an area under way is linked to its notice,
and on restoration its reporter is told and asked whether the water is back."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from db.models import (
    Complaint,
    ComplaintEvent,
    Contact,
    ConversationState,
    Message,
    Notice,
)
from outage_notices import texts
from outage_notices.fanout import facts_for
from outage_notices.policy import NoticePolicy

OPEN_STATUSES = ("received", "in_progress")
LINKABLE_CATEGORIES = ("no_water", "low_pressure")


def link_complaint(
    *, session: Session, complaint: Complaint, notice: Notice, now: datetime, staff_id=None
) -> None:
    """Attach a complaint to the disruption that explains it (kept in its history)."""
    if complaint.notice_id == notice.id:
        return
    complaint.notice_id, complaint.updated_at = notice.id, now
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            kind="link",
            text=notice.title,  # shown to the customer in the ticket's history
            staff_id=staff_id,
            created_at=now,
        )
    )
    session.flush()


def linked_complaints(session: Session, notice_id: int) -> list[Complaint]:
    """The cluster of complaints staff see under a notice."""
    statement = select(Complaint).where(Complaint.notice_id == notice_id).order_by(Complaint.id)
    return list(session.scalars(statement))


def queue_followups(
    *, session: Session, notice: Notice, policy: NoticePolicy, now: datetime
) -> int:
    """Resolve the open linked complaints, tell each reporter once and ask if water is back."""
    by_contact: dict[int, list[Complaint]] = defaultdict(list)
    for complaint in linked_complaints(session, notice.id):
        if complaint.status in OPEN_STATUSES:
            by_contact[complaint.contact_id].append(complaint)
    facts = facts_for(session, notice, "restore")
    queued = 0
    for contact_id, complaints in by_contact.items():
        contact = session.get(Contact, contact_id)
        for complaint in complaints:
            _resolve(session, complaint, notice, now)
        if not contact.active:  # the channel can't reach them; STOP only ends broadcasts
            continue
        queued += _queue_question(session, contact, notice, complaints, facts, policy, now)
    session.flush()
    return queued


def _resolve(session: Session, complaint: Complaint, notice: Notice, now: datetime) -> None:
    session.add(
        ComplaintEvent(
            complaint_id=complaint.id,
            kind="status",
            from_status=complaint.status,
            to_status="resolved",
            text=f"water declared back (notice #{notice.id}); reporter asked to confirm",
            created_at=now,
        )
    )
    complaint.status, complaint.resolved_at, complaint.updated_at = "resolved", now, now


def _queue_question(session, contact, notice, complaints, facts, policy, now) -> int:
    tickets = [c.ticket_number or f"#{c.id}" for c in complaints]
    text = texts.render_followup(facts, tickets, contact.language, policy.tz)
    kind, variables = texts.template_for(facts, "restore", contact.language, policy.tz)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = {
        "contact_id": contact.id,
        "direction": "out",
        "channel": contact.channel,
        "text": text,
        "status": "pending",
        "attempts": 0,
        "template_kind": kind,
        "template_variables": variables,
        "complaint_id": complaints[0].id,
        "notice_id": notice.id,
        "notice_event": "restore_followup",
        "created_at": now,
    }
    result = session.execute(
        insert(Message.__table__)
        .values(**row)
        .on_conflict_do_nothing(index_elements=["contact_id", "notice_id", "notice_event"])
        .returning(Message.__table__.c.id)
    )
    if result.first() is None:
        return 0
    state = session.get(ConversationState, contact.id) or ConversationState(contact_id=contact.id)
    state.flow, state.step, state.updated_at = "restore_check", "ask", now
    state.data = {"complaint_ids": [c.id for c in complaints], "notice_id": notice.id}
    session.add(state)
    return 1
