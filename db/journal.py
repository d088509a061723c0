"""Where webhooks keep customer messages until the conversation has taken them up.

On a SQLite file the journal is a second file beside it (`kabar.db` → `kabar.intake.db`):
SQLite lets one connection write to a file at a time, and acknowledging a provider must not
wait behind a 100,000-row notice fan-out or a staff member's save in the main file.
PostgreSQL writes rows in parallel, so there the journal is the main database.

The journal holds one table, `inbound_receipt`, with the same shape in both places. A side
file is a queue, not a record: its table is created when missing, and rows the conversation
has taken up are pruned after a few days (the main database keeps its own receipt of each
message, which is what stops a late redelivery from being answered twice).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, event, inspect

from db.engine import make_engine
from db.models import InboundReceipt

SUFFIX = ".intake"


def journal_path(database: str) -> Path:
    path = Path(database)
    return path.with_name(path.stem + SUFFIX + path.suffix)


def intake_journal(engine: Engine) -> Engine:
    """The journal engine for this main engine: a side file for SQLite, else the engine itself."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        return engine
    url = engine.url.set(database=str(journal_path(database)))
    journal = make_engine(url.render_as_string(hide_password=False))
    event.listen(journal, "connect", _no_checkpoint_on_commit)
    InboundReceipt.__table__.create(journal, checkfirst=True)
    _add_missing_columns(journal)
    return journal


def _add_missing_columns(journal: Engine) -> None:
    """A side file made by an older version lacks the table's newer (nullable) columns."""
    table = InboundReceipt.__table__
    present = {column["name"] for column in inspect(journal).get_columns(table.name)}
    with journal.begin() as connection:
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=journal.dialect)
                connection.exec_driver_sql(
                    f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'
                )


def _no_checkpoint_on_commit(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    """A webhook's commit never copies the journal's WAL back (a checkpoint, with its fsync):
    the intake worker does it after the conversation has taken messages up."""
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def is_side_file(journal: Engine, engine: Engine) -> bool:
    """True when the journal is not the main database (its rows then need a receipt there)."""
    return journal is not engine
