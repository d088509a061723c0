"""The conversation's storage calls: one read and one batch of writes per turn.

The hot path uses SQLAlchemy Core statements on the turn's session, not ORM objects,
so a turn costs a handful of statements in a single transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from channels.messages import Inbound, Outbound
from db.models import Contact, ConversationState, InboundReceipt, Message

CONTACT = Contact.__table__
STATE = ConversationState.__table__
MESSAGE = Message.__table__
RECEIPT = InboundReceipt.__table__


@dataclass
class ContactView:
    """The contact as a turn needs it; `state_*` is where they are in a conversation."""

    id: int
    channel: str
    language: str
    opted_out: bool
    display_name: str | None
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    state_updated_at: datetime | None = None
    is_new: bool = False


def claim_receipt(session: Session, inbound: Inbound, now: datetime) -> bool:
    """Record the provider's message id; False means we have seen this message before."""
    if inbound.raw_id is None:
        return True
    dialect = session.get_bind().dialect.name
    insert_fn = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert_fn(RECEIPT).values(
        channel=inbound.channel, raw_id=inbound.raw_id[:64], received_at=now
    )
    result = session.execute(statement.on_conflict_do_nothing())
    return result.rowcount == 1


def load_contact(session: Session, inbound: Inbound, now: datetime) -> ContactView:
    """The sender's contact and state, created on their first message."""
    row = session.execute(
        select(
            CONTACT.c.id,
            CONTACT.c.language,
            CONTACT.c.opted_out,
            CONTACT.c.display_name,
            STATE.c.flow,
            STATE.c.step,
            STATE.c.data,
            STATE.c.updated_at,
        )
        .select_from(CONTACT.outerjoin(STATE, STATE.c.contact_id == CONTACT.c.id))
        .where(
            CONTACT.c.channel == inbound.channel,
            CONTACT.c.channel_user_id == inbound.sender_id,
        )
    ).first()
    if row is None:
        return _create_contact(session, inbound, now)
    return ContactView(
        id=row.id,
        channel=inbound.channel,
        language=row.language,
        opted_out=row.opted_out,
        display_name=row.display_name,
        flow=row.flow,
        step=row.step,
        data=dict(row.data or {}),
        state_updated_at=row.updated_at,
    )


def _create_contact(session: Session, inbound: Inbound, now: datetime) -> ContactView:
    contact_id = session.execute(
        insert(CONTACT)
        .values(
            channel=inbound.channel,
            channel_user_id=inbound.sender_id,
            phone=inbound.phone,
            display_name=inbound.display_name,
            language="id",
            active=True,
            opted_out=False,
            needs_human=False,
            last_inbound_at=now,
            created_at=now,
        )
        .returning(CONTACT.c.id)
    ).scalar_one()
    session.execute(insert(STATE).values(contact_id=contact_id, data={}, updated_at=now))
    return ContactView(
        id=contact_id,
        channel=inbound.channel,
        language="id",
        opted_out=False,
        display_name=inbound.display_name,
        state_updated_at=now,
        is_new=True,
    )


def save_turn(
    session: Session,
    *,
    contact: ContactView,
    inbound: Inbound,
    stored_text: str,
    replies: list[Outbound],
    queue_replies: bool,
    complaint_id: int | None,
    language_changed: bool,
    now: datetime,
) -> list[int]:
    """Store the inbound message, the replies (as outbox rows when queued) and the new state."""
    contact_values: dict[str, Any] = {"last_inbound_at": now}
    if inbound.display_name and inbound.display_name != contact.display_name:
        contact_values["display_name"] = inbound.display_name[:120]
    if inbound.phone:
        contact_values["phone"] = inbound.phone[:32]
    if language_changed:
        contact_values["language"] = contact.language
    if not contact.is_new or len(contact_values) > 1:
        session.execute(update(CONTACT).where(CONTACT.c.id == contact.id).values(contact_values))
    session.execute(
        insert(MESSAGE).values(
            contact_id=contact.id,
            direction="in",
            channel=inbound.channel,
            text=stored_text,
            media=list(inbound.media) or None,
            status="received",
            attempts=0,
            provider_message_id=inbound.raw_id,
            complaint_id=complaint_id,
            created_at=now,
        )
    )
    outbox_ids: list[int] = []
    if replies:
        rows = [
            {
                "contact_id": contact.id,
                "direction": "out",
                "channel": inbound.channel,
                "text": reply.text,
                "choices": [{"label": c.label, "value": c.value} for c in reply.choices] or None,
                "status": "pending" if queue_replies else "sent",
                "attempts": 0,
                "next_attempt_at": now if queue_replies else None,
                "complaint_id": complaint_id,
                "created_at": now,
                "sent_at": None if queue_replies else now,
            }
            for reply in replies
        ]
        result = session.execute(insert(MESSAGE).returning(MESSAGE.c.id), rows)
        outbox_ids = list(result.scalars())
    session.execute(
        update(STATE)
        .where(STATE.c.contact_id == contact.id)
        .values(flow=contact.flow, step=contact.step, data=contact.data, updated_at=now)
    )
    return outbox_ids if queue_replies else []
