"""Pytest fixtures for the provider fakes; other test packages import them in their conftest:

from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramApi]:
    """A fresh fake Bot API per test, stopped (threads joined) afterwards."""
    with FakeTelegramApi() as fake:
        yield fake


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilioApi]:
    """A fresh fake Twilio REST API per test, stopped (threads joined) afterwards."""
    with FakeTwilioApi() as fake:
        yield fake
