"""SQLite transactions take the write lock at BEGIN (db/engine.py); a lock that stays taken is
reported as SQLAlchemy's OperationalError, which the intake treats as passing trouble."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import exc, text

from db.engine import make_engine, read_only
from db.faults import is_transient


def test_a_writer_waits_for_the_lock_and_then_reports_it_as_passing_trouble(tmp_path):
    path = tmp_path / "locked.db"
    engine = make_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        with engine.connect() as connection:
            connection.connection.driver_connection.execute("PRAGMA busy_timeout=50")
            with pytest.raises(exc.OperationalError) as caught:
                connection.begin()
        assert is_transient(caught.value)
        with read_only(engine).connect() as reader, reader.begin():
            assert reader.execute(text("SELECT count(*) FROM t")).scalar_one() == 0, (
                "a read-only transaction begins deferred and is not held up by the writer"
            )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO t VALUES (1)"))
    engine.dispose()
