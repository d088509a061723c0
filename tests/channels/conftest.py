"""The whole service (real engine, real database, real libraries) against the provider fakes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlmodel import col

from bot.app import create_app
from bot.runtime import Runtime
from channels.intake import waiting
from core.settings import Settings
from db.models import Message
from tests.fakes._server import _Server
from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import WEBHOOK_SECRET_HEADER, telegram_update
from tests.fakes.twilio_api import FakeTwilioApi
from tests.fakes.twilio_webhooks import SANDBOX_NUMBER, new_sid, signed_whatsapp_form

# The fakes listen with socketserver's default backlog of 5; a burst of new connections from the
# sender's pool (64) then overflows it and the kernel resets some of them. Real providers do not.
_Server.request_queue_size = 256

PUBLIC = "https://air.example.id"
TG_SECRET = "tg-webhook-secret-0123456789"
TEMPLATE_NOTICE = "HX0000000000000000000000000000notice"


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Poll until `predicate()` is truthy (the sender works in the background)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def outbox_empty(engine: Engine, journal: Engine) -> bool:
    """Every stored customer message answered, and every reply delivered or settled."""
    if waiting(journal, limit=1):
        return False
    query = select(col(Message.id)).where(col(Message.status).in_(("pending", "sending")))
    with engine.connect() as conn:
        return conn.execute(query.limit(1)).first() is None


def provider_settings(
    settings: Settings, telegram: FakeTelegramApi, twilio: FakeTwilioApi, **overrides: Any
) -> Settings:
    """Both channels on, pointed at the fakes; rate limits off unless a test sets them."""
    values: dict[str, Any] = {
        "public_base_url": PUBLIC,
        "telegram_bot_token": SecretStr(telegram.token),
        "telegram_webhook_secret": SecretStr(TG_SECRET),
        "telegram_api_base_url": telegram.base_url,
        "telegram_rate_per_second": 0,
        "telegram_rate_per_chat_per_second": 0,
        "twilio_account_sid": twilio.account_sid,
        "twilio_auth_token": SecretStr(twilio.auth_token),
        "twilio_api_base_url": twilio.url,
        "twilio_whatsapp_from": SANDBOX_NUMBER,
        "twilio_rate_per_second": 0,
        "twilio_template_notice_sid": TEMPLATE_NOTICE,
    }
    return settings.model_copy(update=values | overrides)


class Service:
    """The running app, plus the ways a provider reaches it."""

    def __init__(
        self, client: TestClient, runtime: Runtime, tg: FakeTelegramApi, tw: FakeTwilioApi
    ) -> None:
        self.client, self.runtime, self.tg, self.tw = client, runtime, tg, tw
        self.engine = runtime.engine
        self._update_id = 1000

    def telegram(self, update: dict[str, Any], secret: str | None = TG_SECRET):
        headers = {WEBHOOK_SECRET_HEADER: secret} if secret is not None else {}
        return self.client.post("/webhooks/telegram", json=update, headers=headers)

    def next_update(self, chat_id: int, **fields: Any) -> dict[str, Any]:
        self._update_id += 1
        return telegram_update(self._update_id, chat_id, **fields)

    def whatsapp(self, body: str = "", *, from_: str = "whatsapp:+6281234567890", **fields: Any):
        fields.setdefault("message_sid", new_sid())
        url = PUBLIC + "/webhooks/whatsapp"
        token = self.tw.auth_token
        form, headers = signed_whatsapp_form(url, token, body=body, from_=from_, **fields)
        return self.client.post("/webhooks/whatsapp", data=form, headers=headers)

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until the sender has delivered (or settled) every queued reply."""
        self.runtime.channels.wake()
        journal = self.runtime.channels.journal
        wait_until(lambda: outbox_empty(self.engine, journal), timeout, "the outbox to empty")


@pytest.fixture
def make_service(
    settings: Settings,
    engine: Engine,
    fake_telegram: FakeTelegramApi,  # noqa: F811
    fake_twilio: FakeTwilioApi,  # noqa: F811
) -> Iterator[Callable[..., Service]]:
    """Start the service with both channels (settings overridable); stopped after the test."""
    clients: list[TestClient] = []

    def start(**overrides: Any) -> Service:
        configured = provider_settings(settings, fake_telegram, fake_twilio, **overrides)
        runtime = Runtime.start(configured, engine=engine)
        client = TestClient(create_app(configured, runtime=runtime))
        client.__enter__()
        clients.append(client)
        return Service(client, runtime, fake_telegram, fake_twilio)

    yield start
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def service(make_service) -> Service:
    return make_service()


class TelegramCustomer:
    """A person in a private chat with the bot: types, taps buttons, reads what arrives."""

    def __init__(self, service: Service, chat_id: int, name: str = "Budi Santoso"):
        self.service, self.chat_id, self.name = service, chat_id, name
        self._seen = 0

    def send(self, **fields: Any):
        update = self.service.next_update(self.chat_id, from_name=self.name, **fields)
        response = self.service.telegram(update)
        assert response.status_code == 200, response.text
        self.service.settle()
        return update

    def say(self, text: str) -> str:
        self.send(text=text)
        return self.read()

    def tap(self, callback_data: str) -> str:
        self.send(callback_data=callback_data)
        return self.read()

    def new_messages(self) -> list[dict[str, Any]]:
        messages = self.service.tg.sent_messages(self.chat_id)
        fresh, self._seen = messages[self._seen :], len(messages)
        return fresh

    def read(self) -> str:
        """Texts with their buttons' labels, as the customer sees them."""
        shown = ["\n".join([m["text"], *m["button_labels"]]) for m in self.new_messages()]
        return "\n\n".join(shown)


class WhatsAppCustomer:
    def __init__(self, service: Service, number: str = "+6281234567890"):
        self.service, self.address = service, f"whatsapp:{number}"
        self._seen = 0

    def say(self, text: str, **fields: Any) -> str:
        response = self.service.whatsapp(text, from_=self.address, **fields)
        assert response.status_code == 200, response.text
        self.service.settle()
        return self.read()

    def read(self) -> str:
        messages = self.service.tw.sent_messages(to=self.address)
        fresh, self._seen = messages[self._seen :], len(messages)
        return "\n\n".join(m["body"] or "" for m in fresh)
