"""Twilio status callbacks: record delivery progress without ever moving a message backwards.

Callbacks can arrive out of order (a 'sent' after its 'delivered'); a status only replaces
one of lower rank. Error 63016 may come back only here (the message was accepted, then
refused because the customer is outside the 24-hour window): the row goes back to the
outbox marked `template_required` so the sender resends it as its Content template.

Each message asks for its callbacks at a URL that names our row (`?message=<id>`), so a row
left 'unknown' by a crash settles too: its request reached Twilio but the answer (with the
MessageSid) never reached us. The first callback for it records the MessageSid and moves it
to sent, delivered, read or failed. Only 'unknown' rows without a MessageSid are matched by
that id; every other row is matched by its MessageSid as before. A row whose request never
reached Twilio gets no callback and stays 'unknown' for staff to resend.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Row, select, update

from channels.delivery import TEMPLATE_REQUIRED
from db.models import Contact, Message
from db.vocab import Channel
from db.vocab import MessageStatus as S

MESSAGE = Message.__table__
CONTACT = Contact.__table__

# Twilio's MessageStatus → ours. 'accepted', 'queued', 'sending', 'scheduled' all mean the
# provider holds it, which is what our 'sent' means.
STATUSES = {
    "accepted": S.SENT,
    "scheduled": S.SENT,
    "queued": S.SENT,
    "sending": S.SENT,
    "sent": S.SENT,
    "delivered": S.DELIVERED,
    "read": S.READ,
    "failed": S.FAILED,
    "undelivered": S.UNDELIVERED,
    "canceled": S.FAILED,
}
RANK = {
    S.PENDING: 0, S.SENDING: 1, S.UNKNOWN: 1, S.SENT: 2,
    S.FAILED: 3, S.UNDELIVERED: 3, S.DELIVERED: 4, S.READ: 5,
}  # fmt: skip
OUTSIDE_WINDOW, UNSUBSCRIBED = "63016", "21610"


@dataclass(frozen=True, slots=True)
class StatusChange:
    message_id: int | None
    status: str | None  # the row's status afterwards; None when the message is not ours
    resend: bool = False  # back in the outbox: wake the sender


def apply_status(
    engine: Engine,
    *,
    sid: str,
    twilio_status: str,
    error_code: str = "",
    has_template: Callable[[str | None], bool],
    message_id: int | None = None,
) -> StatusChange:
    """Record one callback for the message Twilio knows as `sid` (our row `message_id`)."""
    new = STATUSES.get(twilio_status.lower())
    m = MESSAGE.c
    columns = (m.id, m.status, m.contact_id, m.template_kind)
    with engine.begin() as conn:
        row = conn.execute(
            select(*columns).where(m.provider_message_id == sid, m.direction == "out").limit(1)
        ).first()
        if row is None and message_id is not None and new is not None:
            row = _claim_unknown(conn, message_id, sid)
        if row is None or new is None:
            return StatusChange(row.id if row else None, row.status if row else None)
        refused = new in (S.FAILED, S.UNDELIVERED) and RANK.get(row.status, 0) < RANK[S.DELIVERED]
        if refused and error_code == OUTSIDE_WINDOW and has_template(row.template_kind):
            reason = f"{TEMPLATE_REQUIRED}: twilio 63016 (outside the 24-hour window)"
            resend = {"status": S.PENDING, "next_attempt_at": None, "last_error": reason}
            conn.execute(update(MESSAGE).where(m.id == row.id).values(**resend))
            return StatusChange(row.id, S.PENDING, resend=True)
        if refused and error_code == UNSUBSCRIBED:
            conn.execute(
                update(CONTACT).where(CONTACT.c.id == row.contact_id).values(opted_out=True)
            )
        if RANK.get(new, 0) <= RANK.get(row.status, 0):
            return StatusChange(row.id, row.status)
        values: dict[str, object] = {"status": new}
        if error_code:
            values["last_error"] = _reason(error_code, row.template_kind, has_template)
        conn.execute(update(MESSAGE).where(m.id == row.id).values(**values))
        return StatusChange(row.id, new)


def _claim_unknown(conn: Connection, message_id: int, sid: str) -> Row[Any, Any, Any, Any] | None:
    """Our 'unknown' row `message_id`, now known to Twilio as `sid`; None if it is not one."""
    m = MESSAGE.c
    claimed = conn.execute(
        update(MESSAGE)
        .where(m.id == message_id, m.direction == "out", m.status == S.UNKNOWN)
        .where(m.provider_message_id.is_(None), m.channel == Channel.WHATSAPP)
        .values(provider_message_id=sid[:64])
        .returning(m.id, m.status, m.contact_id, m.template_kind)
    ).first()
    return claimed


def _reason(code: str, kind: str | None, has_template: Callable[[str | None], bool]) -> str:
    if code == OUTSIDE_WINDOW and not has_template(kind):
        return "twilio 63016: outside the 24-hour window and no approved template for it"
    return f"twilio {code}"
