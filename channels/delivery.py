"""The contract between the outbox sender and each channel's delivery code.

The sender hands a channel one `OutItem` (an outbound row plus what it needs to know about
the contact); the channel sends it and answers with a `Result` that says what happened in
provider-neutral terms. The sender alone decides retries, give-ups and database writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from channels.messages import Choice
from channels.ratelimit import RateLimiter

# A row whose last error starts with this must go out as a Content template (Twilio 63016:
# the customer is outside WhatsApp's 24-hour window). Set by the status webhook.
TEMPLATE_REQUIRED = "template_required"


class Outcome(StrEnum):
    SENT = "sent"  # the provider accepted it
    RETRY = "retry"  # transient: try again later; nothing reached the customer
    FAILED = "failed"  # permanent: do not try again
    UNKNOWN = "unknown"  # the request may have reached the provider: never resend blindly


@dataclass(frozen=True, slots=True)
class OutItem:
    """One claimed outbound message, with the contact fields delivery depends on."""

    id: int
    contact_id: int
    channel: str
    address: str  # Telegram chat id, or WhatsApp 'whatsapp:+62...'
    text: str
    choices: tuple[Choice, ...] = ()
    media: tuple[str, ...] = ()
    attempts: int = 0
    last_error: str | None = None
    template_kind: str | None = None
    template_variables: dict[str, Any] | None = None
    last_inbound_at: datetime | None = None

    @property
    def template_required(self) -> bool:
        return bool(self.last_error and self.last_error.startswith(TEMPLATE_REQUIRED))


@dataclass(frozen=True, slots=True)
class Result:
    """What happened to one send, and what the channel learnt about the contact."""

    outcome: Outcome
    provider_id: str | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds the provider asked us to wait
    counted: bool = True  # rate-limit answers are not the message's fault: not an attempt
    pause_channel: float | None = None  # stop the whole channel this long (account limit)
    pause_chat: float | None = None  # stop this chat this long (per-chat flood control)
    contact_inactive: bool = False  # the channel says we can no longer reach them
    contact_opted_out: bool = False  # the customer blocked us at the provider (Twilio 21610)
    extra: dict[str, Any] = field(default_factory=dict)


def sent(provider_id: str | None) -> Result:
    return Result(Outcome.SENT, provider_id=provider_id)


def retry(error: str, **kwargs: Any) -> Result:
    return Result(Outcome.RETRY, error=error, **kwargs)


def failed(error: str, **kwargs: Any) -> Result:
    return Result(Outcome.FAILED, error=error, **kwargs)


def unknown(error: str) -> Result:
    return Result(Outcome.UNKNOWN, error=error)


class Channel(Protocol):
    """What the sender needs from a channel: its name, its limits and a way to send."""

    limiter: RateLimiter

    @property
    def name(self) -> str: ...

    async def deliver(self, item: OutItem) -> Result: ...


def clip(text: str, limit: int) -> str:
    """Providers refuse over-long texts; cut with an ellipsis rather than fail the row."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
