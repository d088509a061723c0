"""A twilio REST client that can talk to a Twilio-compatible gateway or a local test fake.

twilio's Client has no base-URL option, so the HTTP client rewrites the `https://api.twilio.com`
origin (and only that origin) to the configured base URL; auth, form encoding and error parsing
(TwilioRestException with .code and .status) stay twilio's own.
"""

from __future__ import annotations

import os
from typing import Any

from requests.adapters import HTTPAdapter
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

TWILIO_API_ORIGIN = "https://api.twilio.com"


class BaseUrlHttpClient(TwilioHttpClient):
    """TwilioHttpClient that sends api.twilio.com requests to `base_url` instead."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")
        if self.session is not None and self.base_url.startswith("http://"):
            # twilio only sizes the pool for https://; plain-http gateways get the same pool.
            self.session.mount(
                "http://", HTTPAdapter(pool_maxsize=min(32, (os.cpu_count() or 1) + 4))
            )

    def rewrite(self, url: str) -> str:
        rest = url[len(TWILIO_API_ORIGIN) :]
        if url.startswith(TWILIO_API_ORIGIN) and rest[:1] in ("", "/", "?"):
            return self.base_url + rest
        return url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        return super().request(method, self.rewrite(url), *args, **kwargs)


def make_twilio_client(account_sid: str, auth_token: str, api_base_url: str | None) -> Client:
    """The twilio Client for our account; `api_base_url` None means the real api.twilio.com."""
    if not api_base_url:
        return Client(account_sid, auth_token)
    client = Client(account_sid, auth_token, http_client=BaseUrlHttpClient(api_base_url))
    # TWILIO_REGION/TWILIO_EDGE in the environment would turn api.twilio.com into
    # api.<edge>.<region>.twilio.com, which the rewrite (rightly) leaves alone: a gateway has
    # one address, so ignore them rather than leak requests to the real Twilio.
    client.region = client.edge = None
    return client
