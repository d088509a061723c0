"""Messages in doubt: outbound rows a crash caught mid-send, for a person to decide.

Such a row is 'unknown' (`channels.outbox`): its request may or may not have reached the
provider, so it was not sent again by itself. Staff see these rows counted beside sent and
failed (a notice's delivery progress) and listed here (notice pushes and complaint replies
alike), and may resend them: the row goes back to 'pending' and the sender takes it up, so
the customer gets it once more — perhaps twice in all, which the console says before asking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlmodel import Session

from core.errors import DomainError
from core.http_limits import ROW_ID_MAX
from db.models import Complaint, Contact, Message
from db.vocab import MessageStatus

MESSAGE, CONTACT, COMPLAINT = Message.__table__, Contact.__table__, Complaint.__table__
m = MESSAGE.c
PREVIEW = 120  # characters of the message shown to staff
RESENT_BY_STAFF = "resent by staff after a crash left it unknown; the customer may get it twice"
IN_DOUBT = (m.status == MessageStatus.UNKNOWN) & (m.direction == "out")
LIST = (
    select(m.id, m.channel, CONTACT.c.channel_user_id, m.contact_id, m.text, m.notice_id,
           m.notice_event, m.complaint_id, COMPLAINT.c.ticket_number, m.created_at,
           m.last_error)
    .join_from(MESSAGE, CONTACT, m.contact_id == CONTACT.c.id)
    .outerjoin(COMPLAINT, m.complaint_id == COMPLAINT.c.id)
    .where(IN_DOUBT)
    .order_by(m.id)
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class InDoubt:
    """One message that may or may not have reached its customer."""

    id: int
    channel: str
    address: str  # Telegram chat id, or 'whatsapp:+62…' (mask it before showing it)
    contact_id: int
    preview: str
    notice_id: int | None
    notice_event: str | None
    complaint_id: int | None
    ticket: str | None
    created_at: datetime
    reason: str | None


def in_doubt(session: Session, *, notice_id: int | None = None, limit: int = 500) -> list[InDoubt]:
    """Messages left 'unknown', oldest first (of one notice, or all)."""
    if notice_id is not None and not 0 < notice_id <= ROW_ID_MAX:
        return []
    query = LIST if notice_id is None else LIST.where(m.notice_id == notice_id)
    rows = session.execute(query.limit(limit)).all()
    return [
        InDoubt(
            id=row.id,
            channel=row.channel,
            address=row.channel_user_id,
            contact_id=row.contact_id,
            preview=(row.text or "")[:PREVIEW],
            notice_id=row.notice_id,
            notice_event=row.notice_event,
            complaint_id=row.complaint_id,
            ticket=row.ticket_number,
            created_at=row.created_at,
            reason=row.last_error,
        )
        for row in rows
    ]


def count_in_doubt(session: Session) -> int:
    """How many messages are left 'unknown' in all."""
    return session.execute(select(func.count()).select_from(MESSAGE).where(IN_DOUBT)).scalar_one()


def resend(*, session: Session, ids: Sequence[int]) -> list[int]:
    """Put these 'unknown' messages back in the outbox; returns the ids that were unknown.

    Ids of rows that are not (or no longer) unknown are left alone, so resending twice, or
    after a status callback settled the row, sends nothing more; when none of them is
    unknown the request is refused (`nothing_to_resend`).
    """
    wanted = sorted({i for i in ids if 0 < i <= ROW_ID_MAX})  # others name no row
    statement = (
        update(MESSAGE)
        .where(IN_DOUBT, m.id.in_(wanted))
        .values(status=MessageStatus.PENDING, next_attempt_at=None, last_error=RESENT_BY_STAFF)
        .returning(m.id)
    )
    resent = sorted(session.execute(statement).scalars()) if wanted else []
    if not resent:
        raise DomainError.of("ids", "nothing_to_resend")
    session.flush()
    return resent
