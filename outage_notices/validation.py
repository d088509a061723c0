"""Checks on notice input; every refusal is a `DomainError` naming the field it is about."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from areas.coverage import area_labels, notice_area_codes, resolve_area_refs
from core.errors import DomainError, Problem
from db.models import Notice
from db.rows import saved_id
from db.vocab import NoticeKind, NoticeStatus
from outage_notices import texts
from outage_notices.policy import CHANNEL_TEXT_LIMITS, NoticePolicy, parse_reminder_hours

if TYPE_CHECKING:
    from outage_notices.service import NoticeInput

KINDS = tuple(NoticeKind)
TEXT_FIELDS = ("title", "cause", "advice")
LIMIT = min(CHANNEL_TEXT_LIMITS.values())
TITLE_LIMIT = 160
UPDATE_TEXT_LIMIT = 600
EDITABLE = {"kind", "title", "cause", "advice", "starts_at", "expected_end_at"}
EDITABLE |= {"urgent", "reminder_hours", "areas"}
CLEARABLE = {"expected_end_at"}  # None: the end is not known yet


def as_aware(value: datetime | None, policy: NoticePolicy) -> datetime | None:
    """Staff think in WITA: a time without a zone is taken as local time."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=policy.tz)


def _check_values(session: Session, values: dict[str, Any], policy: NoticePolicy) -> None:
    problems: list[Problem] = []
    if values["kind"] not in KINDS:
        problems.append(Problem("kind", "unknown_choice"))
    if not values["title"].strip():
        problems.append(Problem("title", "empty"))
    elif len(values["title"]) > TITLE_LIMIT:
        length = {"length": len(values["title"]), "limit": TITLE_LIMIT}
        problems.append(Problem("title", "too_long", length))
    codes, area_problems = resolve_area_refs(session, values["areas"])
    problems += area_problems
    if not codes and not area_problems:
        problems.append(Problem("areas", "areas_none"))
    values["areas"] = codes
    start, end = values["starts_at"], values["expected_end_at"]
    if start is None:
        problems.append(Problem("starts_at", "required"))
    elif end is not None and end <= start:
        problems.append(Problem("expected_end_at", "end_after_start"))
    try:
        parse_reminder_hours(values["reminder_hours"])
    except ValueError:
        value = {"value": values["reminder_hours"], "most": 24 * 14}
        problems.append(Problem("reminder_hours", "reminder_hours", value))
    if not problems:
        problems += _check_length(session, values, policy)
    if problems:
        raise DomainError(*problems)


def _check_length(session: Session, values: dict[str, Any], policy: NoticePolicy) -> list[Problem]:
    """The longest message of the notice must fit the strictest channel (WhatsApp, 1600)."""
    facts = texts.NoticeFacts(
        kind=values["kind"],
        title=values["title"],
        area_names=area_labels(session, values["areas"]),
        starts_at=values["starts_at"],
        expected_end_at=values["expected_end_at"],
        cause=values["cause"],
        advice=values["advice"],
    )
    length = max(len(texts.render(facts, "reminder_24h", lang, policy.tz)) for lang in ("id", "en"))
    if length <= LIMIT:
        return []
    longest = max(TEXT_FIELDS, key=lambda name: len(values[name]))
    return [Problem(longest, "notice_too_long", {"length": length, "limit": LIMIT})]


def check_new(*, session: Session, data: NoticeInput, policy: NoticePolicy) -> dict[str, Any]:
    """Clean values for a new notice, or a DomainError naming every bad field."""
    values = {
        "kind": data.kind,
        "title": (data.title or "").strip(),
        "areas": list(data.areas or []),
        "starts_at": as_aware(data.starts_at, policy),
        "expected_end_at": as_aware(data.expected_end_at, policy),
        "cause": (data.cause or "").strip(),
        "advice": (data.advice or "").strip(),
        "urgent": bool(data.urgent),
        "reminder_hours": data.reminder_hours or policy.reminder_hours,
    }
    _check_values(session, values, policy)
    return values


def check_changes(
    *, session: Session, notice: Notice, changes: Mapping[str, Any], policy: NoticePolicy
) -> dict[str, Any]:
    """The notice's values after these changes, checked as a whole; only changed keys returned."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise DomainError(*(Problem(name, "not_changeable") for name in sorted(unknown)))
    emptied = sorted(n for n, v in changes.items() if v is None and n not in CLEARABLE)
    if emptied:  # an API null for a field a notice cannot be without
        raise DomainError(*(Problem(name, "required") for name in emptied))
    current = {
        "kind": notice.kind,
        "title": notice.title,
        "areas": notice_area_codes(session, saved_id(notice)),
        "starts_at": notice.starts_at,
        "expected_end_at": notice.expected_end_at,
        "cause": notice.cause,
        "advice": notice.advice,
        "urgent": notice.urgent,
        "reminder_hours": notice.reminder_hours,
    }
    values = dict(current)
    for name, value in changes.items():
        if name in {"starts_at", "expected_end_at"}:
            value = as_aware(value, policy)
        elif isinstance(value, str):
            value = value.strip()
        values[name] = value
    if values["starts_at"] is None:
        raise DomainError.of("starts_at", "required")
    if notice.status == NoticeStatus.ONGOING and values["starts_at"] != current["starts_at"]:
        raise DomainError.of("starts_at", "start_locked")
    _check_values(session, values, policy)
    return {name: values[name] for name in changes if values[name] != current[name]}


def check_extension(
    *, notice: Notice, new_end: datetime | None, now: datetime, text: str
) -> datetime:
    """A later expected end than before, after the start and after now."""
    check_update_text(text)
    if new_end is None:
        raise DomainError.of("expected_end_at", "new_end_required")
    if new_end.tzinfo is None:
        raise DomainError.of("expected_end_at", "needs_zone")
    if new_end <= notice.starts_at:
        raise DomainError.of("expected_end_at", "end_after_start")
    if new_end <= now:
        raise DomainError.of("expected_end_at", "in_future")
    if notice.expected_end_at is not None and new_end <= notice.expected_end_at:
        raise DomainError.of("expected_end_at", "end_not_later")
    return new_end


def check_update_text(text: str) -> None:
    """An update's own text goes into one message next to the notice; keep it short."""
    if len(text or "") > UPDATE_TEXT_LIMIT:
        raise DomainError.of("text", "too_long", length=len(text), limit=UPDATE_TEXT_LIMIT)


def check_message_fits(
    *, session: Session, notice: Notice, event: str, text: str, policy: NoticePolicy
) -> None:
    """The message this update sends, in either language, must fit the strictest channel."""
    check_update_text(text)
    facts = texts.NoticeFacts(
        kind=notice.kind,
        title=notice.title,
        area_names=area_labels(session, notice_area_codes(session, saved_id(notice))),
        starts_at=notice.starts_at,
        expected_end_at=notice.expected_end_at,
        cause=notice.cause,
        advice=notice.advice,
        update_text=text,
    )
    length = max(len(texts.render(facts, event, lang, policy.tz)) for lang in ("id", "en"))
    if length > LIMIT:
        raise DomainError.of("text", "update_too_long", length=length, limit=LIMIT)
