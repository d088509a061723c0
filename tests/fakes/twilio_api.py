"""A fake Twilio REST API (Messages resource), driven through the real twilio client.

Point twilio at it with `fake.client()`, i.e.
`channels.twilio_client.make_twilio_client(fake.account_sid, fake.auth_token, fake.url)`.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qsl

import httpx
from twilio.rest import Client

from channels.twilio_client import make_twilio_client
from tests.fakes._failures import FailurePlan
from tests.fakes._server import FakeServer, Request, Response
from tests.fakes.twilio_webhooks import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_AUTH_TOKEN,
    new_sid,
    signed_status_callback_form,
)

_MEDIA_ROUTE = re.compile(
    r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages/(?P<message>MM\w+)/Media/(?P<sid>ME\w+)$"
)
_ROUTE = re.compile(r"^/2010-04-01/Accounts/(?P<account>[^/]+)/Messages(?:/(?P<sid>[^/]+))?\.json$")


@dataclass(frozen=True, slots=True)
class TwilioError:
    """A Twilio REST error reply; twilio raises TwilioRestException(.status, .code)."""

    status: int
    code: int
    message: str
    retry_after: int | None = None  # sent as a Retry-After header

    def response(self) -> Response:
        body = {
            "code": self.code,
            "message": self.message,
            "more_info": f"https://www.twilio.com/docs/errors/{self.code}",
            "status": self.status,
        }
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after is not None else {}
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
        return Response(self.status, json.dumps(body).encode(), headers=headers)


OUTSIDE_WINDOW = TwilioError(
    400,
    63016,
    "Failed to send freeform message because you are outside the allowed window. "
    "If you are using WhatsApp, please use a Message Template.",
)
UNSUBSCRIBED = TwilioError(400, 21610, "Attempt to send to unsubscribed recipient")
CHANNEL_RATE_LIMITED = TwilioError(429, 63018, "Rate limit exceeded for Channel")
INTERNAL_ERROR = TwilioError(500, 20500, "Internal Server Error")
SERVICE_UNAVAILABLE = TwilioError(503, 20503, "Service Unavailable")
AUTHENTICATE = TwilioError(401, 20003, "Authenticate")


def too_many_requests(retry_after: int = 1) -> TwilioError:
    """HTTP 429 from the API's concurrency limit, with a Retry-After header."""
    return TwilioError(429, 20429, "Too Many Requests", retry_after)


def not_found(path: str) -> TwilioError:
    return TwilioError(404, 20404, f"The requested resource {path} was not found")


@dataclass(frozen=True, slots=True)
class TwilioCall:
    """One request as the fake saw it; `error_code` set when it answered with an error."""

    method: str
    path: str
    params: dict[str, Any]
    status: int
    error_code: int | None
    at: float


class FakeTwilioApi(FakeServer):
    """Twilio REST on 127.0.0.1: basic auth checked, messages recorded, failures scriptable."""

    def __init__(
        self,
        account_sid: str = DEFAULT_ACCOUNT_SID,
        auth_token: str = DEFAULT_AUTH_TOKEN,
        *,
        delay_ms: int = 0,
    ) -> None:
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.delay_ms = delay_ms  # slow mode: every response waits this long
        self.calls: list[TwilioCall] = []
        self.failures: FailurePlan[TwilioError] = FailurePlan()
        self.messages: dict[str, dict[str, Any]] = {}  # sid -> Message resource
        self._sent: dict[str, dict[str, Any]] = {}  # sid -> what our code asked for
        self._lock = threading.Lock()
        self._auth = "Basic " + base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.media: dict[str, tuple[str, bytes]] = {}  # media sid -> (content type, bytes)
        self.media_fetches: list[tuple[str, bool]] = []  # (path, authenticated)

    def client(self) -> Client:
        """A real twilio Client wired to this fake through make_twilio_client."""
        return make_twilio_client(self.account_sid, self.auth_token, self.url)

    # --- scripting ------------------------------------------------------------------------

    def fail_next(
        self, error: TwilioError, times: int | None = 1, *, to: str | None = None
    ) -> None:
        """Answer the next `times` sends (to `to`) with `error`; times=None: until cleared."""
        self.failures.add(error, times, to=to)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.messages.clear()
            self._sent.clear()
        self.failures.clear()
        self.delay_ms = 0
        self.media.clear()
        self.media_fetches.clear()

    def send_status_callback(
        self,
        url: str | None,
        message_sid: str,
        status: str,
        error_code: int | None = None,
        auth_token: str | None = None,
        **httpx_kwargs: Any,
    ) -> httpx.Response:
        """POST a signed status callback for a message this fake accepted.

        `url` None uses the message's own StatusCallback. The stored resource takes the new
        status (and error_code), so a later fetch sees it too.
        """
        with self._lock:
            resource = self.messages[message_sid]
            resource.update(status=status, error_code=error_code, date_updated=_now())
        target = url or self._sent[message_sid].get("status_callback")
        if not target:
            raise ValueError(f"no url given and {message_sid} had no StatusCallback")
        params, headers = signed_status_callback_form(
            target,
            auth_token or self.auth_token,
            message_sid=message_sid,
            status=status,
            to=resource["to"],
            from_=resource["from"] or "",
            error_code=error_code,
            account_sid=self.account_sid,
        )
        return httpx.post(target, data=params, headers=headers, **httpx_kwargs)

    def add_media(
        self, content: bytes = b"\xff\xd8\xff\xe0fake-jpeg", content_type: str = "image/jpeg"
    ) -> str:
        """A file a customer sent, served at its media URL (basic auth) like Twilio does:
        a redirect to a storage address that serves the bytes with their Content-Type."""
        message, sid = new_sid("MM"), new_sid("ME")
        self.media[sid] = (content_type, content)
        return f"{self.url}/2010-04-01/Accounts/{self.account_sid}/Messages/{message}/Media/{sid}"

    # --- what the customer would see ----------------------------------------------------------

    def sent_messages(self, to: str | None = None) -> list[dict[str, Any]]:
        """Accepted messages in order: sid, to, from, messaging_service_sid, body, content_sid,
        content_variables (parsed JSON), media_urls, status_callback, status."""
        with self._lock:
            sent = [{**s, "status": self.messages[s["sid"]]["status"]} for s in self._sent.values()]
        return [s for s in sent if to is None or s["to"] == to]

    # --- server -----------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        if request.method == "GET" and (
            request.path.startswith("/media-store/") or _MEDIA_ROUTE.match(request.path)
        ):
            return self._media(request)
        pairs = parse_qsl(request.body.decode(), keep_blank_values=True) if request.body else []
        params: dict[str, Any] = dict(pairs)
        if media := [v for k, v in pairs if k == "MediaUrl"]:
            params["MediaUrl"] = media
        self.pause(self.delay_ms / 1000)
        response, code = self._route(request, params)
        self.calls.append(
            TwilioCall(request.method, request.path, params, response.status, code, time.time())
        )
        return response

    def _media(self, request: Request) -> Response:
        """Media URLs want the account's basic auth and redirect (307) to short-lived storage
        addresses, which serve the bytes without auth (as Twilio's S3 links do)."""
        authenticated = request.headers.get("authorization") == self._auth
        self.media_fetches.append((request.path, authenticated))
        if request.path.startswith("/media-store/"):
            found = self.media.get(request.path.removeprefix("/media-store/"))
            if found is None:
                return not_found(request.path).response()
            content_type, content = found
            return Response(200, content, content_type=content_type)
        match = _MEDIA_ROUTE.match(request.path)
        assert match is not None
        if not authenticated:
            return AUTHENTICATE.response()
        if match["account"] != self.account_sid or match["sid"] not in self.media:
            return not_found(request.path).response()
        location = f"{self.url}/media-store/{match['sid']}"
        return Response(307, b"", headers={"Location": location})

    def _route(self, request: Request, params: dict[str, Any]) -> tuple[Response, int | None]:
        match = _ROUTE.match(request.path)
        error: TwilioError | None = None
        if request.headers.get("authorization") != self._auth:
            error = AUTHENTICATE
        elif match is None or match["account"] != self.account_sid:
            error = not_found(request.path)
        elif request.method == "POST" and match["sid"] is None:
            result = self._create(params)
            if isinstance(result, TwilioError):
                error = result
            else:
                return Response(201, json.dumps(result).encode()), None
        elif request.method == "GET" and match["sid"] in self.messages:
            return Response(200, json.dumps(self.messages[match["sid"]]).encode()), None
        else:
            error = not_found(request.path)
        return error.response(), error.code

    def _create(self, params: dict[str, Any]) -> dict[str, Any] | TwilioError:
        to, from_ = params.get("To", ""), params.get("From")
        service = params.get("MessagingServiceSid")
        media = params.get("MediaUrl", [])
        if not to:
            return TwilioError(400, 21604, "A 'To' phone number is required.")
        if not from_ and not service:
            return TwilioError(400, 21603, "A 'From' phone number is required.")
        if not params.get("Body") and not media and not params.get("ContentSid"):
            return TwilioError(400, 21619, "A text message body or media urls must be specified.")
        if from_ and from_.startswith("whatsapp:") != to.startswith("whatsapp:"):
            return TwilioError(
                400, 21910, "Invalid From and To pair. From and To should be of the same channel"
            )
        if failure := self.failures.take(to=to):
            return failure
        sid, now = new_sid("SM" if not media else "MM"), _now()
        uri = f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}"
        resource = {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "body": params.get("Body", ""),
            "date_created": now,
            "date_sent": None,
            "date_updated": now,
            "direction": "outbound-api",
            "error_code": None,
            "error_message": None,
            "from": from_,
            "messaging_service_sid": service,
            "num_media": str(len(media)),
            "num_segments": "0" if service and not from_ else "1",
            "price": None,
            "price_unit": "USD",
            "sid": sid,
            "status": "accepted" if service and not from_ else "queued",
            "subresource_uris": {"media": f"{uri}/Media.json", "feedback": f"{uri}/Feedback.json"},
            "to": to,
            "uri": f"{uri}.json",
        }
        variables = params.get("ContentVariables")
        sent = {
            "sid": sid,
            "to": to,
            "from": from_,
            "messaging_service_sid": service,
            "body": params.get("Body"),
            "content_sid": params.get("ContentSid"),
            "content_variables": json.loads(variables) if variables else None,
            "media_urls": media,
            "status_callback": params.get("StatusCallback"),
        }
        with self._lock:
            self.messages[sid] = resource
            self._sent[sid] = sent
        return resource


def _now() -> str:
    """RFC 2822 in GMT, as Twilio formats date_created and friends."""
    return format_datetime(datetime.now(UTC).replace(microsecond=0))
