"""Webhook intake through uvicorn: Telegram and WhatsApp beside a bare FastAPI endpoint.

`.venv/bin/python bench/bench_intake.py [seconds-per-target] [concurrency]`

Starts, on 127.0.0.1 with one worker each: the real service (`bot.app:create_app`, SQLite in
a temporary directory, both channels on, pointed at the fake provider APIs so replies really
go out through the outbox while we measure) and a bare FastAPI app whose endpoint only reads
the body. Then posts, from 16 concurrent keep-alive connections, distinct Telegram updates
(secret header) and distinct Twilio form posts (signed with the real RequestValidator,
signatures computed before the clock starts) and reports messages/s and p50/p99 latency.
Every webhook message runs the whole intake path: verify, translate, store the message,
run the conversation step, store the reply in the outbox, answer 200.

Each target is measured alone, as `bench_peer.py` does: the bare endpoint, then Telegram and
WhatsApp each on a fresh service with a database of its own, warmed up and settled (its
warm-up answered) before the load. Until 2026-11-30 WhatsApp ran on the service Telegram had
just loaded, while it still answered and sent (at the providers' rate limits, for minutes)
Telegram's backlog of about 20,000 messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from procs import KABAR_APP, free_port
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_sender import start_fakes  # noqa: E402
from bot.database import upgrade  # noqa: E402
from db.engine import make_engine  # noqa: E402

WAITING = "SELECT count(*) FROM inbound_receipt WHERE processed_at IS NULL AND failed_at IS NULL"
TEXTS = ["halo", "menu", "status", "air mati di sungai tabuk", "1", "0"]
BARE = """
from fastapi import FastAPI, Request, Response
app = FastAPI()
@app.post("/bare")
async def bare(request: Request) -> Response:
    await request.body()
    return Response(status_code=200)
"""


def serve(app: str, port: int, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    profile = (
        ["-m", "cProfile", "-o", os.environ["BENCH_PROFILE"]]
        if (os.environ.get("BENCH_PROFILE") and app == KABAR_APP)
        else []
    )
    command = [sys.executable, *profile, "-m", "uvicorn", app, "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1", "--log-level", "warning",
               "--no-access-log"]  # fmt: skip
    if app == KABAR_APP:
        command.append("--factory")
    return subprocess.Popen(command, cwd=cwd, env={**os.environ, **env})


async def wait_ready(url: str, timeout: float = 60) -> None:
    """Until `url` answers below 500 (the server is up), at most `timeout` seconds."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


async def settle(database: Path, timeout: float = 300) -> tuple[int, float]:
    """Wait until the conversation has taken up every stored message: (messages waiting at
    the start, seconds waited). Replies leave at the providers' rate limits (minutes for
    20,000), so the outbox is not waited for."""
    journal = database.with_name(database.stem + ".intake" + database.suffix)
    started, first_count = time.perf_counter(), None
    while time.perf_counter() - started < timeout:
        left = 0
        if journal.exists():
            with contextlib.closing(sqlite3.connect(f"file:{journal}?mode=ro", uri=True)) as db:
                left = db.execute(WAITING).fetchone()[0]
        first_count = left if first_count is None else first_count
        if not left:
            return first_count, time.perf_counter() - started
        await asyncio.sleep(0.2)
    raise TimeoutError("the service did not settle")


def telegram_bodies(count: int) -> list[tuple[bytes, dict[str, str]]]:
    bodies = []
    for n in range(count):
        chat = 500_000 + n % 3000
        update = {"update_id": 10_000 + n, "message": {
            "message_id": n, "date": 1_700_000_000, "text": TEXTS[n % len(TEXTS)],
            "chat": {"id": chat, "type": "private", "first_name": "Budi"},
            "from": {"id": chat, "is_bot": False, "first_name": "Budi"}}}  # fmt: skip
        bodies.append((json.dumps(update).encode(), {"Content-Type": "application/json"}))
    return bodies


def whatsapp_bodies(count: int, url: str, token: str) -> list[tuple[bytes, dict[str, str]]]:
    validator, bodies = RequestValidator(token), []
    for n in range(count):
        sender = f"whatsapp:+62813{n % 3000:07d}"
        form = {"MessageSid": f"SM{n:032x}", "AccountSid": "AC" + "0" * 32, "From": sender,
                "To": "whatsapp:+14155238886", "Body": TEXTS[n % len(TEXTS)], "NumMedia": "0",
                "ProfileName": "Siti", "WaId": sender.removeprefix("whatsapp:+")}  # fmt: skip
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(url, form)}  # fmt: skip
        bodies.append((urlencode(form).encode(), headers))
    return bodies


async def load(url, bodies, seconds, concurrency, extra_headers=None) -> tuple[int, list[float]]:
    """Post `bodies` in order from `concurrency` connections for `seconds`."""
    latencies: list[float] = []
    failures = 0
    position = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal position, failures
            while time.perf_counter() < deadline and position < len(bodies):
                body, headers = bodies[position]
                position += 1
                started = time.perf_counter()
                async with session.post(
                    url, data=body, headers=headers | (extra_headers or {})
                ) as r:
                    await r.read()
                    failures += r.status != 200
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    if failures:
        print(f"  ! {failures} non-200 answers")
    return round(len(latencies) / elapsed), sorted(latencies)


def report(name: str, rate: int, latencies: list[float], bare: int | None) -> None:
    p50 = latencies[len(latencies) // 2] * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    share = f"  {rate / bare:5.0%} of bare" if bare else ""
    print(f"{name:10s} {rate:6,d} msg/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms{share}")


class Service:
    """The real service on a database of its own, so each target is measured alone (no
    other target's backlog still being answered or sent while it runs)."""

    def __init__(self, workdir: Path, env: dict[str, str]) -> None:
        self.database = workdir / "intake.db"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = env | {"DATABASE_URL": f"sqlite:///{self.database}", "PUBLIC_BASE_URL": self.url}
        engine = make_engine(self.env["DATABASE_URL"])
        upgrade(engine)
        engine.dispose()
        self.process = serve(KABAR_APP, self.port, self.env, ROOT)

    def stop(self) -> None:
        self.process.send_signal(2)
        self.process.wait(10)


async def measure_service(
    name: str, service: Service, seconds: float, concurrency: int, bare: int
) -> None:
    """Warm the service up, let it answer that, then load it with `name`'s webhooks."""
    await wait_ready(service.url + "/healthz")
    expected = int(seconds * 4000) + 1000
    if name == "telegram":
        bodies = telegram_bodies(expected)
        extra = {"X-Telegram-Bot-Api-Secret-Token": service.env["TELEGRAM_WEBHOOK_SECRET"]}
    else:
        url = service.url + "/webhooks/whatsapp"
        bodies, extra = whatsapp_bodies(expected, url, service.env["TWILIO_AUTH_TOKEN"]), {}
    url = f"{service.url}/webhooks/{name}"
    await load(url, bodies[-500:], 1, concurrency, extra)
    await settle(service.database)
    rate, latencies = await load(url, bodies[:-500], seconds, concurrency, extra)
    report(name, rate, latencies, bare)
    waiting, drained = await settle(service.database)
    print(f"{'':11s}({waiting:,d} left to answer at the end of the load, done {drained:.1f} s on)")


async def measure_bare(port: int, seconds: float, concurrency: int) -> int:
    url = f"http://127.0.0.1:{port}/bare"
    await wait_ready(f"http://127.0.0.1:{port}/docs")
    bodies = telegram_bodies(int(seconds * 12000) + 1000)
    await load(url, bodies[-500:], 1, concurrency)
    rate, latencies = await load(url, bodies[:-500], seconds, concurrency)
    report("bare", rate, latencies, None)
    return rate


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10
    concurrency = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    workdir = Path(tempfile.mkdtemp(prefix="kabar-intake-"))
    (workdir / "bare_app.py").write_text(BARE)
    fakes, (tg_base, token, tw_url, sid, auth) = start_fakes()
    python_path = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(ROOT)]))
    env = {
        "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": tg_base,
        "TELEGRAM_WEBHOOK_SECRET": "bench-secret", "TWILIO_ACCOUNT_SID": sid,
        "TWILIO_AUTH_TOKEN": auth, "TWILIO_API_BASE_URL": tw_url,
        "TWILIO_WHATSAPP_FROM": "whatsapp:+14155238886", "PYTHONPATH": python_path,
        "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    bare_port = free_port()
    bare_server = serve("bare_app:app", bare_port, {"PYTHONPATH": str(workdir)}, workdir)
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
          f"{platform.python_version()}; uvicorn 1 worker each, {concurrency} connections, "
          f"{seconds:.0f} s per target, SQLite, a fresh service per target")  # fmt: skip
    try:
        bare = asyncio.run(measure_bare(bare_port, seconds, concurrency))
        bare_server.send_signal(2)
        bare_server.wait(10)
        for name in ("telegram", "whatsapp"):
            (workdir / name).mkdir()
            service = Service(workdir / name, env)
            try:
                asyncio.run(measure_service(name, service, seconds, concurrency, bare))
            finally:
                service.stop()
    finally:
        if bare_server.poll() is None:
            bare_server.kill()
        fakes.kill()


if __name__ == "__main__":
    main()
