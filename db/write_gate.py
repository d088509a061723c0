"""Who writes next to a SQLite file inside this process: customers before bulk work.

SQLite has one write lock per file. Writers that find it taken wait in SQLite's busy handler,
which sleeps (1, 2, 5 … up to 100 ms) and retries, so a webhook that arrives during a
100,000-row fan-out can lose the lock to the fan-out's next batch again and again. The gate
settles it in the process before SQLite sees it: foreground writes (webhooks, conversation
turns) never wait for more than the bulk batch already running, and a bulk batch starts only
when no foreground write is in flight, or after `patience` so bulk work cannot starve.

A batch learns whether it kept a foreground write waiting (`BulkBatch.kept_waiting`): bulk
work pauses after such a batch to let the queue drain, and goes straight on when nobody
waited.

PostgreSQL locks rows, not the database, so its gate lets everything through at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine

DEFAULT_PATIENCE = 0.25  # seconds a bulk batch waits for foreground writes before going anyway


@dataclass(slots=True)
class BulkBatch:
    """What one bulk batch learns while it runs."""

    kept_waiting: bool = False  # a foreground write waited for it (or it went past one)


class WriteGate:
    def __init__(self, *, patience: float = DEFAULT_PATIENCE) -> None:
        self.patience = patience
        self._changed = threading.Condition()
        self._foreground = 0
        self._running: BulkBatch | None = None

    @property
    def foreground_in_flight(self) -> int:
        """Foreground writes running or waiting now (bulk batches wait while there are any)."""
        with self._changed:
            return self._foreground

    @contextmanager
    def foreground(self) -> Iterator[None]:
        """A short write someone is waiting for: goes as soon as the running bulk batch ends."""
        with self._changed:
            self._foreground += 1
            if self._running is not None:
                self._running.kept_waiting = True
            while self._running is not None:
                self._changed.wait()
        try:
            yield
        finally:
            with self._changed:
                self._foreground -= 1
                if not self._foreground:
                    self._changed.notify_all()

    @contextmanager
    def bulk(self) -> Iterator[BulkBatch]:
        """One batch of bulk work: waits until foreground writes are done (or `patience`)."""
        deadline = time.monotonic() + self.patience
        with self._changed:
            while True:
                if self._running is not None:
                    self._changed.wait()
                    continue
                remaining = deadline - time.monotonic()
                if not self._foreground or remaining <= 0:
                    break
                self._changed.wait(timeout=remaining)
            batch = self._running = BulkBatch(kept_waiting=self._foreground > 0)
        try:
            yield batch
        finally:
            with self._changed:
                self._running = None
                self._changed.notify_all()


class OpenGate(WriteGate):
    """For databases that write in parallel: nobody waits for anybody. Each batch counts as
    having kept others waiting, so bulk work still pauses and leaves them the server's time."""

    @contextmanager
    def foreground(self) -> Iterator[None]:
        yield

    @contextmanager
    def bulk(self) -> Iterator[BulkBatch]:
        yield BulkBatch(kept_waiting=True)


_gates: dict[str, WriteGate] = {}
_gates_lock = threading.Lock()


def write_gate(engine: Engine) -> WriteGate:
    """The gate shared by every engine of this process on the same SQLite file."""
    if engine.dialect.name != "sqlite":
        return OpenGate()
    key = engine.url.database or ":memory:"
    with _gates_lock:
        return _gates.setdefault(key, WriteGate())
