"""Readers of pooled connections end with COMMIT (`db.engine.reading`), so PostgreSQL keeps
the plans psycopg prepared on the connection; a rollback makes psycopg drop them all. Collected
in the PostgreSQL suite only (SQLite has no server-side statements), which `make test` runs
too."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from sqlalchemy import Connection, Engine, select, text

from db.engine import read_only, reading
from db.models import Message
from tests.conftest import BACKEND

MESSAGE = Message.__table__
PREPARED = text("SELECT count(*) FROM pg_prepared_statements")
RUNS = 8  # psycopg prepares a statement on its sixth run on a connection


def prepared_after(
    engine: Engine, runs_on: Callable[[Engine], AbstractContextManager[Connection]]
) -> int:
    """Statements prepared on the connection after `RUNS` reads, each in a `runs_on` block."""
    for _ in range(RUNS):
        with runs_on(engine) as connection:
            connection.execute(select(MESSAGE.c.id).limit(1)).all()
    with reading(engine) as connection:
        return int(connection.execute(PREPARED).scalar_one())


if BACKEND == "postgresql":

    def test_a_reader_that_commits_keeps_what_the_driver_prepared(engine):
        assert prepared_after(engine, reading) >= 1

    def test_a_reader_that_rolls_back_loses_it(engine):
        assert prepared_after(engine, lambda e: read_only(e).connect()) == 0
