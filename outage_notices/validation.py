"""Checks on notice input; every refusal names the field it is about."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from areas.coverage import area_labels, notice_area_codes, resolve_area_refs
from db.models import Notice
from outage_notices import texts
from outage_notices.policy import CHANNEL_TEXT_LIMITS, NoticePolicy, parse_reminder_hours

if TYPE_CHECKING:
    from outage_notices.service import NoticeInput

KINDS = ("planned", "unplanned", "low_pressure", "bulk_reduction")
TEXT_FIELDS = ("title", "cause", "advice")
LIMIT = min(CHANNEL_TEXT_LIMITS.values())
LIMIT_NAME = "WhatsApp"  # the strictest channel: a Twilio WhatsApp body


class NoticeInvalid(ValueError):
    """Refused input: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{name}: {message}" for name, message in self.errors.items()))


def as_aware(value: datetime | None, policy: NoticePolicy) -> datetime | None:
    """Staff think in WITA: a time without a zone is taken as local time."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=policy.tz)


def _check_values(session: Session, values: dict[str, Any], policy: NoticePolicy) -> None:
    errors: dict[str, str] = {}
    if values["kind"] not in KINDS:
        errors["kind"] = f"must be one of {', '.join(KINDS)}"
    if not values["title"].strip():
        errors["title"] = "must not be empty"
    elif len(values["title"]) > 160:
        errors["title"] = f"is {len(values['title'])} characters; at most 160"
    codes, problems = resolve_area_refs(session, values["areas"])
    if problems:
        errors["areas"] = "; ".join(problems)
    elif not codes:
        errors["areas"] = "name at least one kecamatan or desa"
    values["areas"] = codes
    start, end = values["starts_at"], values["expected_end_at"]
    if start is None:
        errors["starts_at"] = "is required"
    elif end is not None and end <= start:
        errors["expected_end_at"] = "must be after starts_at"
    try:
        parse_reminder_hours(values["reminder_hours"])
    except ValueError as error:
        errors["reminder_hours"] = f"'{values['reminder_hours']}' is not valid: {error}"
    if not errors:
        _check_length(session, values, policy, errors)
    if errors:
        raise NoticeInvalid(errors)


def _check_length(session, values: dict[str, Any], policy: NoticePolicy, errors: dict) -> None:
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
    if length > LIMIT:
        longest = max(TEXT_FIELDS, key=lambda name: len(values[name]))
        errors[longest] = (
            f"the message would be {length} characters, over the {LIMIT}-character limit "
            f"of {LIMIT_NAME} (Telegram allows 4096); shorten title, cause or advice"
        )


def check_new(*, session: Session, data: NoticeInput, policy: NoticePolicy) -> dict[str, Any]:
    """Clean values for a new notice, or NoticeInvalid naming every bad field."""
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
    unknown = set(changes) - {"kind", "title", "cause", "advice", "starts_at", "expected_end_at"}
    unknown -= {"urgent", "reminder_hours", "areas"}
    if unknown:
        raise NoticeInvalid({name: "can't be changed here" for name in sorted(unknown)})
    current = {
        "kind": notice.kind,
        "title": notice.title,
        "areas": notice_area_codes(session, notice.id),
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
        raise NoticeInvalid({"starts_at": "is required"})
    if notice.status == "ongoing" and values["starts_at"] != current["starts_at"]:
        raise NoticeInvalid({"starts_at": "the disruption is under way; its start can't move"})
    _check_values(session, values, policy)
    return {name: values[name] for name in changes if values[name] != current[name]}


def check_extension(*, notice: Notice, new_end: datetime | None, now: datetime, text: str):
    """A later expected end than before, after the start and after now."""
    check_update_text(text)
    if new_end is None:
        raise NoticeInvalid({"expected_end_at": "is required for an extension"})
    if new_end.tzinfo is None:
        raise NoticeInvalid({"expected_end_at": "needs a time zone (or WITA)"})
    if new_end <= notice.starts_at:
        raise NoticeInvalid({"expected_end_at": "must be after starts_at"})
    if new_end <= now:
        raise NoticeInvalid({"expected_end_at": "must be in the future"})
    if notice.expected_end_at is not None and new_end <= notice.expected_end_at:
        raise NoticeInvalid(
            {"expected_end_at": "must be later than the current expected end; use update"}
        )
    return new_end


def check_update_text(text: str) -> None:
    """An update's own text goes into one message next to the notice; keep it short."""
    if len(text or "") > 600:
        raise NoticeInvalid({"text": f"is {len(text)} characters; at most 600"})


def check_message_fits(
    *, session: Session, notice: Notice, event: str, text: str, policy: NoticePolicy
) -> None:
    """The message this update sends, in either language, must fit the strictest channel."""
    check_update_text(text)
    facts = texts.NoticeFacts(
        kind=notice.kind,
        title=notice.title,
        area_names=area_labels(session, notice_area_codes(session, notice.id)),
        starts_at=notice.starts_at,
        expected_end_at=notice.expected_end_at,
        cause=notice.cause,
        advice=notice.advice,
        update_text=text,
    )
    length = max(len(texts.render(facts, event, lang, policy.tz)) for lang in ("id", "en"))
    if length > LIMIT:
        raise NoticeInvalid(
            {
                "text": f"the message would be {length} characters, over the {LIMIT}-character "
                f"limit of {LIMIT_NAME}; shorten it"
            }
        )
