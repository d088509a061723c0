"""What subscribers read about a notice, per event: composed from the catalogue's `[notice]` words.

The words live in core/locales/*.toml and every time goes through core.timefmt, so a notice
reads like the rest of the service ('Kamis, 14 Mei 2026 pukul 08.00 WITA') in the zone of the
TIME_ZONE setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from core import timefmt
from core.texts import label, language_or_default, t

# event family -> WhatsApp Content template kind, for outside the 24-hour window
TEMPLATE_KINDS = {"reminder": "reminder", "restore": "restored", "restore_followup": "restored"}


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """Everything a message about one notice may mention, already looked up."""

    kind: str
    title: str
    area_names: tuple[str, ...]
    starts_at: datetime
    expected_end_at: datetime | None
    cause: str = ""
    advice: str = ""
    update_text: str = ""
    restored_at: datetime | None = None


def event_family(event: str) -> str:
    """'reminder_24h' → 'reminder', 'extend_2' → 'extend'."""
    return event.split("_", 1)[0]


def reminder_lead(event: str, language: str) -> str:
    """'reminder_24h' → '1 hari', 'reminder_3h' → '3 jam'."""
    hours = int(event.removeprefix("reminder_").removesuffix("h"))
    if hours % 24 == 0:
        return timefmt.amount(hours // 24, "day", language)
    return timefmt.amount(hours, "hour", language)


def _end(facts: NoticeFacts, language: str, tz: ZoneInfo) -> str:
    end = facts.expected_end_at
    return timefmt.moment(end, language, tz) if end else t(language, "notice.unknown")


def _called_off_early(facts: NoticeFacts, family: str) -> bool:
    """Restored before its start: the disruption is not needed after all ('tidak jadi')."""
    return (
        family == "restore"
        and facts.restored_at is not None
        and (facts.restored_at < facts.starts_at)
    )


def _details(facts: NoticeFacts, family: str, language: str, tz: ZoneInfo) -> list[str]:
    if _called_off_early(facts, family):
        start = timefmt.moment(facts.starts_at, language, tz)
        return [t(language, "notice_early.note", time=start)]
    if family == "restore":
        return [t(language, "notice.restored_note")]
    lines = [
        t(language, "notice.start", time=timefmt.moment(facts.starts_at, language, tz)),
        t(language, "notice.end", time=_end(facts, language, tz)),
    ]
    if facts.cause and family != "cancel":
        lines.append(t(language, "notice.cause", text=facts.cause))
    if facts.advice and family != "cancel":
        lines.append(t(language, "notice.advice", text=facts.advice))
    return lines


def render(facts: NoticeFacts, event: str, language: str, tz: ZoneInfo) -> str:
    """The message a subscriber gets for one event of a notice."""
    language = language_or_default(language)
    family = event_family(event)
    when = reminder_lead(event, language) if family == "reminder" else ""
    early = _called_off_early(facts, family)
    key = "notice_early.headline" if early else f"notice.headline_{family}"
    headline = t(
        language,
        key,
        kind=label(language, "notice_kind", facts.kind),
        title=facts.title,
        when=when,
    )
    lines = [headline, "", t(language, "notice.areas", areas=", ".join(facts.area_names))]
    lines += _details(facts, family, language, tz)
    if facts.update_text and family in {"extend", "restore", "cancel", "start"}:
        lines.append(t(language, "notice.update", text=facts.update_text))
    lines += ["", t(language, "notice.stop")]
    return "\n".join(lines)


def template_for(
    facts: NoticeFacts, event: str, language: str, tz: ZoneInfo
) -> tuple[str, dict[str, str]]:
    """The WhatsApp Content template kind and its variables, for outside the 24-hour window."""
    language = language_or_default(language)
    family = event_family(event)
    kind = TEMPLATE_KINDS.get(family, "notice")
    first = f"{facts.title} ({', '.join(facts.area_names)})"
    if family == "restore":
        second = timefmt.moment(facts.restored_at or facts.starts_at, language, tz)
    else:
        start = timefmt.moment(facts.starts_at, language, tz)
        second = f"{start} – {_end(facts, language, tz)}"
    return kind, {"1": first[:300], "2": second}


def render_followup(facts: NoticeFacts, tickets: list[str], language: str, tz: ZoneInfo) -> str:
    """The question a linked complainant gets once the disruption is over."""
    restored = facts.restored_at or facts.starts_at
    return t(
        language,
        "notice.followup",
        tickets=", ".join(tickets),
        areas=", ".join(facts.area_names),
        time=timefmt.moment(restored, language, tz),
    )
