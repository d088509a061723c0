"""Database engine and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

READ_ONLY = "kabar_read_only"
HOLDS_LOCK = "kabar_holds_write_lock"
SQLITE_BUSY_SECONDS = 30
_WRITE_LOCKS: dict[str, threading.Lock] = {}


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine tuned per backend: SQLite in WAL mode so readers never wait for the writer."""
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        _take_turns_at_writing(engine, path)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.close()


def _take_turns_at_writing(engine: Engine, path: str) -> None:
    """Write transactions on one SQLite file take turns, first at a lock in this process.

    BEGIN IMMEDIATE takes the write lock at the start: a deferred transaction that reads and
    then writes fails at once with SQLITE_BUSY when another writer got in between. Waiting
    for SQLite's lock, though, means its busy handler's sleeps of up to 100 ms; a thread of
    this process waiting at a Python lock instead starts the moment the writer before it
    commits (a webhook no longer waits ~70 ms behind a 6 ms fan-out batch). Other processes
    still meet at SQLite's lock. Work marked read-only (`read_only(engine)`) begins deferred
    and takes no lock, so a long read never holds up writers.
    """
    lock = _WRITE_LOCKS.setdefault(str(Path(path).resolve()), threading.Lock())

    def begin(connection) -> None:
        if connection.get_execution_options().get(READ_ONLY, False):
            connection.exec_driver_sql("BEGIN")
            return
        connection.info[HOLDS_LOCK] = lock.acquire(timeout=SQLITE_BUSY_SECONDS)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            end(connection)
            raise

    def end(connection) -> None:
        if connection.info.pop(HOLDS_LOCK, False):
            lock.release()

    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)


def read_only(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that only read."""
    return engine.execution_options(**{READ_ONLY: True})


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed if the block finishes, rolled back if it raises."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
