"""Telegram: Bot API updates → `Inbound`, and `OutItem` → sendMessage with inline keyboards.

Only translation and delivery live here; the webhook route and polling loop are in
`channels.telegram_intake`. Private chats only: the contact is the chat (chat id as text).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import logging
import warnings
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBUserWarning

from channels.delivery import OutItem, Result, clip, failed, retry, sent, unknown
from channels.http import AiohttpRequest, request_never_left
from channels.messages import Choice, Inbound, Location, Media, cleaned, location_of
from channels.ratelimit import RateLimiter
from db.vocab import Channel

log = logging.getLogger("kabar_air.telegram")
# deliver calls sendMessage through Bot.do_api_request on purpose, for the plain result dict.
warnings.filterwarnings("ignore", r"Please use 'Bot\.sendMessage'", PTBUserWarning)

CHANNEL = Channel.TELEGRAM
WEBHOOK_PATH = "/webhooks/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64  # bytes
# Commands in the bot's menu, mapped to words the conversation engine already understands.
COMMANDS = {
    "/start": "menu",
    "/menu": "menu",
    "/help": "menu",
    "/status": "status",
    "/stop": "STOP",
}


@dataclass(frozen=True, slots=True)
class TelegramUpdate:
    """One update, translated: the customer's message plus Telegram-only follow-ups."""

    inbound: Inbound | None  # None: nothing for the conversation (e.g. an edited message)
    callback_query_id: str | None = None
    blocked_chat: str | None = None  # my_chat_member: the customer blocked the bot


def webhook_secret(*, token: str, configured: str, secret_key: str) -> str:
    """The configured secret, or one derived from the token so webhooks are never open."""
    if configured:
        return configured
    digest = hmac.new(secret_key.encode(), f"telegram-webhook:{token}".encode(), hashlib.sha256)
    return digest.hexdigest()[:48]


def parse_update(data: Any) -> TelegramUpdate:
    """Translate a Bot API Update object; ValueError when it is not one. Texts come out
    cleaned (channels.messages.cleaned)."""
    update = _translate(data)
    if update.inbound is None:
        return update
    return replace(update, inbound=cleaned(update.inbound))


def _translate(data: Any) -> TelegramUpdate:
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        raise ValueError("not a Telegram update: update_id missing")
    raw_id = str(data["update_id"])
    if isinstance(data.get("callback_query"), dict):
        return _callback(data["callback_query"], raw_id)
    if isinstance(data.get("my_chat_member"), dict):
        return _membership(data["my_chat_member"])
    message = data.get("message")
    if not isinstance(message, dict):
        return TelegramUpdate(inbound=None)  # edits, channel posts, polls: nothing to answer
    chat = _dict(message, "chat")
    if chat.get("type", "private") != "private" or "id" not in chat:
        return TelegramUpdate(inbound=None)
    text = _str(message.get("text")) or _str(message.get("caption"))
    person = _dict(message, "from")
    inbound = Inbound(
        channel=CHANNEL,
        sender_id=str(chat["id"]),
        text=command_text(text),
        media=_media(message),
        location=_location(message),
        raw_id=raw_id,
        display_name=_name(person),
        phone=_str(_dict(message, "contact").get("phone_number")) or None,
    )
    return TelegramUpdate(inbound=inbound)


def command_text(text: str) -> str:
    """'/status ADU-000123' → 'status ADU-000123'; '/start@KabarAirBot xyz' → 'menu'."""
    if not text.startswith("/"):
        return text
    head, _, rest = text.partition(" ")
    word = COMMANDS.get(head.split("@", 1)[0].lower())
    if word is None:
        return text
    if word == "status" and rest.strip():
        return f"status {rest.strip()}"
    return word


def _callback(query: dict, raw_id: str) -> TelegramUpdate:
    person = _dict(query, "from")
    chat = _dict(_dict(query, "message"), "chat")
    chat_id = chat.get("id", person.get("id"))
    if chat_id is None or "id" not in query:
        raise ValueError("callback_query without a chat or id")
    inbound = Inbound(
        channel=CHANNEL,
        sender_id=str(chat_id),
        text=_str(query.get("data")),
        raw_id=raw_id,
        display_name=_name(person),
    )
    return TelegramUpdate(inbound=inbound, callback_query_id=str(query["id"]))


def _membership(change: dict) -> TelegramUpdate:
    chat = _dict(change, "chat")
    status = _dict(change, "new_chat_member").get("status")
    if chat.get("type") == "private" and status == "kicked" and "id" in chat:
        return TelegramUpdate(inbound=None, blocked_chat=str(chat["id"]))
    return TelegramUpdate(inbound=None)


# Telegram's message fields for files, and the kind each one is (a sticker or animation is none).
_FILE_FIELDS = {"voice": "voice", "audio": "audio", "video": "video", "video_note": "video"}


def _media(message: dict) -> tuple[Media, ...]:
    """The files of one message: the largest size of a photo, or a voice note, audio, video
    or document, with the type and size Telegram declares (a photo's type is always JPEG)."""
    raw = message.get("photo")
    photos = [p for p in raw if isinstance(p, dict)] if isinstance(raw, list) else []
    if photos:
        largest = max(photos, key=lambda p: _size(p.get("file_size")) or _size(p.get("width")))
        return _one("photo", largest, default_type="image/jpeg")
    for field, kind in _FILE_FIELDS.items():
        if field in message:
            return _one(kind, _dict(message, field))
    document = _dict(message, "document")
    kind = "photo" if _str(document.get("mime_type")).startswith("image/") else "document"
    return _one(kind, document)


def _one(kind: str, file: dict, *, default_type: str | None = None) -> tuple[Media, ...]:
    file_id = _str(file.get("file_id"))
    if not file_id:
        return ()
    declared = _str(file.get("mime_type")) or default_type
    size = _size(file.get("file_size")) or None
    return (Media(kind=kind, ref=file_id, content_type=declared, size=size),)


def _size(value: object) -> int:
    """A size the update claims, or 0 when it is not a whole number."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _location(message: dict) -> Location | None:
    place = _dict(message, "location")
    return location_of(place.get("latitude"), place.get("longitude"))


def _name(person: dict) -> str | None:
    name = " ".join(_str(person.get(k)) for k in ("first_name", "last_name")).strip()
    return name[:120] or None


def _dict(data: dict, key: str) -> dict:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def keyboard(choices: tuple[Choice, ...]) -> InlineKeyboardMarkup | None:
    """One button per line; the button sends the choice's value back (or its number)."""
    if not choices:
        return None
    rows = []
    for number, choice in enumerate(choices, start=1):
        data = choice.value
        if not data or len(data.encode()) > CALLBACK_DATA_LIMIT:
            data = str(number)  # the engine also accepts a choice's number
        rows.append([InlineKeyboardButton(text=clip(choice.label, 64), callback_data=data)])
    return InlineKeyboardMarkup(rows)


@functools.lru_cache(maxsize=1024)
def keyboard_json(choices: tuple[Choice, ...]) -> str | None:
    """The reply_markup field for these choices, built once per distinct set of buttons."""
    markup = keyboard(choices)
    return markup.to_json() if markup else None


def make_bot(*, token: str, base_url: str, concurrency: int = 64) -> Bot:
    """A Bot talking to `base_url` (Telegram's, a self-hosted Bot API server, or a fake)."""
    request = AiohttpRequest(pool_size=concurrency, read_timeout=30.0)
    polling = AiohttpRequest(pool_size=2, read_timeout=40.0)  # getUpdates waits up to 25 s
    return Bot(token=token, base_url=base_url, request=request, get_updates_request=polling)


class TelegramChannel:
    """Sends outbox rows through the Bot API within Telegram's limits."""

    name = CHANNEL

    def __init__(self, *, bot: Bot, limiter: RateLimiter, secret: str) -> None:
        self.bot, self.limiter, self.secret = bot, limiter, secret
        self._ready = asyncio.Lock()

    async def ensure_ready(self) -> None:
        """getMe once (the library's start-up check); raises InvalidToken on a bad token."""
        async with self._ready:
            await self.bot.initialize()

    async def deliver(self, item: OutItem) -> Result:
        if not item.text.strip():
            return failed("empty message: nothing to send")
        fields = {"chat_id": item.address, "text": clip(item.text, TEXT_LIMIT)}
        if markup := keyboard_json(item.choices):
            fields["reply_markup"] = markup
        try:  # the raw result: PTB building a Message from every answer cost ~400 µs of CPU
            result = await self.bot.do_api_request("sendMessage", api_kwargs=fields)
        except TelegramError as exc:
            return classify(exc)
        if not isinstance(result, dict) or "message_id" not in result:
            return unknown("unknown: telegram answered sendMessage without a message_id")
        return sent(str(result["message_id"]))

    async def answer_callback(self, query_id: str) -> None:
        """Stop the button's spinner; cosmetic, so failures are only logged."""
        try:
            await self.bot.answer_callback_query(callback_query_id=query_id)
        except TelegramError as exc:
            log.info("answerCallbackQuery failed: %s", exc)

    async def close(self) -> None:
        """Close both request objects (Bot.shutdown skips them if getMe never ran)."""
        for request in getattr(self.bot, "_request", (self.bot.request,)):
            try:
                await request.shutdown()
            except Exception:  # pragma: no cover - closing is best effort
                log.debug("closing a Telegram request object failed", exc_info=True)


def classify(exc: TelegramError) -> Result:
    """Map a Bot API error to what the outbox should do with the row."""
    text = f"telegram: {exc.message}"
    if isinstance(exc, RetryAfter):
        with warnings.catch_warnings():  # PTB 22 warns that it will become a timedelta
            warnings.simplefilter("ignore")
            seconds = _seconds(exc.retry_after)
        return retry(
            f"telegram 429: {exc.message}", retry_after=seconds, counted=False, pause_chat=seconds
        )
    if isinstance(exc, Forbidden):  # bot blocked, user deactivated
        return failed(f"telegram 403: {exc.message}", contact_inactive=True)
    if isinstance(exc, BadRequest):
        gone = "chat not found" in exc.message.lower()
        return failed(f"telegram 400: {exc.message}", contact_inactive=gone)
    if isinstance(exc, ChatMigrated | InvalidToken):
        return retry(text)
    if isinstance(exc, TimedOut | NetworkError):
        return retry(text) if _never_left(exc) else unknown(f"unknown: {text}")
    return retry(text)


def _never_left(exc: TelegramError) -> bool:
    """True when the request certainly did not reach Telegram, or Telegram answered an error."""
    cause = exc.__cause__
    if cause is None:
        return True  # an HTTP error status (5xx) came back: Telegram did not take the message
    return request_never_left(cause)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
