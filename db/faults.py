"""Which errors pass by themselves: the database's trouble, not the work's.

A locked SQLite file, an unreachable or restarting PostgreSQL server, a dropped connection, a
deadlock or a serialisation failure go away if the same work is tried again a little later
(SQLAlchemy reports them as `OperationalError`, or as an error with `connection_invalidated`).
Anything else (a constraint, a value the database refuses, a bug) fails the same way every
time, so trying again only delays whatever waits behind it.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


def is_unavailable(error: BaseException) -> bool:
    """True when the database could not do the work for reasons of its own (down, locked,
    connection lost, pool exhausted): the service answers 503 and tries again later."""
    if isinstance(error, OperationalError | PoolTimeout):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def is_transient(error: BaseException) -> bool:
    """True for failures that may pass if the same work is tried again later."""
    return is_unavailable(error) or isinstance(error, TimeoutError | ConnectionError)
