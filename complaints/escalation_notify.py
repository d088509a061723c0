"""Telegram messages to staff about an escalated complaint, written to the outbox.

A staff member who linked a Telegram chat (`staff.telegram_chat_id`) gets one message per
escalation, in their language: ticket, category, area, which target, its due time in the
utility's zone and, when PUBLIC_BASE_URL is set, a link to the complaint's console page. The
chat is reached like any Telegram chat: through a `contact` row keyed by (channel, chat id),
made here when it does not exist yet, and the channels' sender delivers the row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from core import timefmt
from core.errors import DomainError
from core.settings import Settings
from core.texts import label, language_or_default, t
from db.models import Complaint, Contact, Escalation, Message, ServiceArea, Staff
from db.vocab import Channel, MessageStatus

CONTACT = Contact.__table__


def staff_text(
    *, escalation: Escalation, complaint: Complaint, area: str, language: str, settings: Settings
) -> str:
    """The message a staff member reads about one escalation, in their language."""
    lang = language_or_default(language)
    text = t(
        lang,
        f"escalation.telegram_{escalation.kind}",
        ticket=complaint.ticket_number or f"#{complaint.id}",
        category=label(lang, "complaint_category", complaint.category),
        area=area or "-",
        target=label(lang, "escalation_target", escalation.target),
        due=timefmt.moment(escalation.due_at, lang, settings.tz),
        percent=settings.escalate_at_percent,
    )
    base = (settings.public_base_url or "").rstrip("/")
    if base:
        url = f"{base}/staff/complaints/{complaint.id}"
        text += "\n" + t(lang, "escalation.telegram_link", url=url)
    return text


def chat_contact(*, session: Session, chat_id: str, language: str) -> int:
    """The contact id of a Telegram chat, made when the chat is new (two passes agree)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.connection().execute(
        insert(CONTACT)
        .values(channel=str(Channel.TELEGRAM), channel_user_id=chat_id, language=language)
        .on_conflict_do_nothing(index_elements=["channel", "channel_user_id"])
    )
    found = session.connection().execute(
        select(CONTACT.c.id).where(
            CONTACT.c.channel == str(Channel.TELEGRAM), CONTACT.c.channel_user_id == chat_id
        )
    )
    return int(found.scalar_one())


def queue_telegram(
    *,
    session: Session,
    escalation: Escalation,
    people: Sequence[Staff],
    settings: Settings,
    now: datetime,
) -> int:
    """Queue one Telegram message per person with a linked chat; returns how many."""
    linked = [person for person in people if (person.telegram_chat_id or "").strip()]
    if not linked:
        return 0
    complaint = session.get_one(Complaint, escalation.complaint_id)
    area = session.get(ServiceArea, complaint.area_code) if complaint.area_code else None
    for person in linked:
        chat_id = (person.telegram_chat_id or "").strip()
        text = staff_text(
            escalation=escalation,
            complaint=complaint,
            area=area.name if area else "",
            language=person.language,
            settings=settings,
        )
        contact_id = chat_contact(session=session, chat_id=chat_id, language=person.language)
        session.add(
            Message(
                contact_id=contact_id,
                direction="out",
                channel=Channel.TELEGRAM,
                text=text,
                status=MessageStatus.PENDING,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return len(linked)


def link_telegram(*, session: Session, staff: Staff, chat_id: str) -> str | None:
    """Set where a staff member's escalations go on Telegram ('' unlinks); returns the id kept."""
    chat_id = chat_id.strip()
    if not chat_id:
        staff.telegram_chat_id = None
    elif len(chat_id) > 32 or not chat_id.removeprefix("-").isdigit() or not chat_id.isascii():
        shown = chat_id[:40].encode("ascii", "backslashreplace").decode()
        raise DomainError.of("telegram_chat_id", "invalid_value", value=shown)
    else:
        staff.telegram_chat_id = chat_id
    session.add(staff)
    session.flush()
    return staff.telegram_chat_id
