"""An experiment, not a mode of the service: webhooks acknowledged in one process, answered
in a second one.

    BENCH_KABAR_APP=bench.answering_apart:create_app .venv/bin/python bench/bench_peer.py
    BENCH_KABAR_APP=bench.answering_apart:create_app .venv/bin/python bench/bench_intake.py
    (BENCH_ANSWER_NICE=10 gives the answering process a lower CPU priority)

The service is built as `kabar-air serve` builds it, then forked. The parent serves HTTP and
only acknowledges webhooks (stores them in the intake journal); the child takes them up,
answers and sends, as the whole service does in one process. Nothing wakes the child across
the fork: it looks at the journal every 5 ms. The child is killed with the parent, even by
SIGKILL (Linux's parent-death signal), so the crash variant of bench_peer.py holds. What a
service would also need (console wake-ups across processes, a restart when the child dies,
the schedulers' place) is not built: this measures what the split buys and what it costs in
memory (bench/README.md, 2026-11-30 fourth session).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
from dataclasses import dataclass
from typing import NoReturn, cast

from fastapi import FastAPI

from bot.cli import serving_app
from bot.runtime import Runtime
from channels import intake
from channels.intake import IntakeWorker
from core.settings import get_settings

LOOK_EVERY_SECONDS = 0.005  # how often the child looks for stored messages
PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent dies


class _NobodyToWake:
    """The parent's stand-in for the intake worker, which runs in the child."""

    def wake(self) -> None:
        return None


@dataclass
class AcknowledgingRuntime(Runtime):
    """The parent's part: webhooks stored and acknowledged; no worker, sender or scheduler."""

    answering_pid: int = 0

    async def startup(self) -> None:
        self.channels.handle = self.answer  # messages without an id are still answered here
        self.channels.intake = cast(IntakeWorker, _NobodyToWake())

    async def shutdown(self) -> None:
        os.kill(self.answering_pid, signal.SIGKILL)
        os.waitpid(self.answering_pid, 0)
        self.engine.dispose()


def create_app() -> FastAPI:
    """uvicorn's factory: the service's app in this process, its answering in a child."""
    runtime = cast(AcknowledgingRuntime, AcknowledgingRuntime.start(get_settings()))
    app = serving_app(runtime)
    parent = os.getpid()
    child = os.fork()
    if child == 0:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # it died before the line above
            os._exit(0)
        answer(runtime)
    runtime.answering_pid = child
    return app


def answer(runtime: Runtime) -> NoReturn:
    """The child: the whole service's background work (intake, sender, schedulers)."""
    runtime.engine.dispose(close=False)  # the parent's connections stay the parent's
    runtime.channels.journal.dispose(close=False)
    intake.LOOK_EVERY[runtime.channels.journal.dialect.name] = LOOK_EVERY_SECONDS
    os.nice(int(os.environ.get("BENCH_ANSWER_NICE", "0")))

    async def run() -> None:
        await Runtime.startup(runtime)
        await asyncio.Event().wait()

    try:
        asyncio.run(run())
    finally:
        os._exit(0)
