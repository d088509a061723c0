"""WhatsApp through Twilio: incoming form posts → `Inbound`, and `OutItem` → Messages API.

Choices go out as a numbered list (`render_numbered`), which the engine accepts back as a
number. Outside WhatsApp's 24-hour customer-service window a message can only be an approved
Content template: rows that carry a `template_kind` are then sent with that kind's
`content_sid` and their `template_variables` as ContentVariables; others cannot be sent.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from channels.delivery import OutItem, Result, clip, failed, retry, sent, unknown
from channels.http import AiohttpTwilioClient, request_never_left, twilio_retry_after
from channels.messages import (
    Inbound,
    Location,
    Media,
    Outbound,
    cleaned,
    location_of,
    render_numbered,
)
from channels.ratelimit import RateLimiter
from db.types import utcnow
from db.vocab import Channel

log = logging.getLogger("kabar_air.whatsapp")

CHANNEL = Channel.WHATSAPP
WEBHOOK_PATH = "/webhooks/whatsapp"
STATUS_PATH = "/webhooks/whatsapp/status"
MESSAGE_PARAM = "message"  # the status callback URL's query names our message row
SIGNATURE_HEADER = "X-Twilio-Signature"
BODY_LIMIT = 1600  # Twilio refuses longer bodies (error 21617)
WINDOW = timedelta(hours=24)
OUTSIDE_WINDOW, UNSUBSCRIBED, CHANNEL_RATE_LIMIT = 63016, 21610, 63018
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def parse_form(form: Mapping[str, str]) -> Inbound:
    """Translate Twilio's incoming-message form; ValueError when it is not one."""
    sid, sender = form.get("MessageSid", ""), form.get("From", "")
    if not sid or not sender.startswith("whatsapp:") or len(sid) > 64 or len(sender) > 64:
        raise ValueError("not a Twilio WhatsApp message: MessageSid or From missing")
    wa_id = form.get("WaId", "").strip()
    phone = f"+{wa_id}" if wa_id.isdigit() else sender.removeprefix("whatsapp:") or None
    inbound = Inbound(
        channel=CHANNEL,
        sender_id=sender,
        text=form.get("ButtonPayload") or form.get("Body", ""),
        media=_media(form),
        location=_location(form),
        raw_id=sid,
        display_name=(form.get("ProfileName") or "").strip()[:120] or None,
        phone=phone,
    )
    return cleaned(inbound)


def _media(form: Mapping[str, str]) -> tuple[Media, ...]:
    """MediaUrlN with MediaContentTypeN; Twilio declares no size (the download checks it)."""
    try:
        count = min(int(form.get("NumMedia") or 0), 10)
    except ValueError:
        return ()
    found = []
    for index in range(count):
        url = form.get(f"MediaUrl{index}", "")
        if not url.startswith(("https://", "http://")):
            continue
        declared = form.get(f"MediaContentType{index}", "").strip().lower() or None
        found.append(Media(kind=media_kind(declared), ref=url, content_type=declared))
    return tuple(found)


def media_kind(content_type: str | None) -> str:
    """What a file is, from its type: WhatsApp sends voice notes as audio/ogg."""
    major = (content_type or "").partition("/")[0]
    if content_type and content_type.startswith("audio/ogg"):
        return "voice"
    return {"image": "photo", "audio": "audio", "video": "video"}.get(major, "document")


def _location(form: Mapping[str, str]) -> Location | None:
    return location_of(form.get("Latitude"), form.get("Longitude"))


def signed_url(
    *, public_base_url: str | None, path: str, query: str, seen_url: Callable[[], str]
) -> str:
    """The URL Twilio signed: the public one when configured (behind a reverse proxy), else
    the one the request came to (`seen_url`)."""
    if not public_base_url:
        return seen_url()
    return public_base_url.rstrip("/") + path + (f"?{query}" if query else "")


def make_client(
    *, account_sid: str, auth_token: str, api_base_url: str | None, pool_size: int = 64
) -> Client:
    """An async twilio Client for our account, at api.twilio.com or a compatible gateway."""
    http = AiohttpTwilioClient(api_base_url, pool_size=pool_size)
    client = Client(account_sid, auth_token, http_client=http)
    if api_base_url:
        client.region = client.edge = None  # a gateway has one address (see twilio_client)
    return client


class WhatsAppChannel:
    """Sends outbox rows through Twilio's Messages API from our WhatsApp sender."""

    name = CHANNEL

    def __init__(
        self,
        *,
        client: Client,
        limiter: RateLimiter,
        sender: str = "",
        messaging_service_sid: str = "",
        templates: Mapping[str, str] | None = None,
        status_callback: str | None = None,
    ) -> None:
        if sender and not sender.startswith("whatsapp:"):
            sender = f"whatsapp:{sender}"
        self.client, self.limiter, self.sender = client, limiter, sender
        self.messaging_service_sid = messaging_service_sid
        self.templates = {kind: sid for kind, sid in (templates or {}).items() if sid}
        self.status_callback = status_callback

    def has_template(self, kind: str | None) -> bool:
        return bool(kind and kind in self.templates)

    async def deliver(self, item: OutItem, *, now: datetime | None = None) -> Result:
        now = now or utcnow()
        if item.template_required or _outside_window(item, now):
            return await self._send_template(item)
        result = await self._call(self._freeform(item))
        if result.extra.get("code") == OUTSIDE_WINDOW:  # Twilio's clock says the window closed
            return await self._send_template(item)
        return result

    async def _send_template(self, item: OutItem) -> Result:
        if not self.has_template(item.template_kind):
            return failed(
                "outside WhatsApp's 24-hour window and no approved template for "
                f"{item.template_kind or 'this reply'} (set TWILIO_TEMPLATE_*_SID)"
            )
        variables = json.dumps(item.template_variables or {}, ensure_ascii=False)
        template = self.templates[item.template_kind or ""]
        params = {"content_sid": template, "content_variables": variables}
        return await self._call(self._params(item) | params)

    def _freeform(self, item: OutItem) -> dict[str, Any]:
        text = render_numbered(Outbound(text=item.text, choices=item.choices))
        params = self._params(item) | {"body": clip(text, BODY_LIMIT)}
        if item.media:
            params["media_url"] = [url for url in item.media if url.startswith("https://")]
        return params

    def _params(self, item: OutItem) -> dict[str, Any]:
        params: dict[str, Any] = {"to": item.address}
        if self.messaging_service_sid:
            params["messaging_service_sid"] = self.messaging_service_sid
        if self.sender:
            params["from_"] = self.sender
        if self.status_callback:  # our id in it: a row whose answer a crash lost still settles
            params["status_callback"] = f"{self.status_callback}?{MESSAGE_PARAM}={item.id}"
        return params

    async def _call(self, params: dict[str, Any]) -> Result:
        """One Messages API call, classified."""
        try:
            message = await self.client.messages.create_async(**params)
        except TwilioRestException as exc:
            return classify(exc, twilio_retry_after.get())
        except (aiohttp.ClientError, TimeoutError) as exc:
            text = f"twilio: {type(exc).__name__}: {exc}"
            return retry(text) if request_never_left(exc) else unknown(f"unknown: {text}")
        return sent(message.sid)

    async def close(self) -> None:
        await self.client.http_client.close()


def _outside_window(item: OutItem, now: datetime) -> bool:
    return item.last_inbound_at is None or now - item.last_inbound_at >= WINDOW


def classify(exc: TwilioRestException, retry_after: str | None = None) -> Result:
    """Map a Twilio REST error to what the outbox should do with the row."""
    code, status = exc.code, exc.status
    text = f"twilio {code or status}: {exc.msg}"
    extra = {"code": code}
    if code == UNSUBSCRIBED:
        return failed(text, contact_opted_out=True, extra=extra)
    if code == CHANNEL_RATE_LIMIT or status == 429:
        wait = _seconds(retry_after) or 1.0
        return retry(text, retry_after=wait, counted=False, pause_channel=wait, extra=extra)
    if status >= 500 or status in (401, 403):  # Twilio trouble or our credentials: try later
        return retry(text, extra=extra)
    return failed(text, extra=extra)


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
