"""Who writes next to a SQLite file inside this process: customers before bulk work.

SQLite has one write lock per file. Writers that find it taken wait in SQLite's busy handler,
which sleeps (1, 2, 5 … up to 100 ms) and retries, so a webhook that arrives during a
100,000-row fan-out can lose the lock to the fan-out's next batch again and again. The gate
settles it in the process before SQLite sees it: foreground writes (webhooks, conversation
turns) never wait for more than the bulk batch already running, and a bulk batch starts only
when no foreground write is in flight, or after `patience` so bulk work cannot starve.

PostgreSQL locks rows, not the database, so its gate lets everything through at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

DEFAULT_PATIENCE = 0.25  # seconds a bulk batch waits for foreground writes before going anyway


class WriteGate:
    def __init__(self, *, patience: float = DEFAULT_PATIENCE) -> None:
        self.patience = patience
        self._changed = threading.Condition()
        self._foreground = 0
        self._bulk_running = False

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
            while self._bulk_running:
                self._changed.wait()
        try:
            yield
        finally:
            with self._changed:
                self._foreground -= 1
                if not self._foreground:
                    self._changed.notify_all()

    @contextmanager
    def bulk(self) -> Iterator[None]:
        """One batch of bulk work: waits until foreground writes are done (or `patience`)."""
        deadline = time.monotonic() + self.patience
        with self._changed:
            while True:
                if self._bulk_running:
                    self._changed.wait()
                    continue
                remaining = deadline - time.monotonic()
                if not self._foreground or remaining <= 0:
                    break
                self._changed.wait(timeout=remaining)
            self._bulk_running = True
        try:
            yield
        finally:
            with self._changed:
                self._bulk_running = False
                self._changed.notify_all()


class OpenGate(WriteGate):
    """For databases that write in parallel: nobody waits for anybody."""

    @contextmanager
    def foreground(self) -> Iterator[None]:
        yield

    @contextmanager
    def bulk(self) -> Iterator[None]:
        yield


_gates: dict[str, WriteGate] = {}
_gates_lock = threading.Lock()


def write_gate(engine: Engine) -> WriteGate:
    """The gate shared by every engine of this process on the same SQLite file."""
    if engine.dialect.name != "sqlite":
        return OpenGate()
    key = engine.url.database or ":memory:"
    with _gates_lock:
        return _gates.setdefault(key, WriteGate())
