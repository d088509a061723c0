"""Complaints meet disruptions: a complaint from an area under way is linked to its notice,
and on restoration its reporter is told and asked whether the water is back.

The restoration resolves the linked open complaints through complaints.service.set_status, so
their resolution clocks stop in working time like a resolution in the console.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from complaints.calendar import calendar_of
from complaints.service import set_status
from core.texts import t
from db.models import (
    Complaint,
    ComplaintEvent,
    Contact,
    ConversationState,
    Message,
    Notice,
)
from db.rows import saved_id
from db.vocab import OPEN_COMPLAINT_STATUSES, ComplaintCategory, ComplaintStatus, MessageStatus
from outage_notices import texts
from outage_notices.fanout import facts_for
from outage_notices.policy import NoticePolicy

LINKABLE_CATEGORIES = (ComplaintCategory.NO_WATER, ComplaintCategory.LOW_PRESSURE)


def link_complaint(
    *,
    session: Session,
    complaint: Complaint,
    notice: Notice,
    now: datetime,
    staff_id: int | None = None,
) -> None:
    """Attach a complaint to the disruption that explains it (kept in its history)."""
    if complaint.notice_id == notice.id:
        return
    complaint.notice_id, complaint.updated_at = notice.id, now
    session.add(
        ComplaintEvent(
            complaint_id=saved_id(complaint),
            kind="link",
            text=notice.title,  # shown to the customer in the ticket's history
            staff_id=staff_id,
            created_at=now,
        )
    )
    session.flush()


def linked_complaints(session: Session, notice_id: int) -> list[Complaint]:
    """The cluster of complaints staff see under a notice."""
    statement = (
        select(Complaint).where(col(Complaint.notice_id) == notice_id).order_by(col(Complaint.id))
    )
    return list(session.scalars(statement))


def queue_followups(
    *, session: Session, notice: Notice, policy: NoticePolicy, now: datetime
) -> int:
    """Resolve the open linked complaints, tell each reporter once and ask if water is back."""
    by_contact: dict[int, list[Complaint]] = defaultdict(list)
    for complaint in linked_complaints(session, saved_id(notice)):
        if complaint.status in OPEN_COMPLAINT_STATUSES:
            by_contact[complaint.contact_id].append(complaint)
    facts = facts_for(session, notice, "restore")
    calendar = calendar_of(session=session, week=policy.working_week, tz=policy.tz)
    queued = 0
    for contact_id, complaints in by_contact.items():
        contact = session.get(Contact, contact_id)
        if contact is None:  # a complaint's contact is a foreign key, and contacts stay
            raise LookupError(f"contact {contact_id} of a linked complaint does not exist")
        for complaint in complaints:
            set_status(
                session=session,
                complaint=complaint,
                status=ComplaintStatus.RESOLVED,
                now=now,
                calendar=calendar,
                text=t(policy.language, "restore.history_declared", notice=notice.id),
            )
        if not contact.active:  # the channel can't reach them; STOP only ends broadcasts
            continue
        queued += _queue_question(session, contact, notice, complaints, facts, policy, now)
    session.flush()
    return queued


def _queue_question(
    session: Session,
    contact: Contact,
    notice: Notice,
    complaints: list[Complaint],
    facts: texts.NoticeFacts,
    policy: NoticePolicy,
    now: datetime,
) -> int:
    tickets = [c.ticket_number or f"#{c.id}" for c in complaints]
    text = texts.render_followup(facts, tickets, contact.language, policy.tz)
    kind, variables = texts.template_for(facts, "restore", contact.language, policy.tz)
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    row = {
        "contact_id": contact.id,
        "direction": "out",
        "channel": contact.channel,
        "text": text,
        "status": MessageStatus.PENDING,
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
    contact_id = saved_id(contact)
    state = session.get(ConversationState, contact_id) or ConversationState(contact_id=contact_id)
    state.flow, state.step, state.updated_at = "restore_check", "ask", now
    state.data = {"complaint_ids": [c.id for c in complaints], "notice_id": notice.id}
    session.add(state)
    return 1
