"""Messages set aside: one that fails for a reason of its own must not hold up the others.

A message whose turn fails with an error that will not pass by itself (see `db.faults`) is
set aside in the intake journal at once, the customer is told we could not take it (in their
language, without storing the message itself, which may be what failed), and the worker goes
on with the next. Staff list dead letters and send one back into the queue after a fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, select

from channels.messages import Inbound, inbound_from_payload
from core.texts import t
from db.engine import reading
from db.models import Contact, ConversationState, InboundReceipt, Message
from db.vocab import MessageStatus

RECEIPT = InboundReceipt.__table__
CONTACT = Contact.__table__
r = RECEIPT.c
SET_ASIDE = (
    RECEIPT.update()
    .where(r.channel == bindparam("aside_channel"), r.raw_id == bindparam("aside_id"))
    .values(failed_at=bindparam("aside_now"), failure=bindparam("aside_failure"))
)
LIST = (
    select(r.channel, r.raw_id, r.payload, r.received_at, r.failed_at, r.failure)
    .where(r.failed_at.is_not(None), r.processed_at.is_(None))
    .order_by(r.failed_at.desc())
    .limit(bindparam("limit"))
)
RETRY = (
    RECEIPT.update()
    .where(r.channel == bindparam("retry_channel"), r.raw_id == bindparam("retry_id"))
    .where(r.failed_at.is_not(None), r.processed_at.is_(None))
    .values(failed_at=None, failure=None)
)
FIND_CONTACT = select(CONTACT.c.id, CONTACT.c.language).where(
    CONTACT.c.channel == bindparam("channel"), CONTACT.c.channel_user_id == bindparam("sender")
)
PREVIEW = 80  # characters of the customer's text shown to staff


@dataclass(frozen=True, slots=True)
class DeadLetter:
    channel: str
    raw_id: str
    sender_id: str
    preview: str
    received_at: datetime
    failed_at: datetime
    failure: str


def failure_name(error: BaseException) -> str:
    """What staff see of the error: its kind only (its text may quote personal data)."""
    return f"{type(error).__module__}.{type(error).__qualname__}"[:200]


def set_aside(journal: Engine, inbound: Inbound, *, failure: str, now: datetime) -> None:
    """Take the message out of the queue until staff retry it."""
    params = {
        "aside_channel": inbound.channel,
        "aside_id": (inbound.raw_id or "")[:64],
        "aside_now": now,
        "aside_failure": failure[:200],
    }
    with journal.begin() as connection:
        connection.execute(SET_ASIDE, params)


def dead_letters(journal: Engine, *, limit: int = 100) -> list[DeadLetter]:
    """Messages set aside and not yet taken up, the latest first."""
    with reading(journal) as connection:
        rows = connection.execute(LIST, {"limit": limit}).all()
    letters = []
    for row in rows:
        inbound = inbound_from_payload(row.payload) if row.payload else None
        letters.append(
            DeadLetter(
                channel=row.channel,
                raw_id=row.raw_id,
                sender_id=inbound.sender_id if inbound else "",
                preview=(inbound.text if inbound else "")[:PREVIEW],
                received_at=row.received_at,
                failed_at=row.failed_at,
                failure=row.failure or "",
            )
        )
    return letters


def retry(journal: Engine, *, channel: str, raw_id: str) -> bool:
    """Put a dead letter back in the queue; False when there is no such dead letter."""
    with journal.begin() as connection:
        result = connection.execute(RETRY, {"retry_channel": channel, "retry_id": raw_id})
        return result.rowcount > 0


def apologise(engine: Engine, inbound: Inbound, *, default_language: str, now: datetime) -> None:
    """Queue one reply saying the message could not be taken, to the sender's chat."""
    with engine.begin() as connection:
        contact_id, language = _contact(connection, inbound, default_language, now)
        connection.execute(
            Message.__table__.insert(),
            {
                "contact_id": contact_id,
                "direction": "out",
                "channel": inbound.channel,
                "text": t(language, "intake.set_aside"),
                "status": MessageStatus.PENDING,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            },
        )


def _contact(
    connection: Connection, inbound: Inbound, default_language: str, now: datetime
) -> tuple[int, str]:
    """The sender's contact id and language, made (with only the address) if new."""
    row = connection.execute(
        FIND_CONTACT, {"channel": inbound.channel, "sender": inbound.sender_id}
    ).first()
    if row is not None:
        touch = CONTACT.update().where(CONTACT.c.id == row.id).values(last_inbound_at=now)
        connection.execute(touch)  # they just wrote: WhatsApp's 24-hour window is open
        return row.id, row.language
    contact_id = connection.execute(
        CONTACT.insert().returning(CONTACT.c.id),
        {
            "channel": inbound.channel,
            "channel_user_id": inbound.sender_id,
            "language": default_language,
            "active": True,
            "opted_out": False,
            "needs_human": False,
            "last_inbound_at": now,
            "created_at": now,
        },
    ).scalar_one()
    connection.execute(
        ConversationState.__table__.insert(),
        {"contact_id": contact_id, "data": {}, "updated_at": now},
    )
    return contact_id, default_language
