"""Bounded requests: a body larger than its route allows is refused before it is read.

Without a limit, eight clients sending 20 MB each grew the process by 450 MB before any
route looked at them (a 401 comes only after the body is in memory). `BodyLimit` is plain
ASGI middleware in front of every route: a `Content-Length` over the limit gets 413 at once,
and a body sent without one (chunked) is counted as it streams and cut off at the limit, so
no more than the limit is ever held. Routes may have their own, smaller limits (the
webhooks'), by path prefix.

`RowId` and `row_id` bound the ids a request names: PostgreSQL refuses a number past its
INTEGER range (a 500 for /staff/complaints/2147483648), so a larger one names nothing.

`json_too_deep` tells, without parsing, whether a JSON body nests deeper than a limit:
Python's parser recurses per level and fails past about a thousand, and nothing we take
nests more than a few levels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from typing import Annotated, Any

from fastapi import Path

from core.texts import t

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


ROW_ID_MAX = 2**31 - 1  # the largest id an INTEGER column holds on PostgreSQL
RowId = Annotated[int, Path(ge=1, le=ROW_ID_MAX)]  # a row named in a route's path


def row_id(text: str | None) -> int | None:
    """The row id written in a form field or query ('42'), or None when it names no row
    that can exist (not decimal digits, '²' included, or beyond ROW_ID_MAX)."""
    if not text or not text.isdecimal() or len(text) > len(str(ROW_ID_MAX)):
        return None
    number = int(text)
    return number if 1 <= number <= ROW_ID_MAX else None


class BodyTooLarge(Exception):
    """Raised inside `receive` once a streamed body passes the route's limit."""


def json_too_deep(body: bytes, limit: int) -> bool:
    """True when arrays/objects in `body` nest deeper than `limit` (strings are skipped)."""
    if body.count(b"{") + body.count(b"[") <= limit:
        return False  # too few brackets to nest that deep (a normal update: the usual case)
    depth = 0
    for bracket in _BRACKET.finditer(_JSON_STRING.sub(b"", body)):
        if bracket.group() in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def both_languages(key: str) -> dict[str, str]:
    """A short answer for machines and people: Indonesian in `detail`, English beside it."""
    return {"detail": t("id", key), "detail_en": t("en", key)}


async def _refuse(send: Send) -> None:
    body = json.dumps(both_languages("ops.body_too_large")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: 413 for a body over `default` bytes (or its path prefix's limit)."""

    def __init__(self, app: ASGIApp, *, default: int, per_prefix: Mapping[str, int]) -> None:
        self.app, self.default = app, default
        self.per_prefix = sorted(per_prefix.items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        for prefix, limit in self.per_prefix:
            if path.startswith(prefix):
                return limit
        return self.default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = _content_length(scope)
        if length is not None and length > limit:
            await _refuse(send)
            return
        await self._streamed(scope, receive, send, limit)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Count the body as it arrives; past the limit, the route's answer becomes 413."""
        seen, exceeded, started = 0, False, False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the route made of a cut-off body: 413 goes instead
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(send)
