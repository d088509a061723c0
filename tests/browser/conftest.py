"""A real service on 127.0.0.1 (uvicorn in a thread) with the provider fakes, and Debian's Chromium.

Needs `apt-get install chromium` (launched from /usr/bin/chromium by its path).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import cast

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, sync_playwright

from bot.app import create_app
from bot.runtime import Runtime
from outage_notices.policy import NoticePolicy
from tests.channels.conftest import Service, provider_settings
from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """uvicorn serving the app in a background thread, stopped by the fixture."""

    def __init__(self, app) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the service did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


def _notice_dispatcher(runtime: Runtime):
    """The service's own notice scheduler if it runs one; otherwise start one for the test."""
    if callable(getattr(runtime, "wake_notices", None)):
        return None
    from outage_notices.scheduled import start_scheduler

    return start_scheduler(
        engine=runtime.engine,
        policy=NoticePolicy.from_settings(runtime.settings),
        interval_seconds=0.5,
        wake=runtime.wake_outbox,
    )


class LiveService(Service):
    """`Service` on a real server: webhooks go over HTTP, and the pages are at `url`."""

    def __init__(
        self,
        client: httpx.Client,
        runtime: Runtime,
        tg: FakeTelegramApi,
        tw: FakeTwilioApi,
        *,
        url: str,
    ) -> None:
        # Service only calls the request methods TestClient inherits from httpx.Client.
        super().__init__(cast(TestClient, client), runtime, tg, tw)
        self.url = url


@pytest.fixture
def live(settings, engine, fake_telegram, fake_twilio) -> Iterator[LiveService]:  # noqa: F811
    """The whole service over real HTTP, channels pointed at the fakes."""
    configured = provider_settings(settings, fake_telegram, fake_twilio)
    runtime = Runtime.start(configured, engine=engine)
    with LiveServer(create_app(configured, runtime=runtime)) as server:
        scheduler = _notice_dispatcher(runtime)
        client = httpx.Client(base_url=server.url, timeout=10)
        service = LiveService(client, runtime, fake_telegram, fake_twilio, url=server.url)
        try:
            yield service
        finally:
            client.close()
            if scheduler is not None:
                scheduler.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Module-scoped: Playwright's sync API runs an event loop in this thread until it stops,
    and later tests that call asyncio.run() need the thread free again."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
