"""Durable delivery: one sender task turns pending outbound rows into provider calls.

Rules the rest of the service can rely on:

* Every outbound message is a `message` row written before anything is sent (the engine
  and the notice fan-out write them with status 'pending'); `wake()` asks for a prompt look.
* A row is claimed (pending → sending, committed) immediately before its request leaves,
  and only when a rate-limit token is already in hand, so claimed rows never sit waiting.
* One row per chat is in flight at a time, oldest first, so a chat's replies keep their order.
* Transient failures go back to 'pending' with back-off (the provider's retry_after when it
  gives one); rate-limit answers do not count as attempts; after `max_attempts` real
  attempts the row is 'failed' with the reason kept in `last_error`.
* Restart rule: a row found in 'sending' by a new sender belongs to a process that died
  mid-send. Its request may already have reached the provider (neither Telegram nor
  Twilio can be asked "did you get this?" without an id we never received). With
  `after_crash="hold"` (OUTBOX_AFTER_CRASH, the default) it becomes 'unknown' with the
  reason and is NOT resent by itself: staff see it beside sent and failed and may resend it
  (`channels.in_doubt`). With "resend" it goes back to 'pending' once (at-least-once: the
  customer may get it twice). Because claims happen just before the requests leave, that
  set is at most the messages in flight at the moment of the crash; everything still
  'pending' is sent after restart. A clean shutdown (`stop()`) waits for in-flight sends,
  so it leaves no 'unknown' rows. A WhatsApp row left 'unknown' still settles when
  Twilio's status callback for it arrives (`channels.whatsapp_status`).
* One write a step: the results of the sends that finished and the claim of the next rows
  go in one transaction; the rows to claim are found by a read that waits for no writer.
* Only one process sends at a time: the holder of the 'outbox' lease (`db.lease`). With
  several processes on PostgreSQL that is a choice, not a shortcut: the providers' limits
  are per bot and per sender number (Telegram about 30 messages/s per bot and 1/s per chat,
  Twilio's MPS per sender), i.e. shared by every process, and one sender with 64 requests in
  flight fills them many times over (bench/README.md). One holder keeps them by construction,
  with no rate budget written to the database for every message; a standby takes over within
  about a second of the holder's death on the same host (`db.lease`), or on lease expiry.
  Replies written by the other processes' turns are found by polling every
  `poll_seconds` (a quarter of a second on PostgreSQL), as nothing wakes this process then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any, TypeVar, cast

from sqlalchemy import Engine

from channels import outbox_store as store
from channels.delivery import Channel, Outcome, OutItem, Result, retry, unknown
from core.metrics import SEND_SECONDS
from db import lease
from db.types import utcnow
from db.vocab import MessageStatus

T = TypeVar("T")

log = logging.getLogger("kabar_air.outbox")
COALESCE_SECONDS = 0.002
POLL_SECONDS = {"postgresql": 0.25}  # other processes write replies too: look this often
STANDBY_SECONDS = 1.0  # a process without the lease asks for it this often
LEASE_NAME = "outbox"
OVER = (Outcome.SENT, Outcome.FAILED)  # a chat's next message may follow these at once
AFTER_CRASH_HOLD, AFTER_CRASH_RESEND = "hold", "resend"  # OUTBOX_AFTER_CRASH


class Sender:
    def __init__(
        self,
        *,
        engine: Engine,
        channels: Mapping[str, Channel],
        max_attempts: int = 8,
        concurrency: int = 64,
        poll_seconds: float | None = None,
        lease_seconds: float = 30.0,
        send_timeout: float = 60.0,
        backoff_base: float = 2.0,
        backoff_cap: float = 900.0,
        after_crash: str = AFTER_CRASH_HOLD,
        clock: Callable[[], datetime] = utcnow,
        db_call: Callable[..., Awaitable[Any]] | None = None,
    ) -> None:
        self.engine, self.channels, self.max_attempts = engine, dict(channels), max_attempts
        self.concurrency, self.lease_seconds = concurrency, lease_seconds
        self.poll_seconds = poll_seconds or POLL_SECONDS.get(engine.dialect.name, 1.0)
        self.send_timeout, self.backoff_base, self.backoff_cap = (
            send_timeout,
            backoff_base,
            backoff_cap,
        )
        self.clock, self.after_crash = clock, after_crash
        self.holder = lease.holder_name()
        self._holding, self._lease_at = False, 0.0
        self._in_flight: dict[int, asyncio.Task[None]] = {}  # contact_id → send task
        self._done: list[tuple[OutItem, Result]] = []
        self._claimed: set[int] = set()  # ids of the rows in flight, ours whatever the lease says
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        # its database writes: on a thread of its own, or where `db_call` runs them (on
        # SQLite the main file's writer thread, behind the write gate like a conversation
        # turn); its reads on another thread, so they never queue behind a turn
        self._db = None if db_call else ThreadPoolExecutor(1, thread_name_prefix="outbox-db")
        self._run_db = db_call or self._on_own_thread
        self._reads = ThreadPoolExecutor(1, thread_name_prefix="outbox-read")
        self.sent_count = 0

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        """Run the sender in the background of the current event loop."""
        self._bind_loop()
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, timeout: float = 10.0) -> None:
        """Stop claiming, let in-flight sends finish and record them, give up the lease."""
        self._stopping = True
        self.wake()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout)
            except (TimeoutError, asyncio.CancelledError):
                self._task.cancel()
        if self._holding:
            await self._db_call(lease.release, self.engine, name=LEASE_NAME, holder=self.holder)
            self._holding = False
        if self._db is not None:
            self._db.shutdown(wait=False)
        self._reads.shutdown(wait=False)

    def wake(self) -> None:
        """Look for new rows now; safe to call from any thread."""
        if self._loop is None or self._event is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._event.set()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)

    async def run_until_idle(self, timeout: float = 30.0) -> bool:
        """Send until nothing is pending (tests and benches); False if time ran out."""
        self._bind_loop()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            wait = await self.step()
            if not self._in_flight and not self._done and not await self._pending():
                return True
            await self._sleep(min(wait, 0.05))
        return False

    # -- the loop --------------------------------------------------------------------------
    async def _run(self) -> None:
        while not self._stopping:
            try:
                wait = await self.step()
            except Exception:
                log.exception("outbox step failed; retrying shortly")
                wait = self.poll_seconds
            if wait > 0:
                await self._sleep(min(wait, self.poll_seconds))
        await self._finish_in_flight()

    async def step(self) -> float:
        """Choose what may go now, then record the finished sends and claim the chosen rows
        in one write; returns a wait hint."""
        if self._in_flight and len(self._done) < self.concurrency // 4:
            await asyncio.sleep(COALESCE_SECONDS)  # let a few more finish: one write for all
        done, self._done = self._done, []
        try:
            picks, wait, free = await self._choose(done)
        except BaseException:
            self._done[:0] = done  # unrecorded: the chats stay busy until it is
            raise
        claimed = await self._write(done, picks)
        for item in claimed:
            self._in_flight[item.contact_id] = asyncio.create_task(self._send(item))
            self._claimed.add(item.id)
        return 0.0 if picks and len(picks) == free else wait

    async def _choose(
        self, done: list[tuple[OutItem, Result]]
    ) -> tuple[list[store.Candidate], float, int]:
        """Rows that may go now (picks, wait hint, room left), read without the write lock.
        A chat whose send in `done` is over for good is idle already: that result is
        written in the same transaction as the claim."""
        if not await self._hold_lease():
            return [], self.poll_seconds, 0
        free = self.concurrency - len(self._in_flight) + len(done)
        if free <= 0 or self._stopping:
            return [], self.poll_seconds, free
        waits = {name: channel.limiter.channel_wait() for name, channel in self.channels.items()}
        open_now = [name for name, wait in waits.items() if wait <= 0]
        if not open_now:  # every channel is paced or paused: nothing to read yet
            return [], min(min(waits.values()), self.poll_seconds), free
        may_go = min(free, sum(self.channels[name].limiter.allowance() for name in open_now))
        window = len(self._in_flight) + 2 * int(may_go) + 32  # in-flight chats' rows come first
        rows = await self._read(store.candidates, self.engine, channels=open_now, limit=window)
        over = {item.id: item.contact_id for item, result in done if result.outcome in OVER}
        busy = set(self._in_flight) - set(over.values())
        picks, wait = self._pick([row for row in rows if row.id not in over], free, busy)
        wait = min([wait, *(w for w in waits.values() if w > 0)])  # a paced channel's turn
        return picks, wait, free

    def _pick(
        self, rows: list[store.Candidate], free: int, busy: set[int]
    ) -> tuple[list[store.Candidate], float]:
        """The oldest due row of each idle chat that its channel's limits allow now."""
        picks: list[store.Candidate] = []
        seen = set(busy)
        now, wait = self.clock(), self.poll_seconds
        for row in rows:
            if row.contact_id in seen:
                continue
            seen.add(row.contact_id)
            if row.status != MessageStatus.PENDING:
                continue
            if row.next_attempt_at is not None and row.next_attempt_at > now:
                wait = min(wait, (row.next_attempt_at - now).total_seconds())
                continue
            delay = self.channels[row.channel].limiter.take(row.address)
            if delay > 0:
                wait = min(wait, delay)
                continue
            picks.append(row)
            if len(picks) >= free:
                break
        return picks, max(wait, 0.0)

    async def _send(self, item: OutItem) -> None:
        channel = self.channels[item.channel]
        started = time.monotonic()
        try:
            result = await asyncio.wait_for(channel.deliver(item), self.send_timeout)
        except TimeoutError:
            result = unknown(f"unknown: no answer from {item.channel} within {self.send_timeout}s")
        except Exception as exc:  # a bug or an unexpected library error: retry later
            log.exception("delivery of message %s raised", item.id)
            result = retry(f"{type(exc).__name__}: {exc}")
        SEND_SECONDS.labels(item.channel, result.outcome).observe(time.monotonic() - started)
        if result.pause_channel:
            channel.limiter.pause(result.pause_channel)
        if result.pause_chat:
            channel.limiter.pause(result.pause_chat, key=item.address)
        self._done.append((item, result))
        if self._event is not None:
            self._event.set()

    async def _flush(self) -> None:
        """Record finished sends (on stopping: nothing more is claimed)."""
        if not self._done:
            return
        done, self._done = self._done, []
        await self._write(done, [])

    async def _write(
        self, done: list[tuple[OutItem, Result]], picks: list[store.Candidate]
    ) -> list[OutItem]:
        """Record `done` (taken out of `_done`) and claim `picks` in one write; the rows
        claimed. If the write fails, `done` goes back to be recorded next time."""
        if not done and not picks:
            return []
        try:
            claimed = await self._db_call(
                store.record_and_claim,
                self.engine,
                done=done,
                picks=picks,
                now=self.clock(),
                max_attempts=self.max_attempts,
                backoff_base=self.backoff_base,
                backoff_cap=self.backoff_cap,
            )
        except BaseException:
            self._done[:0] = done  # keep them: the chats stay busy until this is recorded
            raise
        self._forget(done)
        return claimed

    def _forget(self, done: list[tuple[OutItem, Result]]) -> None:
        """Recorded sends: their chats are free, and they are counted and logged."""
        for item, result in done:
            self._in_flight.pop(item.contact_id, None)
            self._claimed.discard(item.id)
            self.sent_count += result.outcome == "sent"
            if result.outcome != "sent":
                log.info("message %s: %s (%s)", item.id, result.outcome, result.error)

    async def _hold_lease(self) -> bool:
        """Take or renew the lease; on taking it over, settle a dead sender's rows."""
        since = time.monotonic() - self._lease_at
        if self._holding and since < self.lease_seconds / 3:
            return True
        if not self._holding and self._lease_at and since < STANDBY_SECONDS:
            return False  # a standby: not a lease write every poll
        holding = await self._db_call(
            lease.acquire,
            self.engine,
            name=LEASE_NAME,
            holder=self.holder,
            now=self.clock(),
            seconds=self.lease_seconds,
        )
        if holding and not self._holding:
            await self._settle_interrupted()
            for channel in self.channels.values():  # a holder before us may have just sent
                channel.limiter.start_empty()
        self._holding, self._lease_at = holding, time.monotonic()
        return holding

    async def _settle_interrupted(self) -> bool:
        """Rows a dead sender left mid-send: held as 'unknown', or queued again once; True
        when there were some (it was sending when it died)."""
        held, requeued = await self._db_call(
            store.settle_interrupted,
            self.engine,
            resend=self.after_crash == AFTER_CRASH_RESEND,
            max_attempts=self.max_attempts,
            ours=sorted(self._claimed),
        )
        if held:
            log.warning("%d message(s) interrupted mid-send marked 'unknown'", held)
        if requeued:
            log.warning("%d message(s) interrupted mid-send queued again", requeued)
        return bool(held or requeued)

    async def _finish_in_flight(self) -> None:
        tasks = list(self._in_flight.values())
        if tasks:
            await asyncio.wait(tasks, timeout=self.send_timeout)
        await self._flush()

    async def _pending(self) -> int:
        return await self._read(store.pending_count, self.engine, channels=list(self.channels))

    async def _sleep(self, seconds: float) -> None:
        assert self._event is not None
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), seconds)
        self._event.clear()

    async def _db_call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return cast(T, await self._run_db(fn, *args, **kwargs))

    async def _on_own_thread(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._db, lambda: fn(*args, **kwargs))

    async def _read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A read, on the sender's reading thread: it waits for no writer (SQLite's WAL)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reads, lambda: fn(*args, **kwargs))

    def _bind_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._event is None:
            self._event = asyncio.Event()
