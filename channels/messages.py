"""The one message shape every channel speaks: adapters translate to and from these."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class Inbound:
    """A customer's message, whatever channel it came from.

    `raw_id` is the provider's id for the message (Telegram update_id, Twilio MessageSid)
    so a redelivered webhook can be recognised; `media` holds provider references
    (a Telegram file_id, a Twilio media URL), never the bytes.
    """

    channel: str
    sender_id: str
    text: str = ""
    media: tuple[str, ...] = ()
    location: Location | None = None
    raw_id: str | None = None
    display_name: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Choice:
    """A button on channels that have them, a numbered line on those that do not."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Outbound:
    text: str
    choices: tuple[Choice, ...] = field(default=())


def render_numbered(message: Outbound) -> str:
    """Text-only channels show choices as a numbered list that the engine accepts back."""
    if not message.choices:
        return message.text
    lines = [message.text, ""]
    lines += [f"{n}. {choice.label}" for n, choice in enumerate(message.choices, start=1)]
    return "\n".join(lines)
