"""The conversation's storage calls: one read and one batch of writes per turn.

The hot path runs statements built once at import, with bound parameters, on the turn's
connection: no ORM objects and no statement construction per message. That keeps a turn
to a handful of cheap statements in a single transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from channels.messages import Inbound, Outbound
from db.models import Contact, ConversationState, InboundReceipt, Message
from db.prepared import Prepared
from db.vocab import MessageStatus

CONTACT = Contact.__table__
STATE = ConversationState.__table__
MESSAGE = Message.__table__
RECEIPT = InboundReceipt.__table__

# RETURNING tells whether the row went in; rowcount is -1 for this on psycopg.
CLAIM_RECEIPT = {
    "sqlite": Prepared(sqlite_insert(RECEIPT).on_conflict_do_nothing(), [RECEIPT.c.raw_id]),
    "postgresql": Prepared(pg_insert(RECEIPT).on_conflict_do_nothing(), [RECEIPT.c.raw_id]),
}
# A message the webhook already stored: whoever marks it processed first answers it.
TAKE_UP_RECEIPT = Prepared(
    RECEIPT.update()
    .where(
        RECEIPT.c.channel == bindparam("take_channel"),
        RECEIPT.c.raw_id == bindparam("take_raw_id"),
        RECEIPT.c.processed_at.is_(None),
    )
    .values(processed_at=bindparam("take_now")),
    [RECEIPT.c.raw_id],
)


def _state(column: Any) -> Any:
    """One column of the contact's conversation state, read beside the contact's row."""
    return select(column).where(STATE.c.contact_id == CONTACT.c.id).scalar_subquery()


# A returning contact's row is read and touched (last inbound time, which opens WhatsApp's
# 24-hour window; active; the phone the channel gave) in one statement, the state with it.
CONTACT_COLUMNS = (
    CONTACT.c.id,
    CONTACT.c.language,
    CONTACT.c.opted_out,
    CONTACT.c.display_name,
    CONTACT.c.needs_human,
    _state(STATE.c.flow).label("flow"),
    _state(STATE.c.step).label("step"),
    _state(STATE.c.data).label("data"),
    _state(STATE.c.updated_at).label("updated_at"),
)
LOAD_AND_TOUCH_CONTACT = Prepared(
    CONTACT.update()
    .where(
        CONTACT.c.channel == bindparam("touch_channel"),
        CONTACT.c.channel_user_id == bindparam("touch_sender"),
    )
    .values(
        last_inbound_at=bindparam("touch_now"),
        active=True,
        phone=func.coalesce(bindparam("touch_phone", type_=CONTACT.c.phone.type), CONTACT.c.phone),
    ),
    CONTACT_COLUMNS,
)
INSERT_CONTACT = CONTACT.insert().returning(CONTACT.c.id)
INSERT_STATE = STATE.insert()
# One row at a time on the driver: in order, and cheaper than a batched statement here.
INSERT_MESSAGE = Prepared(MESSAGE.insert(), [MESSAGE.c.id])
SAVE_STATE = Prepared(
    STATE.update()
    .where(STATE.c.contact_id == bindparam("state_contact_id"))
    .values(
        flow=bindparam("new_flow"),
        step=bindparam("new_step"),
        data=bindparam("new_data", type_=STATE.c.data.type),
        updated_at=bindparam("state_now"),
    )
)


@dataclass
class ContactView:
    """The contact as a turn needs it; flow/step/data are where they are in a conversation."""

    id: int
    channel: str
    language: str
    opted_out: bool
    display_name: str | None
    needs_human: bool = False  # asked for a person: messages go to staff (flows/handoff.py)
    flow: str | None = None
    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    state_updated_at: datetime | None = None
    is_new: bool = False


def claim_receipt(
    connection: Connection, inbound: Inbound, now: datetime, *, accepted: bool = False
) -> bool:
    """Record the provider's message id; False means this message was answered already.

    `accepted`: the webhook stored it before acknowledging; we only mark it processed.
    """
    if inbound.raw_id is None:
        return True
    raw_id = inbound.raw_id[:64]
    if accepted:
        params = {"take_channel": inbound.channel, "take_raw_id": raw_id, "take_now": now}
        return bool(TAKE_UP_RECEIPT.rows(connection, params))
    statement = CLAIM_RECEIPT[connection.dialect.name]
    params = {
        "channel": inbound.channel,
        "raw_id": raw_id,
        "received_at": now,
        "processed_at": now,
    }
    return bool(statement.rows(connection, params))


def load_contact(
    connection: Connection, inbound: Inbound, now: datetime, *, language: str = "id"
) -> ContactView:
    """The sender's contact and state, created on their first message; a returning contact
    is touched in the same statement (see `LOAD_AND_TOUCH_CONTACT`)."""
    params = {
        "touch_channel": inbound.channel,
        "touch_sender": inbound.sender_id,
        "touch_now": now,
        "touch_phone": _clean(inbound.phone)[:32] or None,
    }
    found = LOAD_AND_TOUCH_CONTACT.rows(connection, params)
    if not found:
        return _create_contact(connection, inbound, now, language)
    contact_id, language, opted_out, display_name, needs_human, flow, step, data, updated_at = (
        found[0]
    )
    return ContactView(
        id=contact_id,
        channel=inbound.channel,
        language=language,
        opted_out=bool(opted_out),
        display_name=display_name,
        needs_human=bool(needs_human),
        flow=flow,
        step=step,
        data=dict(data or {}),
        state_updated_at=updated_at,
    )


def _create_contact(
    connection: Connection, inbound: Inbound, now: datetime, language: str
) -> ContactView:
    contact_id = connection.execute(
        INSERT_CONTACT,
        {
            "channel": inbound.channel,
            "channel_user_id": inbound.sender_id,
            "phone": inbound.phone,
            "display_name": _clean(inbound.display_name)[:120] or None,
            "language": language,
            "active": True,
            "opted_out": False,
            "needs_human": False,
            "last_inbound_at": now,
            "created_at": now,
        },
    ).scalar_one()
    connection.execute(INSERT_STATE, {"contact_id": contact_id, "data": {}, "updated_at": now})
    return ContactView(
        id=contact_id,
        channel=inbound.channel,
        language=language,
        opted_out=False,
        display_name=inbound.display_name,
        state_updated_at=now,
        is_new=True,
    )


def save_turn(
    connection: Connection,
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
    _touch_contact(connection, contact, inbound, language_changed, now)
    incoming = {
        "contact_id": contact.id,
        "direction": "in",
        "channel": inbound.channel,
        "text": stored_text,
        "choices": None,
        "media": [media.ref for media in inbound.media] or None,
        "status": MessageStatus.RECEIVED,
        "attempts": 0,
        "next_attempt_at": None,
        "provider_message_id": inbound.raw_id,
        "complaint_id": complaint_id,
        "notice_id": None,
        "notice_event": None,
        "created_at": now,
        "sent_at": None,
    }
    rows = [incoming] + [
        _reply_row(contact, inbound, reply, queue_replies, complaint_id, now) for reply in replies
    ]
    ids = [INSERT_MESSAGE.rows(connection, row)[0][0] for row in rows]
    outbox_ids = ids[1:] if queue_replies else []  # the replies' rows, after the message's own
    SAVE_STATE.rows(
        connection,
        {
            "state_contact_id": contact.id,
            "new_flow": contact.flow,
            "new_step": contact.step,
            "new_data": contact.data,
            "state_now": now,
        },
    )
    return outbox_ids


def _touch_contact(
    connection: Connection,
    contact: ContactView,
    inbound: Inbound,
    language_changed: bool,
    now: datetime,
) -> None:
    """What the channel or the customer told us anew: a display name, a language.

    The last inbound time and the phone were written when the contact was loaded.
    """
    changes: dict[str, Any] = {}
    if inbound.display_name and inbound.display_name != contact.display_name:
        changes["display_name"] = _clean(inbound.display_name)[:120]
    if language_changed:
        changes["language"] = contact.language
    if changes:
        statement = CONTACT.update().where(CONTACT.c.id == contact.id)
        connection.execute(statement.values(last_inbound_at=now, active=True, **changes))


def _reply_row(
    contact: ContactView,
    inbound: Inbound,
    reply: Outbound,
    queued: bool,
    complaint_id: int | None,
    now: datetime,
) -> dict[str, Any]:
    return {
        "contact_id": contact.id,
        "direction": "out",
        "channel": inbound.channel,
        "text": reply.text,
        "choices": [{"label": c.label, "value": c.value} for c in reply.choices] or None,
        "status": MessageStatus.PENDING if queued else MessageStatus.SENT,
        "attempts": 0,
        "next_attempt_at": now if queued else None,
        "media": None,
        "provider_message_id": None,
        "complaint_id": complaint_id,
        "notice_id": reply.notice_id,
        "notice_event": reply.notice_event,
        "created_at": now,
        "sent_at": None if queued else now,
    }


def _clean(value: str | None) -> str:
    """Provider-supplied text without NUL characters, which PostgreSQL cannot store."""
    return (value or "").replace("\x00", "")
