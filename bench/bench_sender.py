"""Outbox sender throughput against the fake providers, rate limits off.

`.venv/bin/python bench/bench_sender.py [messages-per-channel] [sqlite|postgresql]`

The fake Telegram Bot API and fake Twilio API run in a separate process (so they do not
share this process's interpreter lock); the sender runs here exactly as in the service:
real python-telegram-bot `Bot`, real twilio `Client`, claims and results written to the
database in batches. Each message goes to its own chat, like a notice fan-out.
"""

from __future__ import annotations

import asyncio
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlmodel import col  # noqa: E402

from bot.database import upgrade  # noqa: E402
from channels.outbox import Sender  # noqa: E402
from channels.ratelimit import RateLimiter  # noqa: E402
from channels.telegram import TelegramChannel, make_bot  # noqa: E402
from channels.whatsapp import WhatsAppChannel, make_client  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.models import Contact, Message  # noqa: E402
from db.types import utcnow  # noqa: E402

FAKES = """
import sys, time
sys.path.insert(0, {root!r})
from tests.fakes._server import _Server
_Server.request_queue_size = 256
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
tg, tw = FakeTelegramApi().start(), FakeTwilioApi().start()
print(tg.base_url, tg.token, tw.url, tw.account_sid, tw.auth_token, flush=True)
sys.stdin.read()
"""


def start_fakes() -> tuple[subprocess.Popen, list[str]]:
    fakes = subprocess.Popen(
        [sys.executable, "-c", FAKES.format(root=str(ROOT))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert fakes.stdout is not None
    return fakes, fakes.stdout.readline().split()


def database(kind: str) -> str:
    """A fresh database for this run: a temporary SQLite file, or a new PostgreSQL database."""
    if kind != "postgresql":
        return f"sqlite:///{tempfile.mkdtemp(prefix='kabar-bench-')}/bench.db"
    server = os.environ.get("KABAR_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    name = f"kabar_bench_{os.getpid()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.rsplit("/", 1)[0] + f"/{name}"


def drop(url: str) -> None:
    if url.startswith("postgresql"):
        server, name = url.rsplit("/", 1)
        admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fill(engine, channel: str, count: int) -> None:
    """`count` contacts on `channel`, one pending message each."""
    now = utcnow()
    with engine.begin() as conn:
        first = conn.execute(Contact.__table__.select().order_by(col(Contact.id).desc()).limit(1))
        start = (first.first() or (0,))[0] + 1
        address = (
            (lambda n: str(10_000 + n))
            if channel == "telegram"
            else (lambda n: f"whatsapp:+62812{n:07d}")
        )
        contacts = [
            {"id": start + n, "channel": channel, "channel_user_id": address(start + n),
             "language": "id", "active": True, "opted_out": False, "needs_human": False,
             "last_inbound_at": now, "created_at": now}
            for n in range(count)
        ]  # fmt: skip
        conn.execute(insert(Contact.__table__), contacts)
        rows = [
            {"contact_id": c["id"], "direction": "out", "channel": channel, "attempts": 0,
             "text": f"Info gangguan air untuk pelanggan {c['id']}", "status": "pending",
             "created_at": now}
            for c in contacts
        ]  # fmt: skip
        conn.execute(insert(Message.__table__), rows)


async def drain(engine, channels: dict, concurrency: int) -> float:
    sender = Sender(engine=engine, channels=channels, concurrency=concurrency)
    started = time.perf_counter()
    assert await sender.run_until_idle(timeout=600), "did not finish"
    elapsed = time.perf_counter() - started
    await sender.stop()
    for channel in channels.values():
        await channel.close()
    return elapsed


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    kind = sys.argv[2] if len(sys.argv) > 2 else "sqlite"
    fakes, (tg_base, token, tw_url, sid, auth) = start_fakes()
    url = database(kind)
    engine = make_engine(url)
    upgrade(engine)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, database {kind}")  # fmt: skip
    try:
        for name in ("telegram", "whatsapp"):
            fill(engine, name, count)
            channel = (
                TelegramChannel(bot=make_bot(token=token, base_url=tg_base), limiter=RateLimiter(),
                                secret="bench")
                if name == "telegram"
                else WhatsAppChannel(
                    client=make_client(account_sid=sid, auth_token=auth, api_base_url=tw_url),
                    limiter=RateLimiter(), sender="whatsapp:+14155238886")
            )  # fmt: skip
            elapsed = asyncio.run(drain(engine, {name: channel}, concurrency=64))
            print(f"{name:9s} {count} messages in {elapsed:.2f}s = {count / elapsed:,.0f} msg/s")
    finally:
        fakes.kill()
        engine.dispose()
        drop(url)


if __name__ == "__main__":
    main()
