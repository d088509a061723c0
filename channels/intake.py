"""Acknowledge first, answer after: a webhook stores the customer's message and returns;
a worker hands stored messages to the conversation in arrival order.

Providers redeliver on slow or failed webhooks (Telegram for up to 24 hours), so the
acknowledgement must not wait for the conversation. Storing first also means a crash
between the two loses nothing: unanswered messages are taken up on the next start.

Messages are stored in the intake journal (`db.journal`): on SQLite a side file, so a
webhook never waits for the main file's one writer. The conversation then claims each
message's receipt in the main database in the same transaction as its answer, so a message
taken up twice (a crash before the journal heard it was done) is answered once.

A message that fails is never retried in line. An error of its own (see `db.faults`) sets it
aside at once with an apology to its sender (`channels.dead_letters`); a passing one (the
database locked or away) holds that sender's messages back for a growing pause while the
other customers are answered; several in a row mean the database itself is away, and the
whole queue pauses.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from channels.dead_letters import apologise, failure_name, set_aside
from channels.intake_shared import claims_for
from channels.messages import Inbound, inbound_from_payload, inbound_to_payload
from db.engine import checkpoint, reading
from db.faults import is_transient
from db.journal import is_side_file
from db.models import InboundReceipt
from db.prepared import Prepared, driver_transaction

log = logging.getLogger("kabar_air.intake")

RECEIPT = InboundReceipt.__table__
# One row at a time on the driver (db.prepared): a webhook's burst is a few rows, and
# SQLAlchemy's per-statement machinery cost more than SQLite's own insert and commit.
ACCEPT = {
    "sqlite": Prepared(sqlite_insert(RECEIPT).on_conflict_do_nothing(), [RECEIPT.c.raw_id]),
    "postgresql": Prepared(pg_insert(RECEIPT).on_conflict_do_nothing(), [RECEIPT.c.raw_id]),
}
WAITING = (
    select(RECEIPT.c.payload)
    .where(RECEIPT.c.processed_at.is_(None), RECEIPT.c.failed_at.is_(None))
    .order_by(RECEIPT.c.received_at)
    .limit(bindparam("limit"))
)
BATCH = 200
FIRST_PAUSE, LONGEST_PAUSE = 0.5, 30.0  # seconds a message waits after a passing failure
OUTAGE = 3  # passing failures in a row: the database is away, not one message's trouble
RUN = 16  # messages answered per hand-off to the conversation's thread
WEBHOOKS_FIRST = 1.0  # the event loop's time after a run, per second of it, while messages come in
DONE = (
    RECEIPT.update()
    .where(RECEIPT.c.channel == bindparam("done_channel"), RECEIPT.c.raw_id == bindparam("done_id"))
    .values(processed_at=bindparam("done_now"))
)
PRUNE = RECEIPT.delete().where(RECEIPT.c.processed_at < bindparam("prune_before"))
KEEP_IN_SIDE_FILE = timedelta(days=3)  # longer than any provider redelivers (Telegram: 24 h)
PRUNE_EVERY = timedelta(hours=1)
CHECKPOINT_EVERY = timedelta(seconds=1)  # the side file's WAL, copied back off the webhook path
LOOK_EVERY = {"postgresql": 0.2}  # another process's webhook wakes nobody here: look this often

Blocking = Callable[..., Awaitable[Any]]  # runs a blocking call off the event loop


class DatabaseAway(Exception):
    """Several messages in a row failed for a passing reason: pause the whole queue."""


def _key(inbound: Inbound) -> tuple[str, str]:
    return (inbound.channel, (inbound.raw_id or "")[:64])


def accept(engine: Engine, inbound: Inbound) -> bool:
    """Store a provider's message; False when it was stored before (a redelivery)."""
    return accept_many(engine, [inbound])[0]


def accept_many(engine: Engine, inbounds: list[Inbound]) -> list[bool]:
    """Store several messages in one transaction (one commit for a burst of webhooks)."""
    now = datetime.now(UTC)
    rows: list[dict[str, object]] = []
    keys: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for inbound in inbounds:
        key = _key(inbound)
        keys.append(key)
        if key not in seen:
            seen.add(key)
            rows.append(
                {
                    "channel": key[0],
                    "raw_id": key[1],
                    "payload": inbound_to_payload(inbound),
                    "received_at": now + timedelta(microseconds=len(rows)),  # keeps their order
                    "processed_at": None,
                }
            )
    insert = ACCEPT[engine.dialect.name]
    with driver_transaction(engine) as connection:
        stored = {(row["channel"], row["raw_id"]) for row in rows if insert.rows(connection, row)}
    answers = []
    for key in keys:  # a redelivery inside the same burst is a duplicate too
        answers.append(key in stored)
        stored.discard(key)
    return answers


class AcceptQueue:
    """Webhooks arriving together are stored together: one writer call, one commit."""

    def __init__(self, *, engine: Engine, blocking: Blocking) -> None:
        self.engine, self.blocking = engine, blocking
        self._waiting: list[tuple[Inbound, asyncio.Future[bool]]] = []
        self._draining = False
        self._drainer: asyncio.Task[None] | None = None

    async def put(self, inbound: Inbound) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((inbound, future))
        if not self._draining:
            self._draining = True
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._waiting:
                batch, self._waiting = self._waiting[:BATCH], self._waiting[BATCH:]
                try:
                    answers = await self.blocking(accept_many, self.engine, [i for i, _ in batch])
                except Exception as exc:  # every webhook in the batch gets the failure (503)
                    for _, future in batch:
                        future.set_exception(exc)
                    continue
                for (_, future), answer in zip(batch, answers, strict=True):
                    future.set_result(answer)
        finally:
            self._draining = False


def waiting(engine: Engine, limit: int = BATCH) -> list[Inbound]:
    """Stored messages not yet answered, oldest first."""
    with reading(engine) as connection:
        rows = connection.execute(WAITING, {"limit": limit}).scalars().all()
    return [inbound_from_payload(payload) for payload in rows if payload]


def mark_done(engine: Engine, inbounds: list[Inbound]) -> None:
    """Taken up: not offered to the conversation again."""
    now = datetime.now(UTC)
    params = [
        {"done_channel": i.channel, "done_id": (i.raw_id or "")[:64], "done_now": now}
        for i in inbounds
    ]
    if params:
        with engine.begin() as connection:
            connection.execute(DONE, params)


def prune(engine: Engine, *, now: datetime) -> int:
    """Forget messages taken up days ago (side-file journals only: see db.journal)."""
    with engine.begin() as connection:
        return connection.execute(PRUNE, {"prune_before": now - KEEP_IN_SIDE_FILE}).rowcount


class IntakeWorker:
    """Takes stored messages up in arrival order (several per hand-off to the conversation's
    thread), so each customer's messages keep their order.

    On PostgreSQL several processes share the queue: each answers only the senders it has
    claimed (`channels.intake_shared`). `journal_io` runs journal reads and writes,
    `blocking` the conversation's turns; on SQLite they are two threads, so storing a webhook
    never queues behind a turn.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        journal: Engine,
        handle: Callable[..., Any],
        blocking: Blocking,
        journal_io: Blocking,
        answered: Callable[[], None],
        default_language: str = "id",
        handle_run: Callable[..., bool] | None = None,
    ) -> None:
        self.engine, self.journal, self.handle = engine, journal, handle
        self.handle_run = handle_run
        self.blocking, self.journal_io, self.answered = blocking, journal_io, answered
        self.default_language = default_language
        self.side_file = is_side_file(journal, engine)
        self.claims = claims_for(journal)
        self.look_every = LOOK_EVERY.get(journal.dialect.name, 1.0)
        self._wake = asyncio.Event()
        self._arrivals = 0  # messages stored since start: did any come in during a run?
        self._task: asyncio.Task[None] | None = None
        self._paused: dict[tuple[str, str], tuple[int, float]] = {}  # → (failures, until)
        self._pruned_at: datetime | None = None
        self._checkpointed_at: datetime | None = None

    def start(self) -> None:
        self._wake.set()  # whatever a previous run left unanswered
        self._task = asyncio.create_task(self._run(), name="intake")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await asyncio.to_thread(self.claims.close)  # a cancelled round's claims too

    def wake(self) -> None:
        """A message was stored (or a dead letter queued again): take it up."""
        self._arrivals += 1
        self._wake.set()

    async def _run(self) -> None:
        delay = FIRST_PAUSE
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.look_every)
            self._wake.clear()
            try:
                while batch := await self.journal_io(waiting, self.journal):
                    moved = await self._take_up_all(batch)
                    self.answered()
                    if not moved:  # only paused messages left: look again within a second
                        break
                await self._prune_now_and_then()
                delay = FIRST_PAUSE
            except Exception:
                log.exception("taking up stored messages failed; retrying in %.1fs", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, LONGEST_PAUSE)
                self._wake.set()

    async def _take_up_all(self, batch: list[Inbound]) -> bool:
        """Answer a batch in order, a few claimed senders at a time (all of them on SQLite),
        stepping over paused senders, those another process holds and messages it answered
        since the batch was read; True if any message left the queue. The side-file journal
        hears which were answered in one write."""
        moved, remaining = False, batch
        while senders := [(i.channel, i.sender_id) for i in remaining if not self._is_paused(i)]:
            try:
                mine, still = await self.journal_io(self._claim, senders, remaining)
                if not mine:
                    break  # every one of them is being answered by another process
                moved = moved or len(still) < len(remaining)  # answered by another process
                remaining = still
                moved = await self._answer_in_order(remaining, mine) or moved
            finally:
                await self.journal_io(self.claims.release)
            remaining = [i for i in remaining if (i.channel, i.sender_id) not in mine]
        return moved

    def _claim(
        self, senders: list[tuple[str, str]], batch: list[Inbound]
    ) -> tuple[set[tuple[str, str]], list[Inbound]]:
        """Claim a few senders, then drop their messages another process answered since the
        batch was read (see `channels.intake_shared`): turning them again would be a no-op.
        Only the claimed senders' messages are read again (a few, by primary key, where the
        whole batch of 200 cost PostgreSQL 5 ms a claim); the others are when claimed."""
        mine = self.claims.claim(senders)
        if not mine:
            return mine, batch
        claimed = {_key(i) for i in batch if (i.channel, i.sender_id) in mine}
        answered_elsewhere = claimed - self.claims.unanswered(list(claimed))
        return mine, [i for i in batch if _key(i) not in answered_elsewhere]

    async def _answer_in_order(self, batch: list[Inbound], mine: set[tuple[str, str]]) -> bool:
        """Answer the batch's messages of `mine`, in order, a run of them per hand-off to the
        conversation's thread (each hand-off wakes that thread: about 0.1 ms of the event
        loop's time under load, a sixth of a turn)."""
        queue = [i for i in batch if (i.channel, i.sender_id) in mine]
        done: list[Inbound] = []
        held: set[tuple[str, str]] = set()  # senders whose earlier message is paused
        moved, failures_in_a_row, position = False, 0, 0
        try:
            while position < len(queue):
                run, places = self._next_run(queue, position, held)
                if not run:
                    break
                answered, error = await self._answer_run_webhooks_first(run)
                if answered:
                    self.answered()  # their replies may go while the next run is answered
                done += run[:answered]
                for inbound in run[:answered]:
                    self._paused.pop(_key(inbound), None)
                moved = moved or answered > 0
                failures_in_a_row = 0 if answered else failures_in_a_row
                if error is None:
                    position = places[-1] + 1
                    continue
                failed = run[answered]
                position = places[answered] + 1  # the rest of the run is taken again
                if await self._failed(failed, error) == "paused":
                    held.add((failed.channel, failed.sender_id))
                    failures_in_a_row += 1
                    if failures_in_a_row >= OUTAGE:
                        raise DatabaseAway
                else:
                    moved, failures_in_a_row = True, 0
        finally:
            if self.side_file:
                await self.journal_io(mark_done, self.journal, done)
                await self._checkpoint_now_and_then()
        return moved

    def _next_run(
        self, queue: list[Inbound], position: int, held: set[tuple[str, str]]
    ) -> tuple[list[Inbound], list[int]]:
        """Up to RUN messages from `position` on whose senders are neither held nor paused,
        with their places in `queue`."""
        run: list[Inbound] = []
        places: list[int] = []
        for place in range(position, len(queue)):
            inbound = queue[place]
            sender = (inbound.channel, inbound.sender_id)
            if sender in held or self._is_paused(inbound):
                held.add(sender)
                continue
            run.append(inbound)
            places.append(place)
            if len(run) == RUN:
                break
        return run, places

    async def _answer_run_webhooks_first(self, run: list[Inbound]) -> tuple[int, Exception | None]:
        """Hand a run to the conversation's thread; if messages came in meanwhile, leave the
        interpreter to the event loop as long again before the next run.

        Turns and webhooks share one interpreter lock. A provider waits for its 200 (and
        redelivers when it waits long); a customer's answer can wait a few milliseconds. So
        while webhooks keep coming answering takes at most half the time, and all of it once
        they stop. Measured with bench_peer.py: 779 -> 1,501 webhooks/s, p99 67 -> 39 ms, and
        replies/s unchanged (307 / 327): what is not answered during a burst is answered after.
        """
        arrived, began = self._arrivals, time.perf_counter()
        answered, error = await self.blocking(self._answer_run, run)
        if self._arrivals != arrived:
            await asyncio.sleep((time.perf_counter() - began) * WEBHOOKS_FIRST)
        return answered, error

    def _answer_run(self, run: list[Inbound]) -> tuple[int, Exception | None]:
        """In the conversation's thread: answer `run` in order up to the first failure; (how
        many were answered, that failure or None). The run is first answered in one
        transaction (`handle_run`, one commit for all); if anything in it failed, nothing of
        it was kept, and its messages are answered one at a time."""
        accepted = not self.side_file
        if len(run) > 1 and self.handle_run is not None and self.handle_run(run, accepted=accepted):
            return len(run), None
        for answered, inbound in enumerate(run):
            try:
                self.handle(inbound, accepted=accepted)
            except Exception as error:
                return answered, error
        return len(run), None

    async def _failed(self, inbound: Inbound, error: Exception) -> str:
        """A message's failure: 'paused' (passing: try it again later) or 'set aside'."""
        if is_transient(error):
            self._pause(_key(inbound), error)
            return "paused"
        await self._set_aside(inbound, error)
        return "set aside"

    def _is_paused(self, inbound: Inbound) -> bool:
        paused = self._paused.get(_key(inbound))
        return paused is not None and time.monotonic() < paused[1]

    def _pause(self, key: tuple[str, str], error: Exception) -> None:
        failures = self._paused.get(key, (0, 0.0))[0] + 1
        pause = min(FIRST_PAUSE * 2 ** (failures - 1), LONGEST_PAUSE)
        self._paused[key] = (failures, time.monotonic() + pause)
        log.warning(
            "%s message %s: %s (failure %d); trying again in %.1fs",
            *key, failure_name(error), failures, pause,
        )  # fmt: skip

    async def _set_aside(self, inbound: Inbound, error: Exception) -> None:
        """A dead letter now, and an apology to its sender (best effort)."""
        key = _key(inbound)
        log.error("setting aside %s message %s", *key, exc_info=error)
        self._paused.pop(key, None)
        now = datetime.now(UTC)
        await self.journal_io(
            set_aside, self.journal, inbound, failure=failure_name(error), now=now
        )
        try:
            await self.blocking(
                apologise, self.engine, inbound, default_language=self.default_language, now=now
            )
        except Exception:
            log.exception("could not queue the apology for %s message %s", *key)

    async def _checkpoint_now_and_then(self) -> None:
        now = datetime.now(UTC)
        if self._checkpointed_at is None or now - self._checkpointed_at > CHECKPOINT_EVERY:
            self._checkpointed_at = now
            await asyncio.to_thread(checkpoint, self.journal)  # beside the journal's writer

    async def _prune_now_and_then(self) -> None:
        now = datetime.now(UTC)
        if self.side_file and (self._pruned_at is None or now - self._pruned_at > PRUNE_EVERY):
            self._pruned_at = now
            await self.journal_io(prune, self.journal, now=now)
