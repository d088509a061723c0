"""The one message shape every channel speaks: adapters translate to and from these."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.text_input import clean_optional, clean_text
from db.vocab import Channel


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float


def location_of(latitude: object, longitude: object) -> Location | None:
    """A place on Earth from a provider's two values, or None: a number that is not one
    (NaN, infinity, 1e400, a word) would not even store (PostgreSQL's JSON has no NaN)."""
    try:
        place = Location(float(latitude), float(longitude))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not (abs(place.latitude) <= 90 and abs(place.longitude) <= 180):  # NaN fails too
        return None
    return place


@dataclass(frozen=True, slots=True)
class Media:
    """A file the customer sent, as the provider names it: never the bytes.

    `kind` is photo, voice, audio, video or document; `ref` the provider's reference (a
    Telegram file_id, a Twilio media URL); `content_type` and `size` what the provider
    declared, when it did (channels.media checks them before anything is downloaded).
    """

    kind: str
    ref: str
    content_type: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """A customer's message, whatever channel it came from.

    `raw_id` is the provider's id for the message (Telegram update_id, Twilio MessageSid)
    so a redelivered webhook can be recognised; `media` holds what the provider said of the
    files sent (`Media`: kind, reference, declared type and size), never the bytes.
    """

    channel: Channel
    sender_id: str
    text: str = ""
    media: tuple[Media, ...] = ()
    location: Location | None = None
    raw_id: str | None = None
    display_name: str | None = None
    phone: str | None = None


def cleaned(inbound: Inbound) -> Inbound:
    """The message with every text storable (no NUL, control characters or lone surrogates):
    adapters hand only cleaned messages on (see core.text_input)."""
    texts = (inbound.sender_id, inbound.text, inbound.raw_id, inbound.display_name, inbound.phone)
    if not inbound.media and all(text is None or clean_text(text) is text for text in texts):
        return inbound  # nothing to clean (the usual case): no copy
    return replace(
        inbound,
        sender_id=clean_text(inbound.sender_id),
        text=clean_text(inbound.text),
        media=tuple(
            replace(
                item,
                ref=clean_text(item.ref),
                content_type=clean_optional(item.content_type),
            )
            for item in inbound.media
        ),
        raw_id=clean_optional(inbound.raw_id),
        display_name=clean_optional(inbound.display_name),
        phone=clean_optional(inbound.phone),
    )


def inbound_to_payload(inbound: Inbound) -> dict:
    """What is stored to take a message up later (after the webhook was acknowledged)."""
    location = inbound.location
    return {
        "channel": inbound.channel,
        "sender_id": inbound.sender_id,
        "text": inbound.text,
        "media": [
            {"kind": m.kind, "ref": m.ref, "content_type": m.content_type, "size": m.size}
            for m in inbound.media
        ],
        "location": [location.latitude, location.longitude] if location else None,
        "raw_id": inbound.raw_id,
        "display_name": inbound.display_name,
        "phone": inbound.phone,
    }


def inbound_from_payload(payload: dict) -> Inbound:
    location = payload.get("location")
    return Inbound(
        channel=Channel(payload["channel"]),
        sender_id=payload["sender_id"],
        text=payload.get("text") or "",
        media=tuple(_media_of(item) for item in payload.get("media") or ()),
        location=Location(*location) if location else None,
        raw_id=payload.get("raw_id"),
        display_name=payload.get("display_name"),
        phone=payload.get("phone"),
    )


def _media_of(item: object) -> Media:
    """A stored media entry; a bare reference is a photo (messages stored before kinds)."""
    if isinstance(item, dict):
        size = item.get("size")
        return Media(
            kind=str(item.get("kind") or "photo"),
            ref=str(item.get("ref") or ""),
            content_type=item.get("content_type") or None,
            size=size if isinstance(size, int) else None,
        )
    return Media(kind="photo", ref=str(item))


@dataclass(frozen=True, slots=True)
class Choice:
    """A button on channels that have them, a numbered line on those that do not."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Outbound:
    """A reply; `notice_id` and `notice_event` when it tells a notice (counted as told)."""

    text: str
    choices: tuple[Choice, ...] = field(default=())
    notice_id: int | None = None
    notice_event: str | None = None


def render_numbered(message: Outbound) -> str:
    """Text-only channels show choices as a numbered list that the engine accepts back."""
    if not message.choices:
        return message.text
    lines = [message.text, ""]
    lines += [f"{n}. {choice.label}" for n, choice in enumerate(message.choices, start=1)]
    return "\n".join(lines)
