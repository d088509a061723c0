"""The downloader's database work: which attachments are due, and what became of each.

A refused or lost file is told to the customer through the outbox (a pending row the sender
delivers), in their language, so nobody thinks a photo reached staff when it did not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, insert, or_, select, update

from channels.media import MEGABYTE, refusal_note
from core.texts import t
from db.models import Attachment, Contact, Message
from db.vocab import MessageStatus

ATTACHMENT = Attachment.__table__
CONTACT = Contact.__table__
MAX_ATTEMPTS = 4  # transient failures (timeouts, 5xx) before a file is given up


@dataclass(frozen=True, slots=True)
class Due:
    """A pending file and who sent it, through which channel."""

    id: int
    contact_id: int
    channel: str
    kind: str
    ref: str
    declared_type: str | None
    attempts: int
    language: str
    complaint_id: int | None


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a file is not taken, and what is known of it (a stream stopped early has no size)."""

    reason: str  # too_big | wrong_type
    size: int | None = None
    content_type: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """A file now in the store."""

    path: str
    content_type: str
    size: int


def due(engine: Engine, *, now: datetime, limit: int = 8) -> list[Due]:
    """Pending attachments whose time has come, oldest first."""
    a, c = ATTACHMENT.c, CONTACT.c
    query = (
        select(
            a.id,
            a.contact_id,
            c.channel,
            a.kind,
            a.provider_ref.label("ref"),
            a.content_type.label("declared_type"),
            a.attempts,
            c.language,
            a.complaint_id,
        )
        .join(CONTACT, c.id == a.contact_id)
        .where(a.status == "pending")
        .where(or_(a.next_attempt_at.is_(None), a.next_attempt_at <= now))
        .order_by(a.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [Due(**row._asdict()) for row in connection.execute(query)]


def stored(engine: Engine, *, item: Due, fetched: Fetched) -> None:
    """The file is in the store: its place, type and size."""
    values = {
        "status": "stored",
        "path": fetched.path,
        "content_type": fetched.content_type,
        "size_bytes": fetched.size,
        "error": None,
    }
    with engine.begin() as connection:
        connection.execute(update(ATTACHMENT).where(ATTACHMENT.c.id == item.id).values(values))


def refused(
    engine: Engine, *, item: Due, refusal: Refused, now: datetime, limit_bytes: int
) -> None:
    """Too big or of a type not taken: marked with why (staff see it), and the customer told."""
    values: dict[str, object] = {
        "status": "refused",
        "error": refusal_note(refusal.reason, limit_bytes=limit_bytes)[:200],
    }
    if refusal.size is not None:
        values["size_bytes"] = refusal.size
    if refusal.content_type:
        values["content_type"] = refusal.content_type[:80]
    with engine.begin() as connection:
        connection.execute(update(ATTACHMENT).where(ATTACHMENT.c.id == item.id).values(values))
        limit_mb = max(1, limit_bytes // MEGABYTE)
        text = t(item.language, f"media.refused_{refusal.reason}", limit=limit_mb)
        _tell(connection, item, text, now)


def retry_later(engine: Engine, *, item: Due, error: str, now: datetime) -> bool:
    """A transient failure: tried again later, or given up (and told) after MAX_ATTEMPTS.
    Returns True when it will be tried again."""
    attempts = item.attempts + 1
    again = attempts < MAX_ATTEMPTS
    values: dict[str, object] = {"attempts": attempts, "error": error[:200]}
    if again:
        values["next_attempt_at"] = now + timedelta(seconds=2**attempts)
    else:
        values["status"] = "failed"
    with engine.begin() as connection:
        connection.execute(update(ATTACHMENT).where(ATTACHMENT.c.id == item.id).values(values))
        if not again:
            _tell(connection, item, t(item.language, "media.lost"), now)
    return again


def failed(engine: Engine, *, item: Due, error: str, now: datetime) -> None:
    """The provider will never give this file (404, a bad reference): marked and told."""
    with engine.begin() as connection:
        connection.execute(
            update(ATTACHMENT)
            .where(ATTACHMENT.c.id == item.id)
            .values(status="failed", error=error[:200])
        )
        _tell(connection, item, t(item.language, "media.lost"), now)


def _tell(connection: Connection, item: Due, text: str, now: datetime) -> None:
    connection.execute(
        insert(Message.__table__).values(
            contact_id=item.contact_id,
            direction="out",
            channel=item.channel,
            text=text,
            status=MessageStatus.PENDING,
            attempts=0,
            next_attempt_at=now,
            complaint_id=item.complaint_id,
            created_at=now,
        )
    )
