"""Kabar Air beside the peer most Python developers reach for: python-telegram-bot's webhook.

    .venv/bin/python bench/bench_peer.py [seconds] [concurrency] [--crash-only | --no-crash]
                                          [--only=WORD]  (targets whose name has WORD)

One run, each target alone (started, measured, stopped before the next), the same load
generator (aiohttp, `concurrency` keep-alive connections, `seconds` each) and the same fake
provider (the project's fake Bot API and fake Twilio API from tests/fakes, in a process of
their own; Kabar Air's rate limits are off, PTB has none, so both answer as fast as they can):

- a bare FastAPI endpoint that only reads the body (uvicorn, 1 worker): the ceiling;
- Kabar Air's `/webhooks/telegram` and `/webhooks/whatsapp` (`bot.app:create_app`, uvicorn,
  1 worker, SQLite in a temporary directory): each message is stored before the 200, then
  answered by the conversation through the outbox sender;
- the PTB peer: an `Application` with `updater.start_webhook` (tornado) and a handler that
  replies, plain, and with a SQLite write (INSERT + commit) per update before the reply.

Printed per target: accepted/s (200 answers), p50/p99 latency, answered/s (only replies that
reached the fake: counted until every accepted update has one, they stop coming for 3 s, or
`seconds` + 10 s after the load stops) and the share of accepted updates answered by then.
Replies per update are printed too: Kabar Air may answer a message with more than one reply.

The crash variant then starts each replying target afresh, sends updates each to a chat of its
own, SIGKILLs the target after ~3 s under load, restarts it on the same files, waits for the
answers to drain and counts, of the updates that had been acknowledged with a 200, how many
were never answered and how many were answered twice (a chat that got the same reply text
more than once). Telegram and Twilio do not redeliver a message that got a 200. Kabar Air's
unanswered are split into those it holds "in doubt" (a reply caught mid-send by the kill,
status 'unknown', left for staff to resend: OUTBOX_AFTER_CRASH=hold) and those lost.

Profiling: BENCH_PYSPY=/tmp/dir runs Kabar Air's service under `py-spy record` (it must be
installed in the venv), writing collapsed stacks (`--format raw`, one file per Kabar Air target);
BENCH_PYSPY_GIL=1 samples only the thread holding the interpreter lock.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import aiohttp
from procs import KABAR_APP, free_port
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_intake import BARE, TEXTS, wait_ready  # noqa: E402
from bot.database import upgrade  # noqa: E402
from db.engine import make_engine  # noqa: E402

SECRET = "bench-secret"
WA_FROM = "whatsapp:+14155238886"
REPLY = "Terima kasih, pesan Anda sudah kami terima."

# The fake providers, with a line protocol on stdin/stdout: "count" -> replies so far per
# channel; "dump" -> reply texts per chat; "reset" -> forget everything.
FAKES = """
import json, sys
sys.path.insert(0, {root!r})
from tests.fakes._server import _Server
_Server.request_queue_size = 256
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.twilio_api import FakeTwilioApi
tg, tw = FakeTelegramApi().start(), FakeTwilioApi().start()
print(tg.base_url, tg.token, tw.url, tw.account_sid, tw.auth_token, flush=True)
for line in sys.stdin:
    command = line.strip()
    if command == "count":
        answer = {{"tg": len(tg._messages), "wa": len(tw._sent)}}
    elif command == "dump":
        with tg._lock:
            tg_sent = [(m["chat"]["id"], m.get("text")) for m in tg._messages.values()]
        with tw._lock:
            wa_sent = [(s["to"], s["body"]) for s in tw._sent.values()]
        answer = {{"tg": tg_sent, "wa": wa_sent}}
    elif command == "reset":
        tg.reset(); tw.reset(); answer = {{}}
    else:
        break
    print(json.dumps(answer), flush=True)
"""

# The peer, as its documentation shows it: updates go from tornado into PTB's in-memory queue
# (200 at once), one handler replies. argv: token base_url port [sqlite-file]
PEER = """
import asyncio, sqlite3, sys
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

token, base_url, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(sys.argv[4]) if len(sys.argv) > 4 else None
if db is not None:
    db.execute("CREATE TABLE IF NOT EXISTS inbox (update_id INTEGER PRIMARY KEY, chat INTEGER,"
               " text TEXT)")
    db.execute("PRAGMA journal_mode=WAL")

async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if db is not None:
        db.execute("INSERT OR IGNORE INTO inbox VALUES (?, ?, ?)",
                   (update.update_id, update.effective_chat.id, update.message.text))
        db.commit()
    await update.message.reply_text({reply!r})

async def main() -> None:
    app = Application.builder().token(token).base_url(base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, reply))
    async with app:
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="webhook", secret_token={secret!r},
            webhook_url=f"http://127.0.0.1:{{port}}/webhook")
        await app.start()
        try:
            await asyncio.Event().wait()
        finally:
            await app.updater.stop()
            await app.stop()

try:
    asyncio.run(main())
except KeyboardInterrupt:
    pass
"""


class Fakes:
    """The fake provider process and its line protocol."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", FAKES.format(root=str(ROOT))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.tg_base, self.token, self.tw_url, self.sid, self.auth = (
            self.process.stdout.readline().split()
        )

    def ask(self, command: str) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@dataclass
class Target:
    """One server under test: how to (re)start it, where to post, which channel answers."""

    name: str
    command: Callable[[], list[str]]
    env: dict[str, str]
    cwd: Path
    url: str
    ready: str
    channel: str | None  # "tg" / "wa": which fake counts its replies; None: it does not reply
    profile: str = ""
    database: Path | None = None  # Kabar Air's SQLite file, to tell messages in doubt
    process: subprocess.Popen | None = field(default=None, repr=False)

    def start(self) -> None:
        command = self.command()
        if self.profile:
            only_gil = ["--gil"] if os.environ.get("BENCH_PYSPY_GIL") else []  # holding it
            command = [str(Path(sys.executable).parent / "py-spy"), "record", "--subprocesses",
                       "--threads", "--rate", "100", *only_gil, "--format", "raw", "--output",
                       self.profile, "--", *command]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=self.cwd, env={**os.environ, **self.env})

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, nothing is flushed."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()


def uvicorn(app: str, port: int, factory: bool = False) -> Callable[[], list[str]]:
    command = [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
               "--workers", "1", "--log-level", "warning", "--no-access-log"]  # fmt: skip
    return lambda: command + (["--factory"] if factory else [])


def kabar_target(name: str, path: str, channel: str, fakes: Fakes, profile_dir: str) -> Target:
    """A fresh Kabar Air service (its own SQLite file) with both channels on, limits off."""
    workdir = Path(tempfile.mkdtemp(prefix="kabar-peer-"))
    port = free_port()
    python_path = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(ROOT)]))
    env = {
        "DATABASE_URL": f"sqlite:///{workdir}/kabar.db", "PUBLIC_BASE_URL":
        f"http://127.0.0.1:{port}", "TELEGRAM_BOT_TOKEN": fakes.token,
        "TELEGRAM_API_BASE_URL": fakes.tg_base, "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TWILIO_ACCOUNT_SID": fakes.sid, "TWILIO_AUTH_TOKEN": fakes.auth,
        "TWILIO_API_BASE_URL": fakes.tw_url, "TWILIO_WHATSAPP_FROM": WA_FROM,
        "TELEGRAM_RATE_PER_SECOND": "0", "TELEGRAM_RATE_PER_CHAT_PER_SECOND": "0",
        "TWILIO_RATE_PER_SECOND": "0", "PYTHONPATH": python_path, "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    engine = make_engine(env["DATABASE_URL"])
    upgrade(engine)
    engine.dispose()
    base = f"http://127.0.0.1:{port}"
    profile = f"{profile_dir}/{channel}-{time.time_ns()}.txt" if profile_dir else ""
    command = uvicorn(KABAR_APP, port, factory=True)
    return Target(name, command, env, ROOT, base + path, base + "/healthz", channel, profile,
                  workdir / "kabar.db")  # fmt: skip


def ptb_target(name: str, fakes: Fakes, sqlite: bool) -> Target:
    workdir = Path(tempfile.mkdtemp(prefix="ptb-peer-"))
    (workdir / "peer.py").write_text(PEER.format(reply=REPLY, secret=SECRET))
    port = free_port()
    args = [sys.executable, "peer.py", fakes.token, fakes.tg_base, str(port)]
    args += [str(workdir / "peer.db")] if sqlite else []
    base = f"http://127.0.0.1:{port}"
    return Target(name, lambda: args, {}, workdir, base + "/webhook", base + "/webhook", "tg")


def bare_target() -> Target:
    workdir = Path(tempfile.mkdtemp(prefix="bare-peer-"))
    (workdir / "bare_app.py").write_text(BARE)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    return Target("bare FastAPI", uvicorn("bare_app:app", port), {"PYTHONPATH": str(workdir)},
                  workdir, base + "/bare", base + "/docs", None)  # fmt: skip


# --- bodies --------------------------------------------------------------------------------


def telegram_bodies(first: int, count: int, chats: int | None) -> list[tuple[bytes, dict]]:
    """Updates `first`.. in order; `chats` customers in turn, or None: a chat per update."""
    bodies = []
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    for n in range(first, first + count):
        chat = 500_000 + (n % chats if chats else n)
        update = {"update_id": 10_000 + n, "message": {
            "message_id": n, "date": 1_700_000_000, "text": TEXTS[n % len(TEXTS)],
            "chat": {"id": chat, "type": "private", "first_name": "Budi"},
            "from": {"id": chat, "is_bot": False, "first_name": "Budi"}}}  # fmt: skip
        bodies.append((json.dumps(update).encode(), headers))
    return bodies


def whatsapp_bodies(url: str, token: str, first: int, count: int, chats: int | None) -> list:
    """Twilio form posts, signed for `url` before the clock starts."""
    validator, bodies = RequestValidator(token), []
    for n in range(first, first + count):
        sender = f"whatsapp:+62813{(n % chats if chats else n):07d}"
        form = {"MessageSid": f"SM{n:032x}", "AccountSid": "AC" + "0" * 32, "From": sender,
                "To": WA_FROM, "Body": TEXTS[n % len(TEXTS)], "NumMedia": "0",
                "ProfileName": "Siti", "WaId": sender.removeprefix("whatsapp:+")}  # fmt: skip
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(url, form)}  # fmt: skip
        bodies.append((urlencode(form).encode(), headers))
    return bodies


def bodies_for(target: Target, fakes: Fakes, first: int, count: int, chats: int | None) -> list:
    if target.channel == "wa":
        return whatsapp_bodies(target.url, fakes.auth, first, count, chats)
    return telegram_bodies(first, count, chats)


# --- load ----------------------------------------------------------------------------------


@dataclass
class Load:
    acknowledged: list[int] = field(default_factory=list)  # positions answered 200
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed: float = 0.0


async def post_all(url: str, bodies: list, seconds: float, concurrency: int) -> Load:
    """Post `bodies` in order from `concurrency` keep-alive connections for `seconds`."""
    load, position = Load(), 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal position
            while time.perf_counter() < deadline and position < len(bodies):
                mine, position = position, position + 1
                body, headers = bodies[mine]
                started = time.perf_counter()
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                        ok = response.status == 200
                except (aiohttp.ClientError, OSError):
                    ok = False
                    await asyncio.sleep(0.01)  # the target is down: do not spin
                if ok:
                    load.latencies.append(time.perf_counter() - started)
                    load.acknowledged.append(mine)
                else:
                    load.errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        load.elapsed = time.perf_counter() - started
    load.latencies.sort()
    return load


QUIET = 3.0  # seconds without a new reply that end a drain


async def drain(fakes: Fakes, channel: str, expected: int, bound: float) -> tuple[int, float]:
    """Replies counted once `expected` are in, they stop coming for QUIET s, or `bound` s
    pass; and when the last one was seen (perf_counter)."""
    count, last_change = 0, time.perf_counter()
    deadline = last_change + bound
    while time.perf_counter() < deadline:
        now = (await asyncio.to_thread(fakes.ask, "count"))[channel]
        if now != count:
            count, last_change = now, time.perf_counter()
        if now >= expected or time.perf_counter() - last_change > QUIET:
            break
        await asyncio.sleep(0.1)
    return count, last_change


# --- the two measurements ------------------------------------------------------------------


async def measure(target: Target, fakes: Fakes, seconds: float, concurrency: int) -> dict:
    """Warm the target up, let its answers drain, then measure it under load."""
    warm = bodies_for(target, fakes, 900_000, 400, 300)
    bodies = bodies_for(target, fakes, 0, int(seconds * 4000) + 1000, 3000)
    target.start()
    try:
        await wait_ready(target.ready)
        await post_all(target.url, warm, 1.0, concurrency)
        if target.channel:
            await drain(fakes, target.channel, 10**9, 10)
        await asyncio.to_thread(fakes.ask, "reset")
        started = time.perf_counter()
        load = await post_all(target.url, bodies, seconds, concurrency)
        result = {"accepted": len(load.acknowledged) / load.elapsed, "load": load}
        if target.channel:
            expected = len(load.acknowledged)
            replies, last = await drain(fakes, target.channel, expected, seconds + 10)
            result |= {"replies": replies, "answered": replies / max(last - started, 1e-9)}
            result["per_update"] = await per_update(fakes, target.channel, bodies, load)
        return result
    finally:
        target.stop()


async def per_update(fakes: Fakes, channel: str, bodies: list, load: Load) -> tuple[float, float]:
    """(replies per answered update, share of accepted updates whose chat got a reply)."""
    sent = (await asyncio.to_thread(fakes.ask, "dump"))[channel]
    chats = {str(chat) for chat, _ in sent}
    accepted_chats = {chat_of(bodies[n][0], channel) for n in load.acknowledged}
    answered = len(chats & accepted_chats)
    return len(sent) / max(answered, 1), answered / max(len(accepted_chats), 1)


def chat_of(body: bytes, channel: str) -> str:
    if channel == "tg":
        return str(json.loads(body)["message"]["chat"]["id"])
    form = dict(pair.split("=", 1) for pair in body.decode().split("&"))
    return form["From"].replace("%3A", ":").replace("%2B", "+")


async def crash(target: Target, fakes: Fakes, concurrency: int, kill_after: float) -> dict:
    """Load, SIGKILL after `kill_after` s, restart, drain; compare answers with the 200s."""
    bodies = bodies_for(target, fakes, 2_000_000, int(kill_after * 4000) + 4000, None)
    assert target.channel is not None
    await asyncio.to_thread(fakes.ask, "reset")
    target.start()
    await wait_ready(target.ready)
    posting = asyncio.create_task(post_all(target.url, bodies, kill_after + 0.5, concurrency))
    await asyncio.sleep(kill_after)
    target.kill()
    load = await posting
    target.start()
    try:
        await wait_ready(target.ready)
        # no early stop at the acknowledged count: replies to unacknowledged updates count too
        await drain(fakes, target.channel, 10**9, 30)
        sent = (await asyncio.to_thread(fakes.ask, "dump"))[target.channel]
    finally:
        target.stop()
    texts: dict[str, Counter[str]] = {}
    for chat, text in sent:
        texts.setdefault(str(chat), Counter())[text] += 1
    acked = {chat_of(bodies[n][0], target.channel) for n in load.acknowledged}
    in_doubt = held_in_doubt(target.database) & (acked - texts.keys())
    return {
        "in_doubt": len(in_doubt),
        "acknowledged": len(acked),
        "answered": len(acked & texts.keys()),
        "unanswered": len(acked - texts.keys()),
        "twice": sum(1 for chat in acked & texts.keys() if max(texts[chat].values()) > 1),
        "unacknowledged_answered": len(texts.keys() - acked),
    }


def held_in_doubt(database: Path | None) -> set[str]:
    """Chats whose reply Kabar Air holds as 'unknown' (caught mid-send; staff decide)."""
    if database is None:
        return set()
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT c.channel_user_id FROM message m JOIN contact c ON c.id = m.contact_id"
            " WHERE m.direction = 'out' AND m.status = 'unknown'"
        ).fetchall()
    return {row[0] for row in rows}


# --- the run -------------------------------------------------------------------------------


def targets(fakes: Fakes) -> list[tuple[str, Callable[[], Target]]]:
    pyspy = os.environ.get("BENCH_PYSPY", "")
    tg, wa = "Kabar Air telegram", "Kabar Air whatsapp"
    return [
        ("bare FastAPI", bare_target),
        (tg, lambda: kabar_target(tg, "/webhooks/telegram", "tg", fakes, pyspy)),
        (wa, lambda: kabar_target(wa, "/webhooks/whatsapp", "wa", fakes, pyspy)),
        ("PTB plain", lambda: ptb_target("PTB plain", fakes, sqlite=False)),
        ("PTB + SQLite write", lambda: ptb_target("PTB + SQLite write", fakes, sqlite=True)),
    ]


def report(name: str, result: dict, bare: float | None) -> None:
    load = result["load"]
    lat = load.latencies or [0.0]
    p50, p99 = lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.99)] * 1000
    line = f"{name:20s} {result['accepted']:7,.0f}/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
    if "answered" in result:
        per, share = result["per_update"]
        line += (f"  answered {result['answered']:6,.0f}/s ({result['replies']:,} replies,"
                 f" {per:.2f} per update, {share:.0%} of accepted chats)")  # fmt: skip
    elif bare is None:
        line += "  (ceiling)"
    if load.errors:
        line += f"  ! {load.errors} not 200"
    print(line, flush=True)


async def run(seconds: float, concurrency: int, mode: str, only: str, fakes: Fakes) -> None:
    builders = [b for name, b in targets(fakes) if only.lower() in name.lower()]
    if mode != "--crash-only":
        print(f"{'target':20s} accepted      latency                answered", flush=True)
        bare: float | None = None
        for build in builders:
            target = build()
            result = await measure(target, fakes, seconds, concurrency)
            report(target.name, result, bare)
            bare = bare or result["accepted"]
    if mode == "--no-crash":
        return
    print("crash: SIGKILL after 3 s of load, restart, drain (acknowledged = answered 200)")
    for build in builders:
        target = build()
        if target.channel is None:
            continue
        target.profile = ""
        r = await crash(target, fakes, concurrency, kill_after=3.0)
        print(f"{target.name:20s} acknowledged {r['acknowledged']:6,d}  answered "
              f"{r['answered']:6,d}  unanswered {r['unanswered']:6,d}"
              f" ({r['unanswered'] / max(r['acknowledged'], 1):.0%}; held in doubt "
              f"{r['in_doubt']:,d}, lost {r['unanswered'] - r['in_doubt']:,d})  answered twice "
              f"{r['twice']:,d}  answered but not acknowledged "
              f"{r['unacknowledged_answered']:,d}", flush=True)  # fmt: skip


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    mode = next((a for a in sys.argv[1:] if a in ("--crash-only", "--no-crash")), "")
    only = next((a[7:] for a in sys.argv[1:] if a.startswith("--only=")), "")
    seconds = float(args[0]) if args else 10
    concurrency = int(args[1]) if len(args) > 1 else 16
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()}; {concurrency} "
          f"connections, {seconds:g} s per target, SQLite; rate limits off")  # fmt: skip
    fakes = Fakes()
    try:
        asyncio.run(run(seconds, concurrency, mode, only, fakes))
    finally:
        fakes.close()


if __name__ == "__main__":
    main()
