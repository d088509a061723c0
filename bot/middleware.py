"""What every request and response passes through: size limit, clean input, security headers.

- `BodyLimit` (core.http_limits): 413 for a body over its route's limit, before it is read.
- `CleanInput`: every text of a console form, an API JSON body and the query string goes
  through `core.text_input.clean_text` before a handler sees it, so no view has to remember
  it and no NUL or lone surrogate reaches either database; a path with a control character
  names nothing of ours and gets 404. A JSON body nested deeper than MAX_JSON_DEPTH gets 400.
  Webhooks are left alone here: a Twilio signature covers the form as sent, so their
  adapters clean what they take (channels.messages).
- `WebhookFastPath`: POSTs to the webhooks skip all of this (and the proxy headers when
  PUBLIC_BASE_URL is set) and go straight to the webhook routes, which limit, clean and
  check what they take themselves.
- `SecurityHeaders`: a Content-Security-Policy, frame, type-sniffing and referrer rules,
  HSTS behind https, and `Cache-Control: no-store` on console pages and API answers (they
  carry customers' names, numbers and addresses; the back button must not show them).

The console's scripts are files under /staff/static: no inline script runs. Inline styles are
allowed (the templates use `style` attributes); they cannot run code.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote_plus, urlencode

from fastapi import FastAPI

from core.http_limits import (
    ASGIApp,
    BodyLimit,
    Message,
    Receive,
    Scope,
    Send,
    both_languages,
    json_too_deep,
)
from core.settings import Settings
from core.text_input import clean_text, clean_value

log = logging.getLogger("kabar_air.http")

WEBHOOKS = "/webhooks/"
NO_STORE = ("/staff", "/api/")
HSTS = "max-age=31536000; includeSubDomains"


# -- clean input -------------------------------------------------------------------------
def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return b""


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope.get("headers", ()) if k != b"content-length"]
    headers.append((b"content-length", str(length).encode()))
    return dict(scope, headers=headers)


def clean_query(query: bytes) -> bytes:
    """The query string with every name and value cleaned; the same bytes if none changed."""
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    cleaned = [(clean_text(name), clean_text(value)) for name, value in pairs]
    return query if cleaned == pairs else urlencode(cleaned).encode("ascii")


def clean_form(body: bytes) -> bytes:
    """An urlencoded form with every name and value cleaned, decoded as Starlette decodes it."""
    pairs = [
        (unquote_plus(name.decode("latin-1")), unquote_plus(value.decode("latin-1")))
        for name, _, value in (field.partition(b"=") for field in body.split(b"&") if field)
    ]
    cleaned = [(clean_text(name), clean_text(value)) for name, value in pairs]
    return body if cleaned == pairs else urlencode(cleaned).encode("ascii")


def clean_json(body: bytes) -> bytes:
    """A JSON body with every string cleaned; unreadable JSON is left for the route's 422."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return body
    cleaned = clean_value(data)
    return body if cleaned == data else json.dumps(cleaned, ensure_ascii=False).encode()


async def _read_body(receive: Receive) -> bytes:
    """The whole body (BodyLimit, outside this middleware, bounds it)."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that gives the (cleaned) body once, then listens to the client again."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _answer_json(send: Send, status: int, content: dict[str, str]) -> None:
    body = json.dumps(content).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class CleanInput:
    """ASGI middleware: clean the path, query string and form/JSON body of staff-side requests."""

    def __init__(self, app: ASGIApp, *, max_json_depth: int) -> None:
        self.app, self.max_json_depth = app, max_json_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(WEBHOOKS):
            await self.app(scope, receive, send)
            return
        if clean_text(scope["path"]) != scope["path"]:  # names nothing of ours
            await _answer_json(send, 404, {"detail": "Not Found"})
            return
        query = scope.get("query_string", b"")
        cleaned_query = clean_query(query)
        if cleaned_query is not query:
            scope = dict(scope, query_string=cleaned_query)
        kind = _header(scope, b"content-type").split(b";")[0].strip().lower()
        if kind not in (b"application/json", b"application/x-www-form-urlencoded"):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if kind == b"application/json":
            if json_too_deep(body, self.max_json_depth):
                await _answer_json(send, 400, both_languages("ops.json_too_deep"))
                return
            cleaned = clean_json(body)
        else:
            cleaned = clean_form(body)
        if cleaned is not body:
            scope = _with_length(scope, len(cleaned))
        await self.app(scope, _replay(cleaned, receive), send)


# -- security headers ----------------------------------------------------------------------
# Only our own origin; no inline script; no framing; forms post only to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


class SecurityHeaders:
    """ASGI middleware: the headers above on every response (a route's own CSP is kept)."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(WEBHOOKS):
            await self.app(scope, receive, send)  # providers' machines read no page: no headers
            return
        no_store = scope["path"].startswith(NO_STORE)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                message = dict(message, headers=self._added(headers, no_store))
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _added(
        self, headers: list[tuple[bytes, bytes]], no_store: bool
    ) -> list[tuple[bytes, bytes]]:
        present = {name.lower() for name, _ in headers}
        wanted = {
            b"content-security-policy": CONTENT_SECURITY_POLICY,
            b"x-frame-options": "DENY",
            b"x-content-type-options": "nosniff",
            b"referrer-policy": "same-origin",
        }
        if self.https:
            wanted[b"strict-transport-security"] = HSTS
        added = [(name, value.encode()) for name, value in wanted.items() if name not in present]
        if no_store:
            headers = [(name, value) for name, value in headers if name.lower() != b"cache-control"]
            added.append((b"cache-control", b"no-store"))
        return headers + added


# -- webhook fast path ---------------------------------------------------------------------
class WebhookFastPath:
    """ASGI middleware, outermost: a POST to a webhook goes straight to `webhooks` (the
    webhook routes with their own body limit, cleaning, signature checks and 503s), past the
    layers above, which do nothing for webhooks but cost about 8 % of a webhook's CPU."""

    def __init__(self, app: ASGIApp, *, webhooks: ASGIApp, paths: Iterable[str]) -> None:
        self.app, self.webhooks, self.paths = app, webhooks, frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in self.paths:
            await self.webhooks(scope, receive, send)
        else:
            await self.app(scope, receive, send)


# -- wiring -------------------------------------------------------------------------------
def install(app: FastAPI, *, settings: Settings, route_limits: dict[str, int]) -> None:
    """Add the three, outermost last: headers on every answer (a 413 too), then the limit."""
    app.add_middleware(CleanInput, max_json_depth=settings.max_json_depth)
    app.add_middleware(BodyLimit, default=settings.max_request_body_bytes, per_prefix=route_limits)
    app.add_middleware(
        SecurityHeaders,
        https=(settings.public_base_url or "").lower().startswith("https://"),
    )
