"""Hot-path statements run on the driver's own cursor.

A conversation turn runs the same few statements for every message. Through
`Connection.execute` each one pays for SQLAlchemy's per-execution machinery (cache-key
lookup, compiled-parameter setup, events, a result object), which cost more than the
database's own work on SQLite. A `Prepared` statement is compiled once per dialect and set of
parameter names, and run on the connection's DBAPI cursor with the column types' own bind and
result processors: the same SQL, the same types, the same transaction, without the rest.
Driver errors are raised as SQLAlchemy's (so `db.faults` classifies them as it does the others),
without their parameters.

`driver_transaction` goes one step further for the webhook's store of a message, a
transaction of one or two rows: a pooled driver connection with BEGIN and COMMIT issued
directly, where SQLAlchemy's `Connection` (its begin, commit and events) cost twice SQLite's
own insert and commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Engine, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.sql.dml import UpdateBase

Processor = Callable[[Any], Any] | None


class Runner(Protocol):
    """What a prepared statement runs on: SQLAlchemy's `Connection`, or `DriverConnection`."""

    @property
    def dialect(self) -> Dialect: ...

    @property
    def connection(self) -> PoolProxiedConnection: ...

    def invalidate(self, exception: BaseException | None = None) -> None: ...


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # the bind names, in the order positional drivers want them
    positional: bool
    fixed: dict[str, Any]  # values written into the statement itself (`.values(active=True)`)
    binds: tuple[Processor, ...]  # per name
    results: tuple[Processor, ...]  # per returned column


class Prepared:
    """One INSERT/UPDATE (with RETURNING, if any) or SELECT for the hot path; see the module's
    docstring. A SELECT returns its selected columns."""

    def __init__(
        self, statement: UpdateBase | Select[Any], returning: Sequence[ColumnElement[Any]] = ()
    ) -> None:
        if isinstance(statement, Select):
            self.statement: UpdateBase | Select[Any] = statement
            self.returning: tuple[ColumnElement[Any], ...] = tuple(statement.selected_columns)
        else:
            self.statement = statement.returning(*returning) if returning else statement
            self.returning = tuple(returning)
        self._compiled: dict[tuple[str, frozenset[str]], _Compiled] = {}

    def rows(self, connection: Runner, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run once with `params`; the returned rows, their values converted to Python."""
        compiled = self._compile(connection.dialect, params)
        values = [
            value if process is None else process(value)
            for value, process in zip(
                (params[n] if n in params else compiled.fixed[n] for n in compiled.names),
                compiled.binds,
                strict=True,
            )
        ]
        driver_params: Any = (
            values if compiled.positional else dict(zip(compiled.names, values, strict=True))
        )
        cursor = connection.connection.cursor()
        try:
            cursor.execute(compiled.sql, driver_params)
            fetched = cursor.fetchall() if self.returning else []
        except connection.dialect.loaded_dbapi.Error as error:
            raise _wrapped(connection, compiled.sql, error) from error
        finally:
            cursor.close()
        if not any(compiled.results):
            return [tuple(row) for row in fetched]
        return [
            tuple(v if p is None else p(v) for v, p in zip(row, compiled.results, strict=True))
            for row in fetched
        ]

    def _compile(self, dialect: Dialect, params: Mapping[str, Any]) -> _Compiled:
        key = (dialect.name, frozenset(params))
        found = self._compiled.get(key)
        if found is None:
            found = self._compiled[key] = _compile(self.statement, self.returning, dialect, params)
        return found


def _compile(
    statement: UpdateBase | Select[Any],
    returning: tuple[ColumnElement[Any], ...],
    dialect: Dialect,
    params: Mapping[str, Any],
) -> _Compiled:
    compiled = statement.compile(dialect=dialect, column_keys=list(params))
    names = tuple(compiled.positiontup or compiled.binds)
    fixed = {
        name: compiled.binds[name].effective_value
        for name in names
        if name not in params and not compiled.binds[name].required
    }
    missing = sorted(name for name in names if name not in params and name not in fixed)
    if missing:
        raise KeyError(f"parameters missing for a prepared statement: {missing}")
    if compiled.escaped_bind_names:
        raise ValueError("bind names that need escaping are not supported here")
    binds = tuple(
        compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    )
    results = tuple(
        column.type.dialect_impl(dialect).result_processor(dialect, None) for column in returning
    )
    return _Compiled(
        sql=compiled.string,
        names=names,
        positional=bool(compiled.positiontup),
        fixed=fixed,
        binds=binds,
        results=results,
    )


class DriverConnection:
    """A pooled driver connection inside `driver_transaction`: runs `Prepared` statements."""

    def __init__(self, engine: Engine) -> None:
        self.dialect = engine.dialect
        self.connection = engine.raw_connection()

    def invalidate(self, exception: BaseException | None = None) -> None:
        self.connection.invalidate(exception)


@contextmanager
def driver_transaction(engine: Engine) -> Iterator[DriverConnection]:
    """One transaction on a pooled driver connection: committed if the block finishes, rolled
    back if it raises. SQLite begins IMMEDIATE (the write lock at once, as `db.engine` does);
    PostgreSQL's driver begins by itself at the first statement."""
    runner = DriverConnection(engine)
    raw = runner.connection
    try:
        try:
            if runner.dialect.name == "sqlite":
                raw.driver_connection.execute("BEGIN IMMEDIATE")  # type: ignore[union-attr]
            yield runner
            raw.commit()
        except runner.dialect.loaded_dbapi.Error as error:
            raise _wrapped(runner, "BEGIN/COMMIT", error) from error
        except BaseException:
            raw.rollback()
            raise
    finally:
        raw.close()


def _wrapped(connection: Runner, sql: str, error: Any) -> exc.StatementError:
    """The driver's error as SQLAlchemy would have raised it (no parameters in its text)."""
    dialect = connection.dialect
    raw = connection.connection.dbapi_connection
    disconnected = dialect.is_disconnect(error, raw, None)
    if disconnected:
        connection.invalidate(error)
    return exc.DBAPIError.instance(
        sql,
        None,
        error,
        dialect.loaded_dbapi.Error,
        hide_parameters=True,
        connection_invalidated=disconnected,
        dialect=dialect,
        ismulti=False,
    )
