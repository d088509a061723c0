"""kill -9 the running service mid-send, restart it: nothing is lost without a word.

The whole service runs in a subprocess (`kabar-air serve`) against the provider fakes, which
stop answering on cue so that requests are in flight at the provider when the process dies.
After the restart, every message was delivered exactly once (counted at the fake) or is listed
as `unknown` in the API and the console; the counts add up to the total; resending the listed
ones delivers exactly those. And the restarted process takes its dead predecessor's lease
over at once instead of waiting for it to expire.

Before: kill -9 at 70 % of a 3,000-subscriber notice lost 4 messages while the API said
`sent 2996, failed 0, pending 0`, and nothing was sent for about 19 s after the restart.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, update
from sqlmodel import col

from bench.chaos import NOTICE_TITLE, add_subscribers, publish_notice
from channels.messages import Choice, Outbound, render_numbered
from db.journal import intake_journal
from db.lease import LEASE
from db.models import Contact, Message
from tests.channels.conftest import outbox_empty, wait_until
from tests.channels.holding import Holding, HoldingTelegram, HoldingTwilio
from tests.fakes.telegram_updates import WEBHOOK_SECRET_HEADER, telegram_update
from tests.fakes.twilio_webhooks import SANDBOX_NUMBER, new_sid, signed_whatsapp_form
from tests.staff.factories import add_staff, api_token, login

pytestmark = pytest.mark.slow  # kabar-air in subprocesses, killed with SIGKILL

KABAR_AIR = Path(sys.executable).parent / "kabar-air"
SECRET = "crash-test-webhook-secret-0123456789"
TELEGRAM_SUBSCRIBERS, WHATSAPP_SUBSCRIBERS = 2000, 1000
BURST = 100  # customers per channel in the webhook burst


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Running:
    """One `kabar-air serve` process on the test database, pointed at the fakes."""

    def __init__(self, database_url: str, tg: HoldingTelegram, tw: HoldingTwilio, cwd: Path):
        self.port = free_port()
        self.log = cwd / f"service-{self.port}.log"
        self.base = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "ENVIRONMENT": "development",
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PUBLIC_BASE_URL": self.base,
            "LOG_LEVEL": "WARNING",
            "TELEGRAM_BOT_TOKEN": tg.token,
            "TELEGRAM_API_BASE_URL": tg.base_url,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_RATE_PER_SECOND": "0",
            "TELEGRAM_RATE_PER_CHAT_PER_SECOND": "0",
            "TWILIO_ACCOUNT_SID": tw.account_sid,
            "TWILIO_AUTH_TOKEN": tw.auth_token,
            "TWILIO_API_BASE_URL": tw.url,
            "TWILIO_WHATSAPP_FROM": SANDBOX_NUMBER,
            "TWILIO_RATE_PER_SECOND": "0",
            "OUTBOX_AFTER_CRASH": "hold",
        }
        self.process = subprocess.Popen(
            [str(KABAR_AIR), "serve"],
            env=env,
            cwd=cwd,  # no developer's .env
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("a"),  # a pipe nobody reads would fill and stop the service
        )
        try:
            wait_until(self._healthy, 60, "the service to start")
        except BaseException:
            self.stop()
            raise

    def _healthy(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the service died: {self.log.read_text()[-3000:]}")
        try:
            return httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        self.process.kill()  # SIGKILL: no clean stop, the lease and 'sending' rows stay behind
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@contextmanager
def fakes() -> Iterator[tuple[HoldingTelegram, HoldingTwilio]]:
    with HoldingTelegram() as tg, HoldingTwilio() as tw:
        yield tg, tw


def kill_mid_send(service: Running, held: tuple[Holding, ...], in_flight: int) -> None:
    """Make the providers stop answering, wait for sends in flight there, kill -9, and let
    the providers take what they had received (those messages reached the customers)."""
    for fake in held:
        fake.hold.set()
    wait_until(lambda: sum(f.waiting for f in held) >= in_flight, 30, "sends in flight")
    time.sleep(0.2)  # condition met; a few more may still be on their way in
    service.kill()
    for fake in held:
        fake.release.set()
    wait_until(lambda: all(f.answered == f.waiting for f in held), 30, "held sends answered")
    for fake in held:
        fake.hold.clear()


def sends(tg: HoldingTelegram, tw: HoldingTwilio) -> int:
    return len(tg.sent_messages()) + len(tw.sent_messages())


def restart(engine: Engine, database_url: str, tg: HoldingTelegram, tw: HoldingTwilio,
            cwd: Path) -> Running:  # fmt: skip
    """Start again: the dead process's leases are taken over at once, not waited out.

    On a busy machine start-up alone can outlast a 30-second lease, so the dead holder's
    leases are first pushed ten minutes out (as if it had just renewed long ones): a restart
    that waited for them would send nothing, and the test would time out.
    """
    with engine.begin() as conn:
        conn.execute(update(LEASE).values(expires_at=datetime.now(UTC) + timedelta(minutes=10)))
    service = Running(database_url, tg, tw, cwd)

    def holders() -> set[str]:
        with engine.connect() as conn:
            return {holder.split(":")[1] for holder in conn.scalars(select(LEASE.c.holder))}

    try:
        wait_until(lambda: holders() == {str(service.process.pid)}, 10, "the leases taken over")
    except BaseException:
        service.stop()
        raise
    return service


def admin_api(engine: Engine, base: str) -> httpx.Client:
    token = api_token(engine, add_staff(engine, "eka", "supervisor"))
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def listed_in_console(base: str, query: str = "") -> set[int]:
    """The ids on the console's unknown-messages page, as a supervisor sees them."""
    with httpx.Client(base_url=base, timeout=30) as browser:
        assert login(browser, "eka").status_code == 303  # type: ignore[arg-type]
        page = browser.get(f"/staff/outbox/unknown{query}")
        assert page.status_code == 200
        assert "pelanggan mungkin menerimanya dua kali" in page.text
        return {int(part.split('"')[0]) for part in page.text.split('data-message="')[1:]}


def unknown_ids(engine: Engine, **where: Any) -> set[int]:
    query = select(col(Message.id)).where(col(Message.status) == "unknown")
    for name, value in where.items():
        query = query.where(getattr(Message, name) == value)
    with engine.connect() as conn:
        return set(conn.scalars(query))


# -- (a) a notice to 3,000 subscribers ------------------------------------------------------


def received(tg: HoldingTelegram, tw: HoldingTwilio, marker: str) -> Counter[str]:
    """How many messages containing `marker` each address got at the fakes."""
    counts: Counter[str] = Counter()
    for m in tg.sent_messages():
        if marker in (m["text"] or ""):
            counts[str(m["chat_id"])] += 1
    for m in tw.sent_messages():
        if marker in (m["body"] or ""):
            counts[m["to"]] += 1
    return counts


def status_by_address(engine: Engine, notice_id: int) -> dict[str, tuple[int | None, str]]:
    query = (
        select(col(Contact.channel_user_id), col(Message.id), col(Message.status))
        .join(Contact, col(Contact.id) == col(Message.contact_id))
        .where(col(Message.notice_id) == notice_id)
    )
    with engine.connect() as conn:
        return {address: (i, status) for address, i, status in conn.execute(query)}


def test_kill_minus_9_during_a_3000_subscriber_notice_then_restart(database_url, engine, tmp_path):
    add_subscribers(engine, telegram=TELEGRAM_SUBSCRIBERS, whatsapp=WHATSAPP_SUBSCRIBERS)
    total = TELEGRAM_SUBSCRIBERS + WHATSAPP_SUBSCRIBERS
    with fakes() as (tg, tw):
        notice_id = publish_notice(engine)  # its publish push is due now
        first = Running(database_url, tg, tw, tmp_path)
        try:
            wait_until(lambda: sends(tg, tw) >= total * 0.7, 60, "70 % of the notice")
            kill_mid_send(first, (tg, tw), in_flight=16)
        finally:
            first.stop()
        second = restart(engine, database_url, tg, tw, tmp_path)
        try:
            api = admin_api(engine, second.base)

            def delivery() -> dict[str, int]:
                return api.get(f"/api/v1/notices/{notice_id}").json()["delivery"]

            wait_until(lambda: delivery()["pending"] == 0 and delivery()["targeted"] == total,
                       60, "the notice to finish")  # fmt: skip
            counts = delivery()
            assert (
                counts["sent"] + counts["failed"] + counts["unknown"] + counts["pending"] == total
            )
            assert counts["failed"] == 0 and counts["unknown"] >= 16
            listed = {m["id"] for m in api.get(
                "/api/v1/outbox/unknown", params={"notice_id": notice_id, "limit": 5000}
            ).json()}  # fmt: skip
            assert listed == unknown_ids(engine, notice_id=notice_id)
            assert len(listed) == counts["unknown"]
            assert listed_in_console(second.base, f"?notice={notice_id}") == listed

            got = received(tg, tw, NOTICE_TITLE)
            rows = status_by_address(engine, notice_id)
            assert len(rows) == total
            for address, (message_id, status) in rows.items():
                if message_id in listed:
                    assert got[address] <= 1, f"{address} got an unknown message twice"
                else:
                    assert (status, got[address]) == ("sent", 1), address

            resent = api.post("/api/v1/outbox/unknown/resend", json={"ids": sorted(listed)})
            assert resent.status_code == 200 and set(resent.json()["resent"]) == listed
            wait_until(lambda: delivery()["sent"] == total, 30, "the resent messages")
            again = received(tg, tw, NOTICE_TITLE)
            changed = {a for a in rows if again[a] != got[a]}
            assert changed == {a for a, (i, _) in rows.items() if i in listed}
            assert all(again[a] == got[a] + 1 for a in changed)
            assert delivery()["unknown"] == 0
        finally:
            second.stop()


# -- (b) a burst of 200 customer messages, and their replies --------------------------------


class Burst:
    """200 customers write at once; each message is posted until acknowledged, as providers do."""

    def __init__(self, tw: HoldingTwilio) -> None:
        self.tw = tw
        self.telegram = [
            telegram_update(9_000 + n, 8_000_000 + n, text="halo") for n in range(BURST)
        ]
        self.whatsapp = [(f"whatsapp:+62814{n:07d}", new_sid()) for n in range(BURST)]
        self.acknowledged: set[tuple[str, int]] = set()
        self.refusals: list[str] = []

    def post_all(self, base: str) -> None:
        todo = [("telegram", n) for n in range(BURST)] + [("whatsapp", n) for n in range(BURST)]
        todo = [key for key in todo if key not in self.acknowledged]
        with ThreadPoolExecutor(16) as pool:
            for key, ok in zip(todo, pool.map(lambda k: self._post(base, *k), todo), strict=True):
                if ok:
                    self.acknowledged.add(key)

    def _post(self, base: str, channel: str, n: int) -> bool:
        try:
            if channel == "telegram":
                headers = {WEBHOOK_SECRET_HEADER: SECRET}
                url, update = f"{base}/webhooks/telegram", self.telegram[n]
                response = httpx.post(url, json=update, headers=headers, timeout=10)
            else:
                url, (sender, sid) = f"{base}/webhooks/whatsapp", self.whatsapp[n]
                form, headers = signed_whatsapp_form(
                    url, self.tw.auth_token, body="halo", from_=sender, message_sid=sid
                )
                response = httpx.post(url, data=form, headers=headers, timeout=10)
        except httpx.HTTPError as error:
            self.refusals.append(f"{channel} {n}: {error!r}")
            return False  # the process died under it: the provider tries again later
        if response.status_code != 200:
            self.refusals.append(f"{channel} {n}: {response.status_code} {response.text[:200]}")
        return response.status_code == 200

    def addresses(self) -> set[str]:
        return {str(8_000_000 + n) for n in range(BURST)} | {sender for sender, _ in self.whatsapp}


def replies(engine: Engine) -> list[tuple[int, str, str, str]]:
    """Every reply row: id, address, the text the customer sees on its channel, status."""
    query = (
        select(col(Message.id), col(Contact.channel_user_id), col(Message.channel),
               col(Message.text), col(Message.choices), col(Message.status))
        .join(Contact, col(Contact.id) == col(Message.contact_id))
        .where(col(Message.direction) == "out")
    )  # fmt: skip
    with engine.connect() as conn:
        return [
            (row.id, row.channel_user_id, as_seen(row.channel, row.text, row.choices), row.status)
            for row in conn.execute(query)
        ]


def as_seen(channel: str, text: str, choices: list[dict[str, str]] | None) -> str:
    """WhatsApp has no buttons: its body carries the choices as a numbered list."""
    if channel != "whatsapp":
        return text
    options = tuple(Choice(label=c["label"], value=c["value"]) for c in choices or ())
    return render_numbered(Outbound(text=text, choices=options))


def at_fakes(tg: HoldingTelegram, tw: HoldingTwilio) -> Counter[tuple[str, str]]:
    """(address, text) → how many times the customer got it."""
    counts: Counter[tuple[str, str]] = Counter()
    for m in tg.sent_messages():
        counts[(str(m["chat_id"]), m["text"])] += 1
    for m in tw.sent_messages():
        counts[(m["to"], m["body"])] += 1
    return counts


def test_kill_minus_9_during_a_200_webhook_burst_then_restart(database_url, engine, tmp_path):
    journal = intake_journal(engine)
    with fakes() as (tg, tw):
        burst = Burst(tw)
        first = Running(database_url, tg, tw, tmp_path)
        try:
            with ThreadPoolExecutor(1) as poster:
                posting = poster.submit(burst.post_all, first.base)
                wait_until(lambda: sends(tg, tw) >= 60, 60, "the first replies")
                kill_mid_send(first, (tg, tw), in_flight=8)
                posting.result(60)
        finally:
            first.stop()
        second = restart(engine, database_url, tg, tw, tmp_path)
        try:
            burst.post_all(second.base)  # the providers redeliver what was not acknowledged
            assert len(burst.acknowledged) == 2 * BURST, burst.refusals[-5:]
            wait_until(lambda: outbox_empty(engine, journal), 60, "every message answered")

            rows = replies(engine)
            assert {address for _, address, _, _ in rows} == burst.addresses()  # all answered
            statuses = Counter(status for *_, status in rows)
            assert statuses["sent"] + statuses["unknown"] + statuses["failed"] == len(rows)
            assert statuses["unknown"] >= 8 and statuses["failed"] == 0
            api = admin_api(engine, second.base)
            listed = {m["id"] for m in api.get("/api/v1/outbox/unknown").json()}
            assert listed == unknown_ids(engine) and len(listed) == statuses["unknown"]
            assert listed_in_console(second.base) == listed

            got = at_fakes(tg, tw)
            expected: Counter[tuple[str, str]] = Counter()
            in_doubt: Counter[tuple[str, str]] = Counter()
            for message_id, address, text, _ in rows:
                (in_doubt if message_id in listed else expected)[(address, text)] += 1
            for key in set(got) | set(expected) | set(in_doubt):
                assert expected[key] <= got[key] <= expected[key] + in_doubt[key], key

            assert api.post("/api/v1/outbox/unknown/resend",
                            json={"ids": sorted(listed)}).status_code == 200  # fmt: skip
            wait_until(lambda: outbox_empty(engine, journal), 30, "the resent replies")
            again = at_fakes(tg, tw)
            assert sum(again.values()) - sum(got.values()) == len(listed)
            assert again - got == in_doubt  # exactly the listed ones, once each
        finally:
            second.stop()
            if journal is not engine:
                journal.dispose()
