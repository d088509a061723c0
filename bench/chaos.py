"""Chaos: three service processes on one PostgreSQL database, two of them killed with SIGKILL.

`.venv/bin/python bench/chaos.py [--webhooks 3000] [--subscribers 20000] [--kills 2] [--seed N]`

Starts the fake Telegram and Twilio APIs (real HTTP servers, in this process), a fresh
PostgreSQL database (`--pg-url`, the server at 127.0.0.1:5432 by default; dropped at the end)
and three `kabar-air serve` processes on it, each on its own port, as on three hosts. Then:

* customers write in (Telegram and WhatsApp), each customer's messages one after the other,
  posted round-robin over the three processes; a post that fails (its process died) is
  posted again to the next one, as providers redeliver;
* a notice is published to `--subscribers` subscribers (half Telegram, half WhatsApp);
* at random moments a random process is killed with SIGKILL and started again.

When every message is answered and every push settled, it checks and prints: every inbound
message answered exactly once and in each customer's order; every reply and push delivered
once at the fakes, or listed `unknown` (delivered at most once); no second fan-out (one
scheduler); the send rate per channel, over all processes together, within the configured
pace (rate/s, no burst: at most rate + 1 in any second and 5×rate + 1 in any 5 s, counted as
the fakes received them, less JITTER for the network between) and
Telegram's per-chat limit (1/s, burst 3). `tests/channels/test_scale_out.py` runs a smaller
version and asserts the same (`check`).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.database import upgrade  # noqa: E402
from channels.messages import Choice, Outbound, render_numbered  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.lease import LEASE  # noqa: E402
from db.models import Contact, InboundReceipt, Message, Subscription  # noqa: E402
from outage_notices import service as notices  # noqa: E402
from outage_notices.policy import NoticePolicy  # noqa: E402
from tests.fakes._server import _Server  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramApi  # noqa: E402
from tests.fakes.telegram_updates import WEBHOOK_SECRET_HEADER, telegram_update  # noqa: E402
from tests.fakes.twilio_api import FakeTwilioApi  # noqa: E402
from tests.fakes.twilio_webhooks import SANDBOX_NUMBER, new_sid, signed_whatsapp_form  # noqa: E402
from tests.outage_notices.builders import LOK_BAINTAN  # noqa: E402

_Server.request_queue_size = 256  # the sender opens up to 64 connections at once
KABAR_AIR = Path(sys.executable).parent / "kabar-air"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET = "chaos-webhook-secret-0123456789"
NOTICE_TITLE = "Pipa transmisi pecah"
MESSAGE, CONTACT, RECEIPT = Message.__table__, Contact.__table__, InboundReceipt.__table__


@dataclass(frozen=True)
class Plan:
    processes: int = 3
    customers: int = 600  # half Telegram, half WhatsApp
    per_customer: int = 5  # messages each customer sends, one after the other
    subscribers: int = 20_000  # half Telegram, half WhatsApp
    kills: int = 2
    telegram_rate: float = 200.0  # per bot per second (Telegram's own is about 30)
    telegram_chat_rate: float = 1.0  # per chat per second (burst 3)
    twilio_rate: float = 200.0  # per sender number per second (Twilio MPS)
    kill_window: tuple[float, float] = (3.0, 25.0)  # seconds after the notice
    victims: str = "random"  # or "outbox holder": the first kill takes the sender down
    seed: int = 0
    timeout: float = 600.0


@dataclass
class Run:
    plan: Plan
    startup: float  # seconds until the first processes answered
    started: float = field(default_factory=time.time)
    kills: list[str] = field(default_factory=list)
    holders: dict[str, list[tuple[float, str]]] = field(default_factory=dict)  # lease → changes
    posts: int = 0
    reposts: int = 0
    acked: int = 0


# -- the service processes ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Service:
    """One `kabar-air serve` process on its own port (one "host")."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "PORT": str(self.port), "PUBLIC_BASE_URL": self.base}
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.workdir / f"service-{self.port}.log").open("a")
        self.process = subprocess.Popen(
            [str(KABAR_AIR), "serve"], env=self.env, cwd=self.workdir,
            stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip

    def wait_healthy(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                log = (self.workdir / f"service-{self.port}.log").read_text()
                raise RuntimeError(f"service on {self.port} died:\n{log[-3000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"service on {self.port} did not start")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def stop_all(services: list[Service]) -> None:
    """SIGTERM to all at once, then wait for each (a clean stop finishes its sends)."""
    for service in services:
        if service.process is not None and service.process.poll() is None:
            service.process.terminate()
    for service in services:
        service.stop()


def service_env(url: str, plan: Plan, tg: FakeTelegramApi, tw: FakeTwilioApi) -> dict[str, str]:
    return {
        **os.environ,
        "ENVIRONMENT": "development",
        "DATABASE_URL": url,
        "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "TELEGRAM_BOT_TOKEN": tg.token,
        "TELEGRAM_API_BASE_URL": tg.base_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_RATE_PER_SECOND": str(plan.telegram_rate),
        "TELEGRAM_RATE_PER_CHAT_PER_SECOND": str(plan.telegram_chat_rate),
        "TWILIO_ACCOUNT_SID": tw.account_sid,
        "TWILIO_AUTH_TOKEN": tw.auth_token,
        "TWILIO_API_BASE_URL": tw.url,
        "TWILIO_WHATSAPP_FROM": SANDBOX_NUMBER,
        "TWILIO_RATE_PER_SECOND": str(plan.twilio_rate),
        "OUTBOX_AFTER_CRASH": "hold",
    }


# -- the database ---------------------------------------------------------------------------


def fresh_database(admin_url: str) -> str:
    """A new, migrated database on the server of `admin_url`."""
    name = f"kabar_chaos_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def drop_database(admin_url: str, url: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def add_subscribers(engine: Engine, telegram: int, whatsapp: int) -> None:
    """`telegram` + `whatsapp` subscribers of Lok Baintan, written in two statements."""
    now = datetime.now(UTC)
    contacts = [
        {"channel": "telegram", "channel_user_id": str(7_000_000 + n)} for n in range(telegram)
    ]
    contacts += [
        {"channel": "whatsapp", "channel_user_id": f"whatsapp:+62813{n:07d}"}
        for n in range(whatsapp)
    ]
    common = {"language": "id", "active": True, "opted_out": False, "needs_human": False}
    with engine.begin() as conn:
        conn.execute(
            insert(CONTACT),
            [c | common | {"created_at": now, "last_inbound_at": now} for c in contacts],
        )
        ids = list(conn.scalars(select(CONTACT.c.id)))
        conn.execute(
            insert(Subscription.__table__),
            [{"contact_id": i, "area_code": LOK_BAINTAN, "created_at": now} for i in ids],
        )


def publish_notice(engine: Engine) -> int:
    """An urgent unplanned notice for Lok Baintan, published now; its id."""
    from sqlmodel import Session

    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        data = notices.NoticeInput(
            kind="unplanned", title=NOTICE_TITLE, areas=[LOK_BAINTAN], starts_at=now,
            expected_end_at=now + timedelta(hours=6), urgent=True,
            cause="Pipa transmisi pecah di Jl. A. Yani", advice="Mobil tangki di kantor desa",
        )  # fmt: skip
        notice = notices.create(session=session, data=data, policy=NoticePolicy.default(), now=now)
        assert notice.id is not None
        notices.publish(
            session=session, notice_id=notice.id, policy=NoticePolicy.default(), now=now
        )
        session.commit()
        return notice.id


# -- customers writing in -------------------------------------------------------------------


class Customers:
    """Each customer posts their messages in order, each until a process acknowledges it."""

    def __init__(self, plan: Plan, services: list[Service], tw: FakeTwilioApi, run: Run) -> None:
        self.plan, self.services, self.tw, self.run = plan, services, tw, run
        self._turn = count()
        self._lock = threading.Lock()

    def write_in(self) -> None:
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(self._customer, range(self.plan.customers)))

    def _customer(self, n: int) -> None:
        sid_of = [new_sid() for _ in range(self.plan.per_customer)]
        for k in range(self.plan.per_customer):
            while not self._post(n, k, sid_of[k]):
                with self._lock:
                    self.run.reposts += 1
                time.sleep(0.2)  # the provider tries again (at the next process)
            with self._lock:
                self.run.acked += 1

    def _post(self, n: int, k: int, sid: str) -> bool:
        service = self.services[next(self._turn) % len(self.services)]
        with self._lock:
            self.run.posts += 1
        try:
            if n % 2 == 0:
                update_id, chat = 1_000_000 + n * 100 + k, int(chat_of(n))
                update = telegram_update(update_id, chat, text=f"halo {k}", message_id=k + 1)
                response = httpx.post(
                    f"{service.base}/webhooks/telegram",
                    json=update,
                    headers={WEBHOOK_SECRET_HEADER: SECRET},
                    timeout=10,
                )
            else:
                url = f"{service.base}/webhooks/whatsapp"
                form, headers = signed_whatsapp_form(
                    url, self.tw.auth_token, body=f"halo {k}", from_=chat_of(n), message_sid=sid
                )
                response = httpx.post(url, data=form, headers=headers, timeout=10)
        except httpx.HTTPError:
            return False
        return response.status_code == 200


def chat_of(n: int) -> str:
    return str(8_000_000 + n) if n % 2 == 0 else f"whatsapp:+62815{n:07d}"


# -- the run --------------------------------------------------------------------------------


def watch_leases(engine: Engine, run: Run, stop: threading.Event) -> None:
    """Who holds each lease, sampled every 50 ms: the changes, for the figures."""
    while not stop.is_set():
        with engine.connect() as conn:
            rows = conn.execute(select(LEASE.c.name, LEASE.c.holder)).all()
        for name, holder in rows:
            changes = run.holders.setdefault(name, [])
            if not changes or changes[-1][1] != holder:
                changes.append((time.time() - run.started, holder))
        stop.wait(0.05)


def holder_pid(engine: Engine, name: str) -> int | None:
    with engine.connect() as conn:
        holder = conn.scalar(select(LEASE.c.holder).where(LEASE.c.name == name))
    return int(holder.split(":")[1]) if holder else None


def kill_and_restart(engine: Engine, services: list[Service], run: Run, rng: random.Random,
                     kill: int) -> None:  # fmt: skip
    victim = rng.choice(services)
    if kill == 0 and run.plan.victims == "outbox holder":
        pid = holder_pid(engine, "outbox")
        victim = next((s for s in services if s.pid == pid), victim)
    roles = [name for name in ("outbox", "notices") if holder_pid(engine, name) == victim.pid]
    victim.kill()
    run.kills.append(f"{time.time() - run.started:5.1f}s pid {victim.pid} "
                     f"(holding: {', '.join(roles) or 'no lease'})")  # fmt: skip
    time.sleep(1.0)
    victim.start()  # healthy again is checked at the end: the others carry on meanwhile


def settled(engine: Engine, plan: Plan, notice_id: int) -> bool:
    with engine.connect() as conn:
        waiting = conn.scalar(
            select(RECEIPT.c.raw_id).where(RECEIPT.c.processed_at.is_(None)).limit(1)
        )
        unfinished = conn.scalar(
            select(MESSAGE.c.id).where(MESSAGE.c.status.in_(("pending", "sending"))).limit(1)
        )
        pushes = conn.scalar(
            select(text("count(*)")).select_from(MESSAGE).where(MESSAGE.c.notice_id == notice_id)
        )
    return waiting is None and unfinished is None and pushes == plan.subscribers


def run_chaos(plan: Plan, admin_url: str = PG_URL) -> dict[str, Any]:
    """Run the whole scenario on a fresh database; returns the figures (see `check`)."""
    rng = random.Random(plan.seed)
    url = fresh_database(admin_url)
    engine = make_engine(url)
    stop, started = threading.Event(), time.time()
    try:
        half = plan.subscribers // 2
        add_subscribers(engine, telegram=half, whatsapp=plan.subscribers - half)
        with FakeTelegramApi() as tg, FakeTwilioApi() as tw, tempfile.TemporaryDirectory() as tmp:
            env = service_env(url, plan, tg, tw)
            services = [Service(env, Path(tmp)) for _ in range(plan.processes)]
            for service in services:
                service.start()
            try:
                for service in services:
                    service.wait_healthy()
                run = Run(plan, startup=round(time.time() - started, 1))
                threading.Thread(target=watch_leases, args=(engine, run, stop), daemon=True).start()
                customers = Customers(plan, services, tw, run)
                with ThreadPoolExecutor(1) as writer:
                    writing = writer.submit(customers.write_in)
                    time.sleep(1.0)
                    notice_id = publish_notice(engine)
                    published = time.time()
                    moments = sorted(rng.uniform(*plan.kill_window) for _ in range(plan.kills))
                    for kill, moment in enumerate(moments):
                        time.sleep(max(0.0, published + moment - time.time()))
                        kill_and_restart(engine, services, run, rng, kill)
                    writing.result(plan.timeout)
                deadline = time.monotonic() + plan.timeout
                while not settled(engine, plan, notice_id):
                    if time.monotonic() > deadline:
                        raise TimeoutError("the service did not settle")
                    time.sleep(0.5)
                run_seconds = time.time() - published
                for service in services:
                    service.wait_healthy()  # the restarted ones came back
            finally:
                stop.set()
                stop_all(services)
            return figures(engine, plan, run, tg, tw, notice_id, run_seconds)
    finally:
        engine.dispose()
        drop_database(admin_url, url)


# -- the checks -----------------------------------------------------------------------------


def as_seen(channel: str, body: str, choices: list[dict[str, str]] | None) -> str:
    """WhatsApp has no buttons: its body carries the choices as a numbered list."""
    if channel != "whatsapp":
        return body
    options = tuple(Choice(label=c["label"], value=c["value"]) for c in choices or ())
    return render_numbered(Outbound(text=body, choices=options))


def figures(engine: Engine, plan: Plan, run: Run, tg: FakeTelegramApi, tw: FakeTwilioApi,
            notice_id: int, seconds: float) -> dict[str, Any]:  # fmt: skip
    result: dict[str, Any] = {
        "plan": plan, "startup seconds": run.startup, "seconds": round(seconds, 1),
        "kills": run.kills,
        "posts": run.posts, "reposts": run.reposts, "acked": run.acked,
        "lease changes": {name: len(changes) for name, changes in run.holders.items()},
    }  # fmt: skip
    result |= inbound_figures(engine, plan)
    result |= delivery_figures(engine, tg, tw, notice_id)
    result |= rate_figures(plan, tg, tw)
    return result


def inbound_figures(engine: Engine, plan: Plan) -> dict[str, Any]:
    """Turns per provider message, each customer's order, and how soon messages were taken up."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(MESSAGE.c.id, MESSAGE.c.contact_id, MESSAGE.c.direction, MESSAGE.c.text,
                   MESSAGE.c.provider_message_id)
            .where(MESSAGE.c.notice_id.is_(None)).order_by(MESSAGE.c.id)
        ).all()  # fmt: skip
        waits = [
            (done - got).total_seconds()
            for got, done in conn.execute(select(RECEIPT.c.received_at, RECEIPT.c.processed_at))
            if done is not None
        ]
    turns = Counter(row.provider_message_id for row in rows if row.direction == "in")
    by_contact: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_contact[row.contact_id].append(row)
    unanswered = out_of_order = 0
    for messages in by_contact.values():
        seen = [int(m.text.split()[-1]) for m in messages if m.direction == "in"]
        out_of_order += seen != sorted(seen)
        for this, after in zip(messages, [*messages[1:], None], strict=True):
            unanswered += this.direction == "in" and (after is None or after.direction != "out")
    waits.sort()
    return {
        "inbound sent": plan.customers * plan.per_customer,
        "inbound answered": len(turns),
        "answered twice": sum(n > 1 for n in turns.values()),
        "unanswered": unanswered + plan.customers * plan.per_customer - len(turns),
        "customers out of order": out_of_order,
        "take-up p50 ms": round(1000 * statistics.median(waits)) if waits else None,
        "take-up p99 ms": round(1000 * waits[int(len(waits) * 0.99)]) if waits else None,
        "take-up max ms": round(1000 * waits[-1]) if waits else None,
    }


def delivery_figures(engine: Engine, tg: FakeTelegramApi, tw: FakeTwilioApi,
                     notice_id: int) -> dict[str, Any]:  # fmt: skip
    """Rows against what the fakes received: (address, text) → times."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(MESSAGE.c.id, CONTACT.c.channel_user_id, MESSAGE.c.channel, MESSAGE.c.text,
                   MESSAGE.c.choices, MESSAGE.c.status, MESSAGE.c.notice_id)
            .join_from(MESSAGE, CONTACT, CONTACT.c.id == MESSAGE.c.contact_id)
            .where(MESSAGE.c.direction == "out")
        ).all()  # fmt: skip
    got: Counter[tuple[str, str]] = Counter()
    for m in tg.sent_messages():
        got[(str(m["chat_id"]), m["text"])] += 1
    for m in tw.sent_messages():
        got[(m["to"], m["body"])] += 1
    expected: Counter[tuple[str, str]] = Counter()
    in_doubt: Counter[tuple[str, str]] = Counter()
    for row in rows:
        key = (row.channel_user_id, as_seen(row.channel, row.text, row.choices))
        (in_doubt if row.status == "unknown" else expected)[key] += 1
    keys = set(got) | set(expected) | set(in_doubt)
    statuses = Counter(row.status for row in rows)
    pushes = Counter(row.channel_user_id for row in rows if row.notice_id == notice_id)
    return {
        "replies and pushes": len(rows),
        "sent": statuses["sent"], "unknown": statuses["unknown"], "failed": statuses["failed"],
        "pending": statuses["pending"] + statuses["sending"],
        "received at the fakes": sum(got.values()),
        "delivered twice": sum(max(0, got[k] - expected[k] - in_doubt[k]) for k in keys),
        "lost": sum(max(0, expected[k] - got[k]) for k in keys),
        "subscribers pushed twice": sum(n > 1 for n in pushes.values()),
    }  # fmt: skip


def rate_figures(plan: Plan, tg: FakeTelegramApi, tw: FakeTwilioApi) -> dict[str, Any]:
    """The busiest 1 s and 5 s windows per channel, and per Telegram chat, all processes."""
    telegram = [c for c in tg.calls_to("sendMessage") if c.error is None]
    twilio = [c.at for c in tw.calls if c.method == "POST" and c.status < 300]
    per_chat: dict[str, list[float]] = defaultdict(list)
    for call in telegram:
        per_chat[str(call.params.get("chat_id"))].append(call.at)
    return {
        "telegram busiest 1 s": busiest([c.at for c in telegram], 1.0 - JITTER),
        "telegram busiest 5 s": busiest([c.at for c in telegram], 5.0 - JITTER),
        "telegram limit 1 s / 5 s": (plan.telegram_rate + 1, 5 * plan.telegram_rate + 1),
        "twilio busiest 1 s": busiest(twilio, 1.0 - JITTER),
        "twilio busiest 5 s": busiest(twilio, 5.0 - JITTER),
        "twilio limit 1 s / 5 s": (plan.twilio_rate + 1, 5 * plan.twilio_rate + 1),
        "telegram busiest chat 1 s": max((busiest(t, 1.0) for t in per_chat.values()), default=0),
        "telegram chat limit 1 s": plan.telegram_chat_rate + 3,
    }


# Requests sent at an even pace reach the fakes a few milliseconds apart unevenly (threads,
# loopback): a window this much shorter than the provider's second is what the sender controls.
JITTER = 0.02


def busiest(times: list[float], window: float) -> int:
    """The most events in any `window` seconds (a sliding window)."""
    times, most, start = sorted(times), 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= window:
            start += 1
        most = max(most, end - start + 1)
    return most


def check(result: dict[str, Any]) -> list[str]:
    """What went wrong, in words; empty when every invariant held."""
    problems = [
        f"{name}: {result[name]}"
        for name in ("answered twice", "unanswered", "customers out of order", "failed",
                     "pending", "delivered twice", "lost", "subscribers pushed twice")
        if result[name]
    ]  # fmt: skip
    if result["inbound answered"] != result["inbound sent"]:
        problems.append(f"answered {result['inbound answered']} of {result['inbound sent']}")
    for channel in ("telegram", "twilio"):
        one, five = result[f"{channel} limit 1 s / 5 s"]
        if result[f"{channel} busiest 1 s"] > one or result[f"{channel} busiest 5 s"] > five:
            problems.append(f"{channel} over its rate limit")
    if result["telegram busiest chat 1 s"] > result["telegram chat limit 1 s"]:
        problems.append("a Telegram chat over its limit")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--webhooks", type=int, default=3000)
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--seed", type=int, default=random.randrange(1_000_000))
    args = parser.parse_args()
    plan = Plan(customers=args.webhooks // 5, subscribers=args.subscribers, kills=args.kills,
                seed=args.seed)  # fmt: skip
    result = run_chaos(plan, args.pg_url)
    for name, value in result.items():
        print(f"{name:28} {value}")
    problems = check(result)
    print("OK: every invariant held" if not problems else "FAILED: " + "; ".join(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
