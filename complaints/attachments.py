"""What customers send besides text, on their complaints: files and shared locations.

A conversation turn records a file as `pending` (the downloader in channels/media_fetch.py
fetches it later) and a location at once; a file refused at once (declared too big or of a
type not taken) is recorded too (`refused`), so staff see what the customer tried to send.
Something sent while a complaint is being filed is held on the contact and tied to the
complaint when it is filed (or added to an open one).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from babel.numbers import format_decimal
from sqlalchemy import bindparam, update
from sqlmodel import Session, col, select

from channels.media import MEGABYTE, read_refusal, refusal_note
from channels.messages import Location, Media
from core.texts import language_or_default, t
from db.models import Attachment

ATTACHMENT = Attachment.__table__
MAX_REF = 512


def record_file(
    *, session: Session, contact_id: int, complaint_id: int | None, media: Media, now: datetime
) -> Attachment:
    """A file the customer sent, to be downloaded; tied to a complaint when there is one."""
    attachment = _file_row(contact_id, complaint_id, media, now, status="pending")
    attachment.provider_ref = media.ref[:MAX_REF]
    return _saved(session, attachment)


def record_refused(
    *,
    session: Session,
    contact_id: int,
    complaint_id: int | None,
    media: Media,
    reason: str,
    limit_bytes: int,
    now: datetime,
) -> Attachment:
    """A file refused from what the provider declared: kept (no download) so staff see it."""
    attachment = _file_row(contact_id, complaint_id, media, now, status="refused")
    attachment.error = refusal_note(reason, limit_bytes=limit_bytes)[:200]
    return _saved(session, attachment)


def _file_row(
    contact_id: int, complaint_id: int | None, media: Media, now: datetime, *, status: str
) -> Attachment:
    return Attachment(
        contact_id=contact_id,
        complaint_id=complaint_id,
        kind=media.kind,
        content_type=(media.content_type or None) and media.content_type[:80],
        size_bytes=media.size,
        status=status,
        created_at=now,
    )


def _saved(session: Session, attachment: Attachment) -> Attachment:
    session.add(attachment)
    session.flush()
    return attachment


def record_location(
    *, session: Session, contact_id: int, complaint_id: int | None, place: Location, now: datetime
) -> Attachment:
    """A shared location: its coordinates, for field crews; no file."""
    attachment = Attachment(
        contact_id=contact_id,
        complaint_id=complaint_id,
        kind="location",
        latitude=place.latitude,
        longitude=place.longitude,
        status="located",
        created_at=now,
    )
    return _saved(session, attachment)


# Every complaint filed runs this: built once, with bound parameters.
TIE_HELD = (
    update(ATTACHMENT)
    .where(ATTACHMENT.c.contact_id == bindparam("held_contact"))
    .where(ATTACHMENT.c.complaint_id.is_(None))
    .where(ATTACHMENT.c.created_at >= bindparam("held_since"))
    .values(complaint_id=bindparam("held_complaint"))
)


def tie_held(*, session: Session, contact_id: int, complaint_id: int, since: datetime) -> int:
    """Tie what the contact sent since `since` and is not on a complaint yet; returns how many."""
    params = {"held_contact": contact_id, "held_complaint": complaint_id, "held_since": since}
    result = session.connection().execute(TIE_HELD, params)
    return int(result.rowcount or 0)


def held_since(now: datetime, *, minutes: int) -> datetime:
    """The start of the conversation window in which held attachments still belong."""
    return now - timedelta(minutes=minutes)


def for_complaint(*, session: Session, complaint_id: int) -> list[Attachment]:
    """A complaint's files and locations, oldest first."""
    statement = (
        select(Attachment)
        .where(col(Attachment.complaint_id) == complaint_id)
        .order_by(col(Attachment.id))
    )
    return list(session.exec(statement))


def refusal_words(*, attachment: Attachment, language: str) -> str:
    """Why a file was refused, for staff: 'Berkas ditolak: terlalu besar (12,4 MB; batas 10 MB)'."""
    refusal = read_refusal(attachment.error)
    if refusal.reason == "too_big" and refusal.limit_bytes:
        limit = megabytes(refusal.limit_bytes, language)
        if attachment.size_bytes:
            size = megabytes(attachment.size_bytes, language)
            return t(language, "media_console.refused_too_big", size=size, limit=limit)
        return t(language, "media_console.refused_too_big_unsized", limit=limit)
    if refusal.reason == "wrong_type":
        shown = attachment.content_type or t(language, "media_console.type_unknown")
        return t(language, "media_console.refused_wrong_type", type=shown)
    return t(language, "media_console.refused")


def megabytes(size: int, language: str) -> str:
    """'12,4 MB' (Indonesian), '12.4 MB' (English); whole numbers without a decimal."""
    number = format_decimal(size / MEGABYTE, "#,##0.#", locale=language_or_default(language))
    return f"{number} MB"
