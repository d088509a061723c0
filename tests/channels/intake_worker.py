"""Run the real intake worker in a test, its blocking work inline, until a condition holds."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from channels.intake import IntakeWorker
from channels.messages import Inbound
from db.models import InboundReceipt


def mark_processed(engine: Engine, inbound: Inbound) -> None:
    """What a conversation turn does to the receipt once it has answered the message."""
    with Session(engine) as session:
        receipt = session.get(InboundReceipt, (inbound.channel, inbound.raw_id))
        assert receipt is not None
        receipt.processed_at = receipt.received_at
        session.add(receipt)
        session.commit()


def run_worker(
    engine: Engine,
    handle: Callable[..., None],
    *,
    until: Callable[[], bool],
    polls: int = 200,
) -> None:
    """Start the worker on the main database as its own journal, poll every 50 ms, stop it."""

    async def blocking(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    async def run() -> None:
        worker = IntakeWorker(
            engine=engine,
            journal=engine,
            handle=handle,
            blocking=blocking,
            journal_io=blocking,
            answered=lambda: None,
        )
        worker.start()
        for _ in range(polls):
            await asyncio.sleep(0.05)
            if until():
                break
        await worker.stop()

    asyncio.run(run())
