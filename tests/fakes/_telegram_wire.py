"""Telegram Bot API wire details: decoding request parameters, error bodies, keyboard checks.

PTB sends `application/x-www-form-urlencoded` (multipart when uploading), with string values
raw and every other value JSON-encoded (so `reply_markup` arrives as a JSON string, integers as
digits, booleans as `true`/`false`). The real API also accepts JSON bodies and query strings;
so does this fake.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from tests.fakes._server import Request

JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "link_preview_options",
        "reply_parameters",
        "media",
        "commands",
        "scope",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "message_id",
        "offset",
        "limit",
        "timeout",
        "max_connections",
        "cache_time",
        "message_thread_id",
        "user_id",
    }
)
BOOL_VALUES = {"true": True, "false": False}


@dataclass(frozen=True, slots=True)
class ApiError:
    """A Bot API error reply; PTB maps the HTTP status (and retry_after) to its exceptions."""

    status: int
    description: str
    retry_after: int | None = None

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def too_many_requests(retry_after: int = 2) -> ApiError:
    """HTTP 429 flood control; PTB raises telegram.error.RetryAfter."""
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


BLOCKED_BY_USER = ApiError(403, "Forbidden: bot was blocked by the user")
USER_DEACTIVATED = ApiError(403, "Forbidden: user is deactivated")
CHAT_NOT_FOUND = ApiError(400, "Bad Request: chat not found")
INVALID_FILE_ID = ApiError(400, "Bad Request: invalid file_id")
QUERY_TOO_OLD = ApiError(
    400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
)
MESSAGE_NOT_MODIFIED = ApiError(
    400,
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message",
)
TEXT_BUTTONS_UNALLOWED = ApiError(
    400, "Bad Request: text buttons are unallowed in the inline keyboard"
)
BAD_GATEWAY = ApiError(502, "Bad Gateway")
UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")
WEBHOOK_ACTIVE = ApiError(
    409,
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first",
)


def decode_params(request: Request) -> dict[str, Any]:
    """The call's parameters, typed as the Bot API means them (ints, bools, parsed JSON)."""
    content_type = request.headers.get("content-type", "")
    params: dict[str, Any] = dict(request.query)
    if content_type.startswith("application/json"):
        params.update(json.loads(request.body or b"{}"))
    elif content_type.startswith("multipart/form-data"):
        params.update(_multipart(content_type, request.body))
    elif request.body:
        params.update(parse_qsl(request.body.decode(), keep_blank_values=True))
    for key, value in params.items():
        if not isinstance(value, str):
            continue
        if key in JSON_FIELDS:
            params[key] = json.loads(value)
        elif key in INT_FIELDS and value.lstrip("-").isdigit():
            params[key] = int(value)
        elif value in BOOL_VALUES and key not in ("text", "caption"):
            params[key] = BOOL_VALUES[value]
    return params


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        payload = part.get_payload(decode=True) or b""
        assert isinstance(payload, bytes)
        filename = part.get_filename()
        if filename is None:
            fields[name] = payload.decode()
        else:
            upload = {"filename": filename, "size": len(payload), "content": payload}
            fields[name] = {**upload, "content_type": part.get_content_type()}
    return fields


def check_inline_keyboard(markup: dict[str, Any] | None) -> ApiError | None:
    """The checks Telegram makes that bite in practice: callback_data is 1-64 bytes."""
    if not markup or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                return ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
            if not button.get("text"):
                return ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            if len(button) == 1:
                return ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
    return None


def buttons_of(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """Rows of buttons, for inline and reply keyboards alike (plain strings become {"text"})."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]
