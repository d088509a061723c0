"""Helpers for the notice pages: the area picker, form parsing, previews and delivery progress."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from sqlalchemy import func
from sqlmodel import Session, col, select

from core import timefmt
from core.services import get_services, get_settings
from core.texts import label, t
from db.models import Message, Notice, Push
from db.types import utcnow
from db.vocab import Channel, PushStatus
from outage_notices import fanout, texts
from outage_notices.policy import CHANNEL_TEXT_LIMITS, NoticePolicy
from staff.web import push_event

SENT = {"sent", "delivered", "read"}
DELIVERED = {"delivered", "read"}
FAILED = {"failed", "undelivered"}
UNKNOWN = "unknown"
COUNTS = ("targeted", "sent", "delivered", "read", "failed", "unknown")
RECEIPT_CHANNELS = {Channel.WHATSAPP}  # Twilio reports delivered/read; Telegram reports nothing


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


def progress(session: Session, notice_id: int, lang: str) -> dict[str, Any]:
    """Delivery so far: targeted / sent / delivered / read / failed / unknown, overall and per
    event and channel (rows carry their words, so the page's script can redraw them).

    'unknown' rows were caught mid-send by a crash (they may have reached the customer): they
    are counted apart, never hidden among the sent, and listed on the unknown-messages page.
    Telegram sends no delivery receipts: its rows say so (`receipts` false) instead of 0.
    """
    query = (
        select(col(Message.notice_event), col(Message.channel), col(Message.status), func.count())
        .where(col(Message.notice_id) == notice_id, col(Message.direction) == "out")
        .group_by(col(Message.notice_event), col(Message.channel), col(Message.status))
    )
    rows: dict[tuple[str, str], dict[str, int]] = {}
    for event, channel, status, count in session.exec(query):
        row = rows.setdefault((event or "-", channel), dict.fromkeys(COUNTS, 0))
        row["targeted"] += count
        row["sent"] += count if status in SENT else 0
        row["delivered"] += count if status in DELIVERED else 0
        row["read"] += count if status == "read" else 0
        row["failed"] += count if status in FAILED else 0
        row["unknown"] += count if status == UNKNOWN else 0
    total: dict[str, Any] = {key: sum(row[key] for row in rows.values()) for key in COUNTS}
    done = total["sent"] + total["failed"] + total["unknown"]
    total["percent"] = round(100 * done / total["targeted"]) if total["targeted"] else 0
    pushes = list(
        session.exec(
            select(Push).where(col(Push.notice_id) == notice_id).order_by(col(Push.due_at))
        )
    )
    order = {p.event: n for n, p in enumerate(pushes)}
    now = utcnow()
    waiting = any(p.status == PushStatus.PENDING and p.due_at <= now for p in pushes)
    total["running"] = waiting or done < total["targeted"]
    events = [
        counts
        | {
            "event": event,
            "label": push_event(lang, event),
            "channel": channel,
            "channel_label": label(lang, "channel", channel),
            "receipts": channel in RECEIPT_CHANNELS,
        }
        for (event, channel), counts in sorted(
            rows.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0])
        )
    ]
    return {"total": total, "events": events}


def wake_notices(request: Request) -> None:
    """Ask the notice dispatcher to run now (it also runs on its own interval)."""
    get_services(request).wake_notices()


def _latest_push(session: Session, notice_id: int, family: str) -> Push | None:
    """The push an action just planned: 'publish', 'restore', 'cancel' or the newest 'extend_N'."""
    statement = select(Push).where(col(Push.notice_id) == notice_id)
    if family == "extend":
        statement = statement.where(col(Push.event).startswith("extend_"))
    else:
        statement = statement.where(col(Push.event) == family)
    return session.exec(statement.order_by(col(Push.id).desc())).first()


def announcement(
    *, session: Session, notice_id: int, family: str, pol: NoticePolicy, now: datetime
) -> dict[str, str]:
    """What an action's push will reach, counted at the moment of the action, as the query of
    the page the console returns to (the notice page turns it into words: `told_words`)."""
    push = _latest_push(session, notice_id, family)
    if push is None or push.status == PushStatus.DROPPED:
        return {"ok": "none_told" if family in {"restore", "cancel"} else "saved"}
    counts = fanout.audience(session=session, notice_id=notice_id)
    if not sum(counts.values()):
        return {"ok": "nobody"}
    query = {"ok": "told"} | {f"n_{channel}": str(n) for channel, n in counts.items() if n}
    if push.status == PushStatus.PENDING and not push.urgent and pol.in_quiet_hours(now):
        query["held"] = "1"
    return query


def told_words(lang: str, query: Mapping[str, str], pol: NoticePolicy) -> str | None:
    """The flash after a notice action: 'Dikirim ke 6 pelanggan: 4 Telegram, 2 WhatsApp'."""
    ok = query.get("ok")
    if ok in {"saved", "queued"}:
        return t(lang, f"staff.{ok}")
    if ok in {"nobody", "none_told"}:
        return t(lang, f"notice_console.{ok}")
    if ok != "told":
        return None
    counts = {c: int(query.get(f"n_{c}", "")) for c in Channel if query.get(f"n_{c}", "").isdigit()}
    channels = ", ".join(f"{n} {label(lang, 'channel', c)}" for c, n in counts.items() if n)
    words = {"n": sum(counts.values()), "channels": channels}
    if query.get("held") == "1":
        at = timefmt.clock(pol.quiet_hours_end, lang)
        return t(lang, "notice_console.held", time=at, zone=timefmt.zone_name(pol.tz), **words)
    return t(lang, "notice_console.told", **words)
