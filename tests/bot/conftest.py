"""A customer talking to the real engine on a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from areas.reference import load_area_index
from bot.engine import ConversationEngine
from channels.messages import Inbound, Location, Media, render_numbered
from db.vocab import Channel

# A Wednesday, 10:00 WITA: inside business hours.
WEDNESDAY_10_WITA = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


class Customer:
    """Says things to the bot and reads the answers as the customer would see them."""

    def __init__(self, conversation: ConversationEngine, sender: str, channel: str = "console"):
        self.conversation = conversation
        self.sender = sender
        self.channel = channel
        self.now = WEDNESDAY_10_WITA
        self._raw = 0

    def say(
        self,
        text: str,
        *,
        media: tuple[str | Media, ...] = (),
        raw_id: str | None = None,
        location: Location | None = None,
    ) -> str:
        self.now += timedelta(seconds=20)
        files = tuple(m if isinstance(m, Media) else Media("photo", m) for m in media)
        inbound = Inbound(
            Channel(self.channel), self.sender, text, media=files, raw_id=raw_id, location=location
        )
        turn = self.conversation.handle(inbound, now=self.now, queue_replies=False)
        return "\n\n".join(render_numbered(reply) for reply in turn.replies)

    def wait(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def conversation(engine, settings) -> ConversationEngine:
    return ConversationEngine(engine=engine, settings=settings, areas=load_area_index(engine))


@pytest.fixture
def customer(conversation) -> Customer:
    return Customer(conversation, "62812000001")


@pytest.fixture
def other_customer(conversation) -> Customer:
    return Customer(conversation, "62812000002")
