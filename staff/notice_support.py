"""Helpers for the notice pages: the area picker, form parsing, previews and delivery progress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import func
from sqlmodel import Session, col, select

from core.services import get_services, get_settings
from db.models import Message, Notice, Push
from db.types import utcnow
from outage_notices import fanout, texts
from outage_notices.policy import CHANNEL_TEXT_LIMITS, NoticePolicy

SENT = {"sent", "delivered", "read"}
DELIVERED = {"delivered", "read"}
FAILED = {"failed", "undelivered"}
UNKNOWN = "unknown"
COUNTS = ("targeted", "sent", "delivered", "failed", "unknown")


def policy(request: Request) -> NoticePolicy:
    return NoticePolicy.from_settings(get_settings(request))


def parse_local(value: str | None, pol: NoticePolicy) -> datetime | None:
    """A `datetime-local` form value, read as WITA; None when empty; ValueError when garbled."""
    if not value or not value.strip():
        return None
    moment = datetime.fromisoformat(value.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=pol.tz)


def local_input(moment: datetime | None, pol: NoticePolicy) -> str:
    """A stored moment as a `datetime-local` value in WITA."""
    return moment.astimezone(pol.tz).strftime("%Y-%m-%dT%H:%M") if moment else ""


@dataclass(frozen=True)
class Preview:
    language: str
    text: str
    telegram_limit: int
    whatsapp_limit: int

    @property
    def length(self) -> int:
        return len(self.text)


def previews(session: Session, notice: Notice, pol: NoticePolicy) -> list[Preview]:
    """The publish message in both languages, as Telegram and WhatsApp subscribers will get it."""
    facts = fanout.facts_for(session, notice, "publish")
    return [
        Preview(
            language=lang,
            text=texts.render(facts, "publish", lang, pol.tz),
            telegram_limit=CHANNEL_TEXT_LIMITS["telegram"],
            whatsapp_limit=CHANNEL_TEXT_LIMITS["whatsapp"],
        )
        for lang in ("id", "en")
    ]


def progress(session: Session, notice_id: int) -> dict[str, Any]:
    """Delivery so far: targeted / sent / delivered / failed / unknown, overall and per event.

    'unknown' rows were caught mid-send by a crash (they may have reached the customer): they
    are counted apart, never hidden among the sent, and listed on the unknown-messages page.
    """
    query = (
        select(col(Message.notice_event), col(Message.status), func.count())
        .where(col(Message.notice_id) == notice_id, col(Message.direction) == "out")
        .group_by(col(Message.notice_event), col(Message.status))
    )
    events: dict[str, dict[str, int]] = {}
    for event, status, count in session.exec(query):
        row = events.setdefault(event or "-", dict.fromkeys(COUNTS, 0))
        row["targeted"] += count
        row["sent"] += count if status in SENT else 0
        row["delivered"] += count if status in DELIVERED else 0
        row["failed"] += count if status in FAILED else 0
        row["unknown"] += count if status == UNKNOWN else 0
    total = {key: sum(row[key] for row in events.values()) for key in COUNTS}
    done = total["sent"] + total["failed"] + total["unknown"]
    total["percent"] = round(100 * done / total["targeted"]) if total["targeted"] else 0
    pushes = session.exec(
        select(Push).where(col(Push.notice_id) == notice_id).order_by(col(Push.due_at))
    )
    waiting = [p.event for p in pushes if p.status == "pending" and p.due_at <= utcnow()]
    total["running"] = bool(waiting) or done < total["targeted"]
    return {"total": total, "events": events}


def wake_notices(request: Request) -> None:
    """Ask the notice dispatcher to run now (it also runs on its own interval)."""
    get_services(request).wake_notices()
