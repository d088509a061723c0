"""A fake Telegram Bot API server, driven through the real python-telegram-bot client.

Point PTB at it with `fake.bot()` or, by hand,
`Bot(token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")`:
PTB appends the token to base_url and POSTs `{base_url}{token}/{method}`.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import httpx
import telegram

from tests.fakes._failures import FailurePlan
from tests.fakes._server import FakeServer, Request, Response
from tests.fakes._telegram_wire import (
    BAD_GATEWAY,
    BLOCKED_BY_USER,
    CHAT_NOT_FOUND,
    INVALID_FILE_ID,
    MESSAGE_NOT_MODIFIED,
    NOT_FOUND,
    QUERY_TOO_OLD,
    UNAUTHORIZED,
    USER_DEACTIVATED,
    WEBHOOK_ACTIVE,
    ApiError,
    buttons_of,
    check_inline_keyboard,
    decode_params,
    too_many_requests,
)
from tests.fakes.telegram_updates import BOT_ID, bot_user, photo_sizes, webhook_headers

__all__ = [  # the scripted errors are importable from here
    "BAD_GATEWAY",
    "BLOCKED_BY_USER",
    "CHAT_NOT_FOUND",
    "INVALID_FILE_ID",
    "MESSAGE_NOT_MODIFIED",
    "QUERY_TOO_OLD",
    "USER_DEACTIVATED",
    "ApiCall",
    "ApiError",
    "FakeTelegramApi",
    "too_many_requests",
]

DEFAULT_TOKEN = f"{BOT_ID}:AAHfakeTokenForKabarAirTests0123456"


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request as the fake saw it; `error` is the description when it answered ok=false."""

    method: str
    params: dict[str, Any]
    at: float
    error: str | None = None


class FakeTelegramApi(FakeServer):
    """Bot API on 127.0.0.1: records calls, keeps sent messages, replays queued updates."""

    def __init__(
        self, token: str = DEFAULT_TOKEN, *, delay_ms: int = 0, max_long_poll: float = 0.5
    ) -> None:
        super().__init__()
        self.token = token
        self.delay_ms = delay_ms  # slow mode: every response waits this long
        self.max_long_poll = max_long_poll  # cap on getUpdates' timeout, to keep tests fast
        self.calls: list[ApiCall] = []
        self.failures: FailurePlan[ApiError] = FailurePlan()
        self.webhook: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._updates_ready = threading.Condition(self._lock)
        self._updates: list[dict[str, Any]] = []
        self._messages: dict[tuple[str, int], dict[str, Any]] = {}
        self._next_id: dict[str, itertools.count[int]] = defaultdict(lambda: itertools.count(1))
        self._files: dict[str, tuple[str, bytes]] = {}
        self._handlers = {
            name.lower(): getattr(self, f"_{name}")
            for name in [
                "getMe",
                "sendMessage",
                "sendPhoto",
                "editMessageText",
                "editMessageReplyMarkup",
                "deleteMessage",
                "answerCallbackQuery",
                "sendChatAction",
                "setMyCommands",
                "setWebhook",
                "deleteWebhook",
                "getWebhookInfo",
                "getUpdates",
                "getFile",
            ]
        }

    # --- how clients reach it -------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def bot(self, **kwargs: Any) -> telegram.Bot:
        """A real PTB Bot wired to this fake (use it as `async with fake.bot() as bot:`)."""
        return telegram.Bot(
            self.token, base_url=self.base_url, base_file_url=self.base_file_url, **kwargs
        )

    # --- scripting ------------------------------------------------------------------------

    def fail_next(
        self,
        error: ApiError,
        times: int | None = 1,
        *,
        chat_id: int | str | None = None,
        method: str | None = None,
    ) -> None:
        """Answer the next `times` matching calls with `error` (times=None: until cleared)."""
        self.failures.add(error, times, chat_id=chat_id, method=method and method.lower())

    def block_chat(self, chat_id: int | str, error: ApiError | None = None) -> None:
        """Every call to this chat fails from now on, by default as 'bot was blocked'."""
        self.fail_next(error or BLOCKED_BY_USER, None, chat_id=chat_id)

    def queue_update(self, *updates: dict[str, Any]) -> None:
        """Updates for getUpdates to return (build them with telegram_updates.telegram_update)."""
        with self._updates_ready:
            self._updates.extend(updates)
            self._updates_ready.notify_all()

    def add_file(
        self, file_id: str, content: bytes = b"\xff\xd8\xff\xe0fake-jpeg", path: str | None = None
    ) -> None:
        """Content served for getFile + download; unknown file_ids get a placeholder JPEG."""
        self._files[file_id] = (path or f"photos/file_{len(self._files)}.jpg", content)

    def deliver_to_webhook(self, update: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """POST an update to the URL given to setWebhook, with its secret-token header."""
        url = self.webhook.get("url")
        if not url:
            raise RuntimeError("no webhook set: call setWebhook first")
        headers = webhook_headers(self.webhook.get("secret_token"))
        return httpx.post(url, json=update, headers=headers, **kwargs)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._updates.clear()
            self._messages.clear()
            self._next_id.clear()
            self.webhook.clear()
        self.failures.clear()
        self.delay_ms = 0

    # --- what the customer would see ----------------------------------------------------------

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | str | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent, current state (edits applied, deleted ones gone), in order.

        Each: chat_id, message_id, text (caption for photos), photo, parse_mode, buttons (rows of
        button dicts), button_labels, callback_data, reply_markup (as parsed), edited.
        """
        with self._lock:
            messages = list(self._messages.values())
        if chat_id is not None:
            messages = [m for m in messages if str(m["chat"]["id"]) == str(chat_id)]
        return [_view(m) for m in messages]

    def callback_answers(self) -> list[dict[str, Any]]:
        return [c.params for c in self.calls_to("answerCallbackQuery") if c.error is None]

    # --- server -----------------------------------------------------------------------------

    def stop(self) -> None:
        self.stopping.set()
        with self._updates_ready:
            self._updates_ready.notify_all()  # wake long polls
        super().stop()

    def handle(self, request: Request) -> Response:
        prefix, _, rest = request.path.lstrip("/").partition("/")
        if prefix == "file":  # /file/bot<token>/<file_path>
            return self._download(rest)
        token, method = prefix.removeprefix("bot"), rest.lower()
        params = decode_params(request)
        if token != self.token or not prefix.startswith("bot"):
            return self._reply(rest, params, UNAUTHORIZED)
        handler = self._handlers.get(method)
        if handler is None:
            return self._reply(rest, params, NOT_FOUND)
        self.pause(self.delay_ms / 1000)
        failure = self.failures.take(chat_id=params.get("chat_id"), method=method)
        if failure is not None:
            return self._reply(rest, params, failure)
        return self._reply(rest, params, handler(params))

    def _reply(self, method: str, params: dict[str, Any], result: Any) -> Response:
        params = {k: _printable(v) for k, v in params.items()}
        if isinstance(result, ApiError):
            self.calls.append(ApiCall(method, params, time.time(), result.description))
            return Response(result.status, json.dumps(result.body()).encode())
        self.calls.append(ApiCall(method, params, time.time()))
        return Response(200, json.dumps({"ok": True, "result": result}).encode())

    def _download(self, rest: str) -> Response:
        token, _, path = rest.partition("/")
        if token.removeprefix("bot") != self.token:
            return Response(401, json.dumps(UNAUTHORIZED.body()).encode())
        for file_path, content in self._files.values():
            if file_path == path:
                return Response(200, content, content_type="application/octet-stream")
        return Response(404, json.dumps(NOT_FOUND.body()).encode())

    # --- Bot API methods ------------------------------------------------------------------------

    def _getMe(self, params: dict[str, Any]) -> Any:
        return {
            **bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _sendMessage(self, params: dict[str, Any]) -> Any:
        text = params.get("text") or ""
        if not text.strip():
            return ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return ApiError(400, "Bad Request: message is too long")
        return self._store_new(params, {"text": text})

    def _sendPhoto(self, params: dict[str, Any]) -> Any:
        photo = params.get("photo")
        if not photo:
            return ApiError(400, "Bad Request: there is no photo in the request")
        file_id = photo if isinstance(photo, str) and "://" not in photo else None
        file_id = file_id or f"AgACAgUAAxkDAAI{len(self._files):06d}"
        extra: dict[str, Any] = {"photo": photo_sizes(file_id)}
        if params.get("caption"):
            extra["caption"] = params["caption"]
        return self._store_new(params, extra)

    def _store_new(self, params: dict[str, Any], content: dict[str, Any]) -> Any:
        chat_id = params.get("chat_id")
        if chat_id in (None, ""):
            return ApiError(400, "Bad Request: chat_id is empty")
        markup = params.get("reply_markup")
        if error := check_inline_keyboard(markup):
            return error
        key = str(chat_id)
        with self._lock:
            message_id = next(self._next_id[key])
            message = {
                "message_id": message_id,
                "from": bot_user(),
                "chat": _chat(chat_id),
                "date": int(time.time()),
                **content,
            }
            if markup and "inline_keyboard" in markup:
                message["reply_markup"] = markup  # Telegram echoes inline keyboards only
            self._messages[(key, message_id)] = {
                **message,
                "_sent": {"markup": markup, "parse_mode": params.get("parse_mode")},
            }
        return message

    def _editMessageText(self, params: dict[str, Any]) -> Any:
        return self._edit(params, text=params.get("text"))

    def _editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        return self._edit(params)

    def _edit(self, params: dict[str, Any], text: str | None = None) -> Any:
        if params.get("inline_message_id"):
            return True
        markup = params.get("reply_markup")
        if error := check_inline_keyboard(markup):
            return error
        with self._lock:
            stored = self._messages.get((str(params.get("chat_id")), params.get("message_id", 0)))
            if stored is None:
                return ApiError(400, "Bad Request: message to edit not found")
            new_text = text if text is not None else stored.get("text")
            if new_text == stored.get("text") and markup == stored.get("reply_markup"):
                return MESSAGE_NOT_MODIFIED
            if new_text is not None and "text" in stored:
                stored["text"] = new_text
            if markup:
                stored["reply_markup"] = markup
            else:
                stored.pop("reply_markup", None)
            stored["_sent"] = {**stored["_sent"], "markup": markup, "edited": True}
            stored["edit_date"] = int(time.time())
            return {k: v for k, v in stored.items() if k != "_sent"}

    def _deleteMessage(self, params: dict[str, Any]) -> Any:
        key = (str(params.get("chat_id")), params.get("message_id", 0))
        with self._lock:
            if self._messages.pop(key, None) is None:
                return ApiError(400, "Bad Request: message to delete not found")
        return True

    def _answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        if not params.get("callback_query_id"):
            return ApiError(400, "Bad Request: query is too old or query ID is invalid")
        return True

    def _sendChatAction(self, params: dict[str, Any]) -> Any:
        return True if params.get("chat_id") not in (None, "") else CHAT_NOT_FOUND

    def _setMyCommands(self, params: dict[str, Any]) -> Any:
        return True

    def _setWebhook(self, params: dict[str, Any]) -> Any:
        with self._lock:
            self.webhook = {k: v for k, v in params.items() if k != "certificate"}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _deleteWebhook(self, params: dict[str, Any]) -> Any:
        with self._lock:
            self.webhook = {}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _getWebhookInfo(self, params: dict[str, Any]) -> Any:
        with self._lock:
            info = {
                "url": self.webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
            }
            for key in ("max_connections", "allowed_updates", "ip_address"):
                if key in self.webhook:
                    info[key] = self.webhook[key]
        return info

    def _getUpdates(self, params: dict[str, Any]) -> Any:
        if self.webhook.get("url"):
            return WEBHOOK_ACTIVE
        offset, limit = params.get("offset", 0), params.get("limit", 100) or 100
        deadline = time.monotonic() + min(float(params.get("timeout", 0)), self.max_long_poll)
        with self._updates_ready:
            if offset > 0:  # confirms every update below offset
                self._updates[:] = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates[:] = self._updates[offset:]
            while not self._updates and not self.stopping.is_set():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._updates_ready.wait(remaining)
            return self._updates[:limit]

    def _getFile(self, params: dict[str, Any]) -> Any:
        file_id = params.get("file_id") or ""
        if not file_id:
            return ApiError(400, "Bad Request: file_id is empty")
        if file_id not in self._files:
            self.add_file(file_id)
        path, content = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": f"AQAD{zlib.crc32(file_id.encode()):08x}",
            "file_size": len(content),
            "file_path": path,
        }


def _chat(chat_id: int | str) -> dict[str, Any]:
    if isinstance(chat_id, int):
        return {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"}
    return {"id": -1001000000001, "type": "channel", "username": str(chat_id).lstrip("@")}


def _printable(value: Any) -> Any:
    """Uploads are recorded without their bytes, to keep `calls` small in benches."""
    if isinstance(value, dict) and "content" in value and "filename" in value:
        return {k: v for k, v in value.items() if k != "content"}
    return value


def _view(stored: dict[str, Any]) -> dict[str, Any]:
    sent = stored["_sent"]
    rows = buttons_of(sent["markup"])
    flat = [b for row in rows for b in row]
    return {
        "chat_id": stored["chat"]["id"],
        "message_id": stored["message_id"],
        "text": stored.get("text", stored.get("caption")),
        "photo": stored["photo"][-1]["file_id"] if "photo" in stored else None,
        "parse_mode": sent.get("parse_mode"),
        "buttons": rows,
        "button_labels": [b["text"] for b in flat],
        "callback_data": [b["callback_data"] for b in flat if "callback_data" in b],
        "reply_markup": sent["markup"],
        "edited": bool(sent.get("edited")),
    }
