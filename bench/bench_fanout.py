"""Notice fan-out to 100,000 subscribers on SQLite, and what it does to webhook latency.

Run: .venv/bin/python bench/bench_fanout.py [--subscribers 100000]

1. In this process: queue one notice event for N subscribers (plus 20 % in another kecamatan
   who must get nothing) with `fanout.queue_event`; prints the time and the peak memory the
   fan-out allocated (tracemalloc).
2. The running service: `kabar-air serve` on the same kind of database, Telegram in webhook mode
   against the fake Bot API (tests/fakes, on 127.0.0.1). Webhooks come at a steady rate from a
   load process of its own. The first notice after start is fanned out and reported on its
   own; then webhook latency is measured at rest, then while the service's own dispatcher fans
   out notices published through /api/v1/notices (same run, same load), with the server's
   resident memory sampled throughout.
Targets: queued in < 3 s, peak added memory < 200 MB, webhook p99 during fan-out < 2x at rest.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import httpx
from procs import free_port, rss_mb, wait_healthy
from sqlalchemy import insert, select
from sqlmodel import col

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.database import upgrade  # noqa: E402
from db.engine import make_engine, reading  # noqa: E402
from db.models import Contact, Message, Push, Subscription  # noqa: E402
from outage_notices import fanout, service  # noqa: E402
from outage_notices.policy import NoticePolicy  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramApi  # noqa: E402
from tests.fakes.telegram_updates import WEBHOOK_SECRET_HEADER, telegram_update  # noqa: E402

BIN = Path(sys.executable).parent
NOTE = {
    "whatsapp": " (not configured here: the fan-out alone, the sender leaves the rows)",
    "telegram": " (fake Bot API, default 30 msg/s: the sender drains the queue meanwhile)",
}
SUNGAI_TABUK, LOK_BAINTAN, GAMBUT = "63.03.04", "63.03.04.2004", "63.03.03"
REST_SECONDS = 10  # about as many samples at rest as during the fan-outs: comparable p99s
SECRET, ADMIN = "bench-webhook-secret-0123456789", "bench-admin-token-0123456789"


def populate(url: str, subscribers: int, channel: str = "telegram") -> None:
    """N affected subscribers (desa, kecamatan or both) and 20 % elsewhere, in bulk."""
    engine = make_engine(url)
    upgrade(engine)
    total = subscribers + subscribers // 5
    with engine.begin() as conn:
        conn.execute(
            insert(Contact.__table__),
            [
                {
                    "channel": channel,
                    "channel_user_id": str(10_000_000 + n),
                    "language": "en" if n % 10 == 0 else "id",
                    "active": True,
                    "opted_out": False,
                    "needs_human": False,
                    "created_at": datetime.now(UTC),
                }
                for n in range(total)
            ],
        )
        ids = list(conn.scalars(select(col(Contact.id)).order_by(col(Contact.id))))
        rows = []
        for n, contact_id in enumerate(ids):
            if n >= subscribers:
                areas = [GAMBUT]
            else:
                areas = [[LOK_BAINTAN], [SUNGAI_TABUK], [LOK_BAINTAN, SUNGAI_TABUK]][n % 3]
            now = datetime.now(UTC)
            rows += [{"contact_id": contact_id, "area_code": a, "created_at": now} for a in areas]
        conn.execute(insert(Subscription.__table__), rows)
    engine.dispose()


def new_notice(engine, title: str, *, publish: bool) -> int:
    now = datetime.now(UTC)
    with service.Session(engine, expire_on_commit=False) as session:
        data = service.NoticeInput(
            kind="unplanned",
            title=title,
            areas=[SUNGAI_TABUK],
            starts_at=now,
            expected_end_at=now + timedelta(hours=6),
            urgent=True,
            cause="Pipa transmisi pecah",
            advice="Mobil tangki di kantor desa",
        )
        notice = service.create(session=session, data=data, policy=NoticePolicy.default(), now=now)
        assert notice.id is not None  # set by the create's flush
        if publish:
            service.publish(
                session=session, notice_id=notice.id, policy=NoticePolicy.default(), now=now
            )
        session.commit()
        return notice.id


def in_process(workdir: Path, subscribers: int) -> None:
    url = f"sqlite:///{workdir / 'inprocess.db'}"
    populate(url, subscribers)
    engine = make_engine(url)
    notice_id = new_notice(engine, "Bench in-process", publish=False)
    tracemalloc.start()
    started = time.perf_counter()
    result = fanout.queue_event(
        engine=engine,
        notice_id=notice_id,
        event="publish",
        policy=NoticePolicy.default(),
        now=datetime.now(UTC),
    )
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"in-process fan-out: {result.targeted:,} messages queued in {seconds:.2f} s "
        f"({result.batches} batches; target < 3 s), peak traced allocation "
        f"{peak / 2**20:.1f} MB (target < 200 MB)"
    )
    engine.dispose()


class Webhooks:
    """Telegram updates from customers saying 'halo', one at a time per client thread."""

    def __init__(self, base: str) -> None:
        self.base, self.update_id, self.lock = base, 1, threading.Lock()

    def post(self, client: httpx.Client) -> float:
        with self.lock:
            self.update_id += 1
            update_id = self.update_id
        update = telegram_update(update_id, 5_000_000 + update_id % 5000, text="halo")
        started = time.perf_counter()
        response = client.post(
            f"{self.base}/webhooks/telegram", json=update, headers={WEBHOOK_SECRET_HEADER: SECRET}
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 200, response.text
        return elapsed

    def run(self, work, rate: float):
        """Latencies of webhooks sent at `rate` per second while `work()` runs, and its result.

        Open loop (like real traffic: a slow answer does not slow the next webhook), from a
        process of its own on one asyncio loop, so the bench's other threads (the fake Bot API,
        the polling) cannot delay the clock that times the service.
        """
        context = multiprocessing.get_context("spawn")
        stop, (receive, send) = context.Event(), context.Pipe(duplex=False)
        first_id = self.update_id = self.update_id + 1_000_000
        load = context.Process(target=_send_webhooks, args=(self.base, rate, first_id, stop, send))
        load.start()
        receive.poll(60)  # the load process is up and sending
        receive.recv()
        try:
            result = work()
        finally:
            stop.set()
        samples = receive.recv()
        load.join(30)
        return samples, result


def _send_webhooks(base: str, rate: float, first_id: int, stop, send) -> None:
    """The load process (see Webhooks.run)."""

    async def main() -> None:
        loop, samples, pending = asyncio.get_running_loop(), [], set()
        headers = {WEBHOOK_SECRET_HEADER: SECRET}
        async with aiohttp.ClientSession(f"{base}") as http:

            async def one(update_id: int) -> None:
                update = telegram_update(update_id, 5_000_000 + update_id % 5000, text="halo")
                started = time.perf_counter()
                async with http.post("/webhooks/telegram", json=update, headers=headers) as r:
                    await r.read()
                    assert r.status == 200, r.status
                samples.append(time.perf_counter() - started)

            send.send("ready")
            next_at, update_id = loop.time(), first_id
            while not stop.is_set():
                update_id += 1
                task = asyncio.create_task(one(update_id))
                pending.add(task)
                task.add_done_callback(pending.discard)
                next_at += 1 / rate
                await asyncio.sleep(max(0.0, next_at - loop.time()))
            await asyncio.gather(*pending)
        send.send(samples)

    asyncio.run(main())


def p(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1] * 1000 if len(samples) > 2 else 0


def wait_done(engine, notice_id: int, timeout: float = 120) -> float:
    """Seconds until the push is done; polls without SQLite's write lock, not to slow the
    service it measures."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with reading(engine) as conn:
            status = conn.scalar(
                select(col(Push.status)).where(
                    col(Push.notice_id) == notice_id, col(Push.event) == "publish"
                )
            )
        if status == "done":
            return time.perf_counter() - started
        time.sleep(0.01)
    raise TimeoutError("fan-out did not finish")


def service_run(workdir: Path, subscribers: int, rounds: int, channel: str, rate: float) -> None:
    url = f"sqlite:///{workdir / f'service-{channel}.db'}"
    populate(url, subscribers, channel)
    engine = make_engine(url)
    drafts = [new_notice(engine, f"Bench notice {n}", publish=False) for n in range(rounds + 1)]
    os.sync()  # the kernel writes the freshly built database out now, not while we measure
    port = free_port()
    with FakeTelegramApi(token="123456:BENCH") as fake:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PORT": str(port),
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "ADMIN_API_TOKEN": ADMIN,
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [BIN / "kabar-air", "serve"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base)
            measure(engine, server.pid, base, drafts, rate)
        finally:
            server.terminate()
            server.wait(timeout=30)
    engine.dispose()


def measure(engine, pid: int, base: str, drafts: list[int], rate: float) -> None:
    """The first notice after a start is fanned out (and reported) on its own: it pays the
    one-time costs (statement compilation, first use of code paths); then webhooks at rest,
    then the other notices one after the other, with webhooks throughout."""
    hooks = Webhooks(base)
    with httpx.Client() as client:
        for _ in range(50):  # warm up: contacts, engine caches
            hooks.post(client)
    time.sleep(1)
    with httpx.Client(headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30) as api:
        first, (first_seconds, _) = hooks.run(
            lambda: _fan_out(api, engine, pid, base, drafts[:1]), rate
        )
        rest, _ = hooks.run(lambda: time.sleep(REST_SECONDS), rate)
        baseline_rss = rss_mb(pid)
        during, (fanout_seconds, peak_rss) = hooks.run(
            lambda: _fan_out(api, engine, pid, base, drafts[1:]), rate
        )
    with reading(engine) as conn:
        queued = conn.scalar(
            select(col(Message.id))
            .where(col(Message.notice_id) == drafts[1])
            .order_by(col(Message.id).desc())
        )
    print(
        f"service fan-out (dispatcher in the running service, publish via the API): "
        f"{', '.join(f'{s:.2f} s' for s in fanout_seconds)} per notice "
        f"(from the publish response until the push is done; last message id {queued})"
    )
    print(
        f"service RSS: {baseline_rss:.0f} MB before, peak {peak_rss:.0f} MB during fan-out "
        f"(+{peak_rss - baseline_rss:.0f} MB; target < 200 MB added)"
    )
    ratio = p(during, 99) / p(rest, 99) if p(rest, 99) else float("nan")
    print(
        f"webhooks at {rate:g}/s (open loop, Telegram 'halo' from 5,000 chats)\n"
        f"first fan-out after start ({first_seconds[0]:.2f} s): n={len(first)}, "
        f"p50 {p(first, 50):.1f} ms, p99 {p(first, 99):.1f} ms, max {max(first) * 1000:.1f} ms\n"
        f"webhook latency at rest:        n={len(rest)}, p50 {p(rest, 50):.1f} ms, "
        f"p99 {p(rest, 99):.1f} ms\n"
        f"webhook latency during fan-out: n={len(during)}, p50 {p(during, 50):.1f} ms, "
        f"p99 {p(during, 99):.1f} ms  (ratio {ratio:.2f}; target < 2)"
    )


def _fan_out(api: httpx.Client, engine, pid: int, base: str, notice_ids: list[int]):
    """Publish each notice and wait for its fan-out; seconds per notice and peak RSS."""
    seconds, peak_rss = [], rss_mb(pid)
    for notice_id in notice_ids:
        response = api.post(f"{base}/api/v1/notices/{notice_id}/publish")
        assert response.status_code == 200, response.text
        sampler_stop = threading.Event()
        peaks: list[float] = []
        sampler = threading.Thread(target=_sample, args=(pid, sampler_stop, peaks))
        sampler.start()
        seconds.append(wait_done(engine, notice_id))
        sampler_stop.set()
        sampler.join()
        peak_rss = max([peak_rss, *peaks])
    return seconds, peak_rss


def _sample(pid: int, stop: threading.Event, peaks: list[float]) -> None:
    while not stop.is_set():
        peaks.append(rss_mb(pid))
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3, help="notices fanned out in the service")
    parser.add_argument("--channels", default="whatsapp,telegram")
    parser.add_argument("--rate", type=float, default=50, help="webhooks per second, open loop")
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, SQLite (WAL) on {tempfile.gettempdir()}"
    )
    workdir = Path(tempfile.mkdtemp(prefix="kabar-fanout-"))
    in_process(workdir, args.subscribers)
    for channel in args.channels.split(","):
        print(f"-- subscribers on {channel}" + NOTE.get(channel, ""))
        service_run(workdir, args.subscribers, args.rounds, channel, args.rate)


if __name__ == "__main__":
    main()
