"""Acknowledge first, answer after: a webhook stores the customer's message and returns;
a worker hands stored messages to the conversation in arrival order.

Providers redeliver on slow or failed webhooks (Telegram for up to 24 hours), so the
acknowledgement must not wait for the conversation. Storing first also means a crash
between the two loses nothing: unanswered messages are taken up on the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from channels.messages import Inbound, inbound_from_payload, inbound_to_payload
from db.engine import read_only
from db.models import InboundReceipt

log = logging.getLogger("kabar_air.intake")

RECEIPT = InboundReceipt.__table__
ACCEPT = {
    "sqlite": sqlite_insert(RECEIPT)
    .on_conflict_do_nothing()
    .returning(RECEIPT.c.channel, RECEIPT.c.raw_id),
    "postgresql": pg_insert(RECEIPT)
    .on_conflict_do_nothing()
    .returning(RECEIPT.c.channel, RECEIPT.c.raw_id),
}
WAITING = (
    select(RECEIPT.c.payload)
    .where(RECEIPT.c.processed_at.is_(None))
    .order_by(RECEIPT.c.received_at)
    .limit(bindparam("limit"))
)
BATCH = 200
MAX_FAILURES = 5
SET_ASIDE = (
    RECEIPT.update()
    .where(
        RECEIPT.c.channel == bindparam("aside_channel"), RECEIPT.c.raw_id == bindparam("aside_id")
    )
    .values(processed_at=bindparam("aside_now"))
)

Blocking = Callable[..., Awaitable[Any]]  # runs a blocking call off the event loop


def accept(engine: Engine, inbound: Inbound) -> bool:
    """Store a provider's message; False when it was stored before (a redelivery)."""
    return accept_many(engine, [inbound])[0]


def accept_many(engine: Engine, inbounds: list[Inbound]) -> list[bool]:
    """Store several messages in one transaction (one commit for a burst of webhooks)."""
    now = datetime.now(UTC)
    rows, keys, seen = [], [], set()
    for inbound in inbounds:
        key = (inbound.channel, (inbound.raw_id or "")[:64])
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
    with engine.begin() as connection:
        stored = {tuple(row) for row in connection.execute(ACCEPT[engine.dialect.name], rows)}
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
    with read_only(engine).connect() as connection:
        rows = connection.execute(WAITING, {"limit": limit}).scalars().all()
    return [inbound_from_payload(payload) for payload in rows if payload]


def set_aside(engine: Engine, inbound: Inbound) -> None:
    """Stop retrying a message the conversation cannot take (it stays stored, and logged)."""
    params = {
        "aside_channel": inbound.channel,
        "aside_id": (inbound.raw_id or "")[:64],
        "aside_now": datetime.now(UTC),
    }
    with engine.begin() as connection:
        connection.execute(SET_ASIDE, params)


class IntakeWorker:
    """Takes stored messages up one by one, so each customer's messages keep their order."""

    def __init__(
        self,
        *,
        engine: Engine,
        handle: Callable[..., Any],
        blocking: Blocking,
        answered: Callable[[], None],
    ) -> None:
        self.engine, self.handle, self.blocking, self.answered = engine, handle, blocking, answered
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._failures: dict[tuple[str, str], int] = {}

    def start(self) -> None:
        self._wake.set()  # whatever a previous run left unanswered
        self._task = asyncio.create_task(self._run(), name="intake")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        delay = 0.5
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)
            self._wake.clear()
            try:
                while batch := await self.blocking(waiting, self.engine):
                    for inbound in batch:
                        await self._take_up(inbound)
                    self.answered()
                delay = 0.5
            except Exception:
                log.exception("taking up stored messages failed; retrying in %.1fs", delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30.0)
                self._wake.set()

    async def _take_up(self, inbound: Inbound) -> None:
        """Answer one message; one that keeps failing is set aside, not retried forever."""
        key = (inbound.channel, inbound.raw_id or "")
        try:
            await self.blocking(self.handle, inbound, accepted=True)
            self._failures.pop(key, None)
        except Exception:
            self._failures[key] = failures = self._failures.get(key, 0) + 1
            if failures < MAX_FAILURES:
                raise
            log.exception("setting aside %s message %s after %d failures", *key, failures)
            await self.blocking(set_aside, self.engine, inbound)
