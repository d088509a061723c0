"""Webhook routes for Telegram and Twilio: verify, translate, take in, acknowledge.

Every request is authenticated before anything is read into the database (Telegram's secret
token header; Twilio's X-Twilio-Signature); a bad one gets 403 and changes nothing. A body
we cannot read gets 400 (never 500), a JSON body nested deeper than a real update ever is
included: the provider gives such a request up after a few attempts, while a 5xx means
"try again", and a refused update from a forger with the secret is no loss. The
customer's message and the bot's replies are stored in one transaction before we answer
200, and the replies are delivered afterwards by the outbox sender.

Reverse proxies: Twilio signs the URL *it* called. Set PUBLIC_BASE_URL to the public
origin (e.g. https://air.example.id) and the signature is checked against
PUBLIC_BASE_URL + path, whatever host/port the proxy forwards to.
"""

from __future__ import annotations

import functools
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Route, Router
from twilio.request_validator import RequestValidator

from channels import telegram as tg
from channels import whatsapp as wa
from channels.registry import ChannelHub
from channels.whatsapp_status import apply_status
from core.http_limits import ASGIApp, BodyLimit, json_too_deep, row_id
from core.text_input import clean_text

log = logging.getLogger("kabar_air.webhooks")

MAX_BODY = 256 * 1024  # Telegram updates and Twilio forms are a few kB
MAX_UPDATE_DEPTH = 16  # a Telegram update nests about six levels (a reply's reply's photo)
MAX_FORM_FIELDS = 1000  # as Starlette's request.form(); Twilio sends about 20
FORM = "application/x-www-form-urlencoded"
BODY_LIMITS = {"/webhooks/": MAX_BODY}  # for core.http_limits.BodyLimit, before any route


Endpoint = Callable[[Request], Awaitable[Response]]


def webhook_endpoints(hub: Callable[[], ChannelHub | None]) -> dict[str, Endpoint]:
    """POST path → handler, each looking the hub up per request (it is built before the app
    starts). Plain request → response functions: they need nothing of FastAPI's machinery."""

    async def telegram_webhook(request: Request) -> Response:
        channels = hub()
        if channels is None or channels.telegram is None:
            return _problem(404, "telegram is not enabled")
        given = request.headers.get(tg.SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), channels.telegram.secret.encode()):
            return _problem(403, "wrong or missing secret token")
        body = await request.body()
        if len(body) > MAX_BODY:
            return _problem(413, "update too large")
        if json_too_deep(body, MAX_UPDATE_DEPTH):
            return _problem(400, "not a Telegram update: nested too deeply")
        try:
            update = tg.parse_update(json.loads(body))
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            return _problem(400, f"not a Telegram update: {exc}")
        return await _failure_of(channels.take_telegram(update)) or Response(status_code=200)

    async def whatsapp_webhook(request: Request) -> Response:
        channels = hub()
        form = await _signed_form(request, channels)
        if isinstance(form, Response):
            return form
        try:
            inbound = wa.parse_form(form)
        except ValueError as exc:
            return _problem(400, str(exc))
        failed = await _failure_of(channels.take(inbound))  # type: ignore[union-attr]
        return failed or Response(wa.EMPTY_TWIML, media_type="text/xml")

    async def whatsapp_status(request: Request) -> Response:
        channels = hub()
        form = await _signed_form(request, channels)
        if isinstance(form, Response):
            return form
        sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
        if not sid or not status:
            return _problem(400, "MessageSid and MessageStatus are required")
        assert channels is not None and channels.whatsapp is not None
        change = await run_in_threadpool(
            apply_status,
            channels.engine,
            sid=sid,
            twilio_status=status,
            error_code=form.get("ErrorCode", ""),
            has_template=channels.whatsapp.has_template,
            message_id=_message_id(request.query_params.get(wa.MESSAGE_PARAM)),
        )
        if change.resend:
            channels.wake()
        return Response(status_code=204)

    return {
        tg.WEBHOOK_PATH: telegram_webhook,
        wa.WEBHOOK_PATH: whatsapp_webhook,
        wa.STATUS_PATH: whatsapp_status,
    }


def webhook_router(endpoints: dict[str, Endpoint]) -> APIRouter:
    """The webhooks as routes of the app (what bot.app's fast path does not take goes here)."""
    router = APIRouter(include_in_schema=False)
    for path, endpoint in endpoints.items():
        router.add_api_route(path, endpoint, methods=["POST"])
    return router


def webhook_app(endpoints: dict[str, Endpoint], *, handlers: dict[Any, Any]) -> ASGIApp:
    """The webhooks alone, as the app would run them: their body limit, then the routes, with
    the app's exception `handlers` (a database that is down gives 503, not 500)."""
    routes = [Route(path, endpoint, methods=["POST"]) for path, endpoint in endpoints.items()]
    handled = ExceptionMiddleware(Router(routes), handlers=handlers)
    return BodyLimit(handled, default=MAX_BODY, per_prefix={})


async def _signed_form(request: Request, channels: ChannelHub | None) -> dict[str, str] | Response:
    """The form fields, if Twilio signed them for our URL; otherwise the error response."""
    if channels is None or channels.whatsapp is None:
        return _problem(404, "whatsapp is not enabled")
    signature = request.headers.get(wa.SIGNATURE_HEADER, "")
    if not signature:
        return _problem(403, "missing X-Twilio-Signature")
    if int(request.headers.get("content-length") or 0) > MAX_BODY:
        return _problem(413, "form too large")
    try:
        form = await _form(request)
    except Exception:  # a malformed multipart/urlencoded body
        return _problem(400, "unreadable form body")
    url = wa.signed_url(
        public_base_url=channels.settings.public_base_url,
        path=request.scope["path"],
        query=request.scope["query_string"].decode("latin-1"),
        seen_url=lambda: str(request.url),  # built only without PUBLIC_BASE_URL
    )
    token = channels.settings.twilio_auth_token.get_secret_value()
    if not _signed_by_twilio(_validator(token), url, form, signature):
        return _problem(403, "X-Twilio-Signature does not match")
    return {clean_text(key): clean_text(value) for key, value in form.items()}  # signed as sent


async def _form(request: Request) -> dict[str, str]:
    """The form's text fields. Twilio posts urlencoded forms: parsed here as Starlette would
    (latin-1, then percent-decoding as UTF-8) at a fraction of python-multipart's cost."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != FORM:
        raw = await request.form()
        return {key: value for key, value in raw.multi_items() if isinstance(value, str)}
    return form_fields((await request.body()).decode("latin-1"))


def form_fields(body: str) -> dict[str, str]:
    """`dict(parse_qsl(body, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS))`, at a
    third of its cost: a field needing no decoding (most of Twilio's) is taken as it is."""
    if body.count("&") >= MAX_FORM_FIELDS:
        raise ValueError("Max number of fields exceeded")
    fields: dict[str, str] = {}
    for pair in body.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            fields[_unquoted(name)] = _unquoted(value)
    return fields


def _unquoted(text: str) -> str:
    """As parse_qsl decodes a name or value: '+' is a space, then %XX as UTF-8."""
    if "%" not in text and "+" not in text:
        return text
    return unquote(text.replace("+", " "), encoding="utf-8", errors="replace")


def _signed_by_twilio(
    validator: RequestValidator, url: str, form: dict[str, str], signature: str
) -> bool:
    """Twilio's own check, the URL exactly as we know it first: one HMAC where the library's
    `validate` always computes two (with and without a port), which it still does when that
    first one does not match."""
    expected = validator.compute_signature(url, form)
    given = signature.encode("utf-8", "surrogatepass")  # any header text, never a TypeError
    return hmac.compare_digest(expected.encode(), given) or validator.validate(url, form, signature)


@functools.lru_cache(maxsize=4)
def _validator(token: str) -> RequestValidator:
    """One validator per auth token (per channel), not one per request."""
    return RequestValidator(token)


def _message_id(value: str | None) -> int | None:
    """Our message row named in a status callback's URL (signed by Twilio with it)."""
    return row_id(value)


async def _failure_of(work: Awaitable[object]) -> Response | None:
    """Run intake: None when the message is taken in; a failure of ours is 503, so the
    provider redelivers later."""
    try:
        await work
    except Exception:
        log.exception("intake failed")
        return _problem(503, "temporarily unable to take this message")
    return None


def _problem(status: int, detail: str) -> Response:
    return JSONResponse({"detail": detail}, status_code=status)
