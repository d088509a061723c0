"""Database engine and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, event, exc
from sqlmodel import Session, create_engine

READ_ONLY = "kabar_read_only"
CONNECT_TIMEOUT_SECONDS = 5  # PostgreSQL: an unreachable server is reported, not waited on


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine tuned per backend: SQLite in WAL mode so readers never wait for the writer.

    `hide_parameters`: a failed statement's error names the statement but not its values
    (phone numbers, messages, notes), so a traceback in the log carries no personal data.
    """
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            hide_parameters=True,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, see below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin_immediate(connection: Connection) -> None:
    """Take the write lock at BEGIN: a deferred transaction that reads and then writes fails at
    once with SQLITE_BUSY when another writer got in between; an immediate one waits its turn.

    Work marked read-only (`read_only(engine)`) begins deferred, so a long read never holds
    the write lock that webhooks and the sender need.
    """
    statement = "BEGIN" if connection.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE"
    raw = connection.connection.driver_connection  # every turn begins: skip the statement layer
    try:
        raw.execute(statement)  # type: ignore[union-attr]
    except sqlite3.Error as error:  # "database is locked" after busy_timeout: as SQLAlchemy says it
        raise exc.DBAPIError.instance(
            statement, None, error, sqlite3.Error, hide_parameters=True, dialect=connection.dialect
        ) from error


def checkpoint(engine: Engine) -> None:
    """Copy SQLite's write-ahead log back into the database file now, beside writers
    (PASSIVE: never blocks them), rather than inside whichever commit crosses the threshold."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            raw = connection.connection.driver_connection  # outside any transaction
            if raw is not None:
                raw.execute("PRAGMA wal_checkpoint(PASSIVE)")


def read_only(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that only read."""
    return engine.execution_options(**{READ_ONLY: True})


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that ends with COMMIT rather than ROLLBACK.

    psycopg forgets every statement it prepared on a connection when that connection rolls
    back, so a reader ending the usual way (a `connect()` block rolls back) made PostgreSQL
    parse and plan again every statement of the turns that used its pooled connection next.
    So every reader of a connection uses this: the sender, the intake, leases, health,
    metrics. (SQLAlchemy `Session`s over `read_only` are the console's pages, off that path.)
    """
    with read_only(engine).begin() as connection:
        yield connection


def writable(engine: Engine) -> Engine:
    """The same engine and pool, for transactions that write (undoes `read_only`)."""
    return engine.execution_options(**{READ_ONLY: False})


def _engine_of(session: Session) -> Engine:
    """The engine a session is bound to (ours are always bound to an engine)."""
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


@contextmanager
def write_apart(session: Session) -> Iterator[Session]:
    """A short write transaction of its own beside `session`, which may be read-only
    (e.g. the audit line of a page view): committed if the block finishes."""
    with session_scope(writable(_engine_of(session))) as apart:
        yield apart


@contextmanager
def read_apart(session: Session) -> Iterator[Session]:
    """A read-only session beside `session`: a response built after the commit reads
    without taking SQLite's write lock again."""
    with Session(read_only(_engine_of(session)), expire_on_commit=False) as reading:
        yield reading


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
