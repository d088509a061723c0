"""The outbox sender against the fake providers: once, in order, within limits, through failures."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from channels.outbox import Sender
from channels.ratelimit import RateLimiter
from channels.telegram import TelegramChannel, make_bot
from channels.whatsapp import WhatsAppChannel, make_client
from db.lease import LEASE
from db.models import Contact, Message
from db.types import utcnow
from tests.channels.conftest import wait_until
from tests.channels.holding import HoldingTelegram, HoldingTwilio
from tests.fakes._telegram_wire import BAD_GATEWAY, too_many_requests
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi

ROOT = Path(__file__).resolve().parents[2]


def add_contacts(engine, channel: str, count: int, start: int = 1000) -> list[int]:
    with Session(engine) as session:
        contacts = [
            Contact(channel=channel, channel_user_id=_address(channel, start + n),
                    last_inbound_at=utcnow())
            for n in range(count)
        ]  # fmt: skip
        session.add_all(contacts)
        session.commit()
        return [c.id for c in contacts if c.id is not None]


def _address(channel: str, n: int) -> str:
    return str(n) if channel == "telegram" else f"whatsapp:+62812{n:07d}"


def queue(engine, contact_ids: list[int], channel: str, texts: list[str], status="pending"):
    with Session(engine) as session:
        for contact_id in contact_ids:
            for text in texts:
                session.add(Message(contact_id=contact_id, direction="out", channel=channel,
                                    text=f"{text} #{contact_id}", status=status))  # fmt: skip
        session.commit()


def rows(engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.exec(select(Message).order_by(col(Message.id))))


def telegram_channel(fake: FakeTelegramApi, limiter: RateLimiter | None = None) -> TelegramChannel:
    bot = make_bot(token=fake.token, base_url=fake.base_url)
    return TelegramChannel(bot=bot, limiter=limiter or RateLimiter(), secret="x")


def whatsapp_channel(fake: FakeTwilioApi, limiter: RateLimiter | None = None) -> WhatsAppChannel:
    client = make_client(account_sid=fake.account_sid, auth_token=fake.auth_token,
                         api_base_url=fake.url)  # fmt: skip
    return WhatsAppChannel(client=client, limiter=limiter or RateLimiter(),
                           sender="whatsapp:+14155238886")  # fmt: skip


def run(engine, channels, timeout: float = 30, **options) -> Sender:
    options.setdefault("backoff_base", 0.05)
    sender = Sender(engine=engine, channels={c.name: c for c in channels}, **options)

    async def go() -> bool:
        try:
            return await sender.run_until_idle(timeout=timeout)
        finally:
            await sender.stop()
            for channel in channels:
                await channel.close()

    assert asyncio.run(go()), "the outbox did not empty in time"
    return sender


def test_every_row_is_sent_once_and_each_chat_keeps_its_order(engine, fake_telegram, fake_twilio):
    tg_contacts = add_contacts(engine, "telegram", 20)
    wa_contacts = add_contacts(engine, "whatsapp", 20)
    queue(engine, tg_contacts, "telegram", ["satu", "dua", "tiga"])
    queue(engine, wa_contacts, "whatsapp", ["satu", "dua", "tiga"])
    run(engine, [telegram_channel(fake_telegram), whatsapp_channel(fake_twilio)])

    for contact_id, chat in zip(tg_contacts, range(1000, 1020), strict=True):
        texts = [m["text"] for m in fake_telegram.sent_messages(chat)]
        assert texts == [f"{t} #{contact_id}" for t in ("satu", "dua", "tiga")]
    assert len(fake_twilio.sent_messages()) == 60
    for contact_id, n in zip(wa_contacts, range(1000, 1020), strict=True):
        bodies = [m["body"] for m in fake_twilio.sent_messages(to=_address("whatsapp", n))]
        assert bodies == [f"{t} #{contact_id}" for t in ("satu", "dua", "tiga")]
    stored = rows(engine)
    assert {r.status for r in stored} == {"sent"}
    assert all(r.provider_message_id and r.sent_at and r.attempts == 1 for r in stored)


def test_per_chat_limit_spaces_one_chats_messages(engine, fake_telegram):
    [contact] = add_contacts(engine, "telegram", 1)
    queue(engine, [contact], "telegram", [f"m{n}" for n in range(5)])
    limiter = RateLimiter(per_key_per_second=10, per_key_burst=1)
    run(engine, [telegram_channel(fake_telegram, limiter)])
    times = [c.at for c in fake_telegram.calls_to("sendMessage")]
    assert len(times) == 5
    assert times[-1] - times[0] >= 0.35  # 4 gaps of 0.1 s, allowing for timer slack


def test_overall_limit_holds_the_channel_rate(engine, fake_twilio):
    contacts = add_contacts(engine, "whatsapp", 30)
    queue(engine, contacts, "whatsapp", ["info"])
    started = time.monotonic()
    run(engine, [whatsapp_channel(fake_twilio, RateLimiter(per_second=20))])
    assert time.monotonic() - started >= 0.45  # 20 at once (one second's burst), 10 more at 20/s
    assert len(fake_twilio.sent_messages()) == 30


def test_gives_up_after_max_attempts_and_keeps_the_reason(engine, fake_telegram):
    [contact] = add_contacts(engine, "telegram", 1)
    queue(engine, [contact], "telegram", ["gagal"])
    fake_telegram.fail_next(BAD_GATEWAY, times=None, method="sendMessage")
    run(engine, [telegram_channel(fake_telegram)], max_attempts=3)
    [row] = rows(engine)
    assert row.status == "failed"
    assert row.attempts == 3
    assert "Bad Gateway" in row.last_error and "gave up after 3 attempts" in row.last_error
    assert len(fake_telegram.calls_to("sendMessage")) == 3


def test_retry_after_is_honoured(engine, fake_telegram):
    [contact] = add_contacts(engine, "telegram", 1)
    queue(engine, [contact], "telegram", ["tunggu"])
    fake_telegram.fail_next(too_many_requests(1), times=1, method="sendMessage")
    run(engine, [telegram_channel(fake_telegram)])
    first, second = fake_telegram.calls_to("sendMessage")
    assert first.error and second.error is None
    assert second.at - first.at >= 0.95
    [row] = rows(engine)
    assert (row.status, row.attempts) == ("sent", 1)


def test_a_slow_provider_delays_but_loses_nothing(engine, fake_telegram, fake_twilio):
    fake_telegram.delay_ms = fake_twilio.delay_ms = 150
    contacts = add_contacts(engine, "telegram", 30)
    queue(engine, contacts, "telegram", ["pelan"])
    wa = add_contacts(engine, "whatsapp", 30)
    queue(engine, wa, "whatsapp", ["pelan"])
    run(engine, [telegram_channel(fake_telegram), whatsapp_channel(fake_twilio)], concurrency=8)
    assert len(fake_telegram.sent_messages()) == 30
    assert len(fake_twilio.sent_messages()) == 30
    assert {r.status for r in rows(engine)} == {"sent"}


def test_after_a_crash_rows_left_sending_are_not_resent_and_pending_ones_are(engine, fake_telegram):
    contacts = add_contacts(engine, "telegram", 4)
    queue(engine, contacts[:2], "telegram", ["terputus"], status="sending")  # a dead sender's
    queue(engine, contacts[2:], "telegram", ["menunggu"])
    run(engine, [telegram_channel(fake_telegram)])
    sent = [m["text"] for m in fake_telegram.sent_messages()]
    assert sorted(sent) == sorted(f"menunggu #{c}" for c in contacts[2:])
    in_doubt = [r for r in rows(engine) if r.text.startswith("terputus")]
    assert {r.status for r in in_doubt} == {"unknown"}
    assert all("not sent again" in r.last_error for r in in_doubt)


def test_after_a_crash_with_resend_rows_left_sending_go_out_again_once(engine, fake_telegram):
    """OUTBOX_AFTER_CRASH=resend: at-least-once. The interrupted try counts as an attempt,
    so a message that brings the sender down every time ends 'unknown', not in a loop."""
    contacts = add_contacts(engine, "telegram", 3)
    queue(engine, contacts[:2], "telegram", ["terputus"], status="sending")
    queue(engine, contacts[2:], "telegram", ["beracun"], status="sending")
    with Session(engine) as session:
        poison = session.exec(select(Message).where(col(Message.text).startswith("beracun"))).one()
        poison.attempts = 2  # interrupted twice already
        session.add(poison)
        session.commit()
    run(engine, [telegram_channel(fake_telegram)], after_crash="resend", max_attempts=3)
    sent = sorted(m["text"] for m in fake_telegram.sent_messages())
    assert sent == sorted(f"terputus #{c}" for c in contacts[:2])
    by_text = {r.text: r for r in rows(engine)}
    assert [(by_text[f"terputus #{c}"].status, by_text[f"terputus #{c}"].attempts)
            for c in contacts[:2]] == [("sent", 2), ("sent", 2)]  # fmt: skip
    assert by_text[f"beracun #{contacts[2]}"].status == "unknown"


def test_a_sender_that_takes_the_lease_back_leaves_its_own_sends_alone(engine, fake_telegram):
    """Rows this process has in flight are its own, even if its lease lapsed meanwhile."""
    [contact] = add_contacts(engine, "telegram", 1)
    queue(engine, [contact], "telegram", ["milik sendiri"], status="sending")
    sender = Sender(engine=engine, channels={}, after_crash="resend")
    [row] = rows(engine)
    sender._claimed.add(row.id)

    async def go() -> None:
        sender._bind_loop()
        await sender._settle_interrupted()

    asyncio.run(go())
    assert rows(engine)[0].status == "sending"


def test_only_the_lease_holder_sends(engine, fake_telegram):
    contacts = add_contacts(engine, "telegram", 2)
    channel = telegram_channel(fake_telegram)
    first = Sender(engine=engine, channels={"telegram": channel}, lease_seconds=30)
    second = Sender(engine=engine, channels={"telegram": channel}, lease_seconds=30)

    async def go() -> None:
        first._bind_loop()
        second._bind_loop()
        await first.step()  # takes the lease
        queue(engine, contacts, "telegram", ["halo"])
        await second.step()
        assert second._in_flight == {}  # the second process only serves requests
        await first.stop()  # a clean stop hands the lease over at once
        assert await second.run_until_idle(timeout=10)
        await second.stop()

    asyncio.run(go())
    assert len(fake_telegram.sent_messages()) == 2


def start_worker(database_url: str, tg: FakeTelegramApi, tw: FakeTwilioApi) -> subprocess.Popen:
    args = [database_url, tg.base_url, tg.token, tw.url, tw.account_sid, tw.auth_token]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.channels.outbox_worker", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.slow
@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
def test_kill_minus_9_mid_queue_then_restart_delivers_every_message_once(
    database_url, engine, channel
):
    with HoldingTelegram() as tg, HoldingTwilio() as tw:
        fake = tg if channel == "telegram" else tw
        contacts = add_contacts(engine, channel, 60)
        queue(engine, contacts, channel, ["pertama", "kedua"])
        first = start_worker(database_url, tg, tw)
        wait_until(lambda: _delivered(tg, tw) >= 40, 30, "the first sends")
        fake.hold.set()  # the provider stops answering: every slot ends up waiting on it
        wait_until(lambda: fake.waiting == 8, 30, "all eight slots in flight at the provider")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        fake.release.set()  # the requests it had in flight were received: they count
        fake.hold.clear()

        with engine.begin() as conn:  # as if it had just renewed a long lease before dying:
            later = utcnow() + timedelta(minutes=10)  # the restart must not wait it out
            conn.execute(update(LEASE).values(expires_at=later))
        second = start_worker(database_url, tg, tw)
        assert second.wait(60) == 0, second.stdout.read()

        texts = _texts(tg, tw)
        expected = {f"{word} #{c}" for c in contacts for word in ("pertama", "kedua")}
        assert set(texts) == expected
        assert max(Counter(texts).values()) == 1, "a message was sent twice"
        statuses = Counter(r.status for r in rows(engine))
        assert statuses["unknown"] == 8  # in flight at the kill: received, never resent
        assert statuses["sent"] == 112


def _delivered(tg: FakeTelegramApi, tw: FakeTwilioApi) -> int:
    return len(tg.calls_to("sendMessage")) + len(tw.calls)


def _texts(tg: FakeTelegramApi, tw: FakeTwilioApi) -> list[str]:
    return [m["text"] for m in tg.sent_messages()] + [m["body"] for m in tw.sent_messages()]
