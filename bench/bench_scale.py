"""Scale-out on PostgreSQL: webhook intake and the sender with 1, 2 and 3 service processes.

`.venv/bin/python bench/bench_scale.py [--messages 4000] [--sends 6000] [--processes 1,2,3]`

Needs a quiet machine (it loads every core): run it alone. For each process count, in one
run: a fresh PostgreSQL database (`--pg-url`), the fake provider APIs in a subprocess, N
`kabar-air serve` processes on their own ports (as N hosts; `serve --workers N` shares one
port instead). Then

* intake: `--messages` distinct Telegram webhooks (3,000 customers) posted round-robin over
  the N processes from 16 connections; "acknowledged" is the rate of 200 answers, "answered"
  the rate at which the conversation took them up (the last receipt's processed_at), which is
  what several processes are for; "wake" the take-up delay of a lone message on an idle
  service (p50 of 10);
* sender: `--sends` pending outbound rows (Telegram), rate limits off, timed until none is
  pending. One process sends at a time (the outbox lease, see channels/outbox.py), so this
  stays near 1.0× by design.

Each process count is measured `--trials` times (3), interleaved (1, 2, 3, 1, 2, 3, ...), and
a trial's ratios are taken against one process in the same trial: this machine's speed drifts
by tens of percent within minutes, and six single runs of one tree gave 2 processes
1.22-1.57x. Prints every trial, then the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import Engine, func, select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_sender import fill, start_fakes  # noqa: E402
from bench.chaos import PG_URL, SECRET, Service, drop_database, fresh_database  # noqa: E402
from db.engine import make_engine  # noqa: E402
from db.models import InboundReceipt, Message  # noqa: E402

RECEIPT, MESSAGE = InboundReceipt.__table__, Message.__table__
CONCURRENCY = 16


def env_for(url: str, fakes: list[str]) -> dict[str, str]:
    tg_base, token, tw_url, sid, auth = fakes
    return {
        **os.environ, "ENVIRONMENT": "development", "DATABASE_URL": url, "HOST": "127.0.0.1",
        "LOG_LEVEL": "WARNING", "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": tg_base,
        "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_RATE_PER_SECOND": "0",
        "TELEGRAM_RATE_PER_CHAT_PER_SECOND": "0", "TWILIO_ACCOUNT_SID": sid,
        "TWILIO_AUTH_TOKEN": auth, "TWILIO_API_BASE_URL": tw_url,
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "TWILIO_RATE_PER_SECOND": "0",
    }  # fmt: skip


def update(n: int, first: int) -> bytes:
    chat = 600_000 + n % 3000
    return json.dumps({"update_id": first + n, "message": {
        "message_id": n + 1, "date": 1_700_000_000, "text": "halo",
        "chat": {"id": chat, "type": "private", "first_name": "Budi"},
        "from": {"id": chat, "is_bot": False, "first_name": "Budi"}}}).encode()  # fmt: skip


async def post_all(bases: list[str], bodies: list[bytes]) -> float:
    """Post every body round-robin over `bases`; seconds until the last 200."""
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    position, failures = 0, 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as s:

        async def worker() -> None:
            nonlocal position, failures
            while position < len(bodies):
                n, position = position, position + 1
                url = f"{bases[n % len(bases)]}/webhooks/telegram"
                async with s.post(url, data=bodies[n], headers=headers) as response:
                    await response.read()
                    failures += response.status != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    if failures:
        print(f"  ! {failures} webhooks not acknowledged")
    return time.perf_counter() - started


def waiting(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(
            select(func.count()).select_from(RECEIPT).where(RECEIPT.c.processed_at.is_(None))
        ) or 0)  # fmt: skip


def pending(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(
            select(func.count()).select_from(MESSAGE)
            .where(MESSAGE.c.status.in_(("pending", "sending")))
        ) or 0)  # fmt: skip


def until(predicate: Any, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the service did not finish")
        time.sleep(0.05)


def intake(engine: Engine, bases: list[str], messages: int, first: int) -> dict[str, float]:
    bodies = [update(n, first) for n in range(messages)]
    started = time.perf_counter()
    acknowledged = asyncio.run(post_all(bases, bodies))
    until(lambda: waiting(engine) == 0)
    answered = time.perf_counter() - started
    return {"acknowledged": messages / acknowledged, "answered": messages / answered}


def wake(engine: Engine, bases: list[str], first: int) -> float:
    """Take-up delay (ms, p50 of 10) of one message posted to an idle service."""
    delays = []
    for n in range(10):
        until(lambda: waiting(engine) == 0 and pending(engine) == 0)
        time.sleep(0.5)
        asyncio.run(post_all([bases[n % len(bases)]], [update(n, first)]))
        until(lambda: waiting(engine) == 0, 30)
        with engine.connect() as conn:
            got, done = conn.execute(
                select(RECEIPT.c.received_at, RECEIPT.c.processed_at)
                .where(RECEIPT.c.raw_id == str(first + n))
            ).one()  # fmt: skip
        delays.append((done - got).total_seconds() * 1000)
    return statistics.median(delays)


def sender(engine: Engine, sends: int) -> float:
    until(lambda: pending(engine) == 0)
    started = time.perf_counter()
    fill(engine, "telegram", sends)
    until(lambda: pending(engine) == 0)
    return sends / (time.perf_counter() - started)


def measure(processes: int, args: argparse.Namespace, fakes: list[str]) -> dict[str, float]:
    url = fresh_database(args.pg_url)
    engine = make_engine(url)
    services = [Service(env_for(url, fakes), Path(args.workdir)) for _ in range(processes)]
    try:
        for service in services:
            service.start()
        for service in services:
            service.wait_healthy()
        bases = [service.base for service in services]
        intake(engine, bases, min(300, args.messages), first=1)  # warm up every process
        until(lambda: pending(engine) == 0)
        result = intake(engine, bases, args.messages, first=100_000)
        result["wake ms"] = wake(engine, bases, first=900_000)
        result["sender"] = sender(engine, args.sends)
        return result
    finally:
        for service in services:
            service.stop()
        engine.dispose()
        drop_database(args.pg_url, url)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument("--sends", type=int, default=6000)
    parser.add_argument("--processes", default="1,2,3")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--workdir", default=os.environ.get("TMPDIR", "/tmp"))
    args = parser.parse_args()
    counts = [int(n) for n in args.processes.split(",")]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}, PostgreSQL; {args.messages} webhooks, {args.sends} "
          f"sends, {CONCURRENCY} connections, {args.trials} trials")  # fmt: skip
    fake_process, fakes = start_fakes()
    trials: list[dict[int, dict[str, float]]] = []
    try:
        for _ in range(args.trials):
            trials.append({n: measure(n, args, fakes) for n in counts})
    finally:
        fake_process.kill()
    print(f"{'trial':>6} {'processes':>9} {'acknowledged/s':>15} {'answered/s':>11} {'ratio':>6} "
          f"{'wake ms':>8} {'sender/s':>9} {'ratio':>6}")  # fmt: skip
    for number, results in enumerate(trials, 1):
        for n in counts:
            print_row(str(number), n, results[n], results[counts[0]])
    for n in counts:
        median = {key: statistics.median(t[n][key] for t in trials) for key in trials[0][n]}
        median["answered ratio"] = statistics.median(
            t[n]["answered"] / t[counts[0]]["answered"] for t in trials
        )
        median["sender ratio"] = statistics.median(
            t[n]["sender"] / t[counts[0]]["sender"] for t in trials
        )
        print_row("median", n, median)


def print_row(
    trial: str, n: int, r: dict[str, float], base: dict[str, float] | None = None
) -> None:
    """One line of the table; ratios against `base` (the same trial's first count), or the
    medians of the trials' ratios already in `r`."""
    answered = r["answered ratio"] if base is None else r["answered"] / base["answered"]
    sender = r["sender ratio"] if base is None else r["sender"] / base["sender"]
    print(f"{trial:>6} {n:>9} {r['acknowledged']:>15,.0f} {r['answered']:>11,.0f} "
          f"{answered:>5.2f}x {r['wake ms']:>8.0f} {r['sender']:>9,.0f} "
          f"{sender:>5.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
