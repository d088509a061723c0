"""One process at a time for a named job (the notice scheduler, the outbox sender).

Every process of the service may run the job's loop; only the holder of the job's row in
`scheduler_lease` does the work, and it renews the row well before it expires. A process
that dies leaves a row that expires; a clean stop releases it so the next holder takes over
at once. Acquiring is one statement (insert if absent, else take over if expired or already
ours), so two processes can never both hold a lease, on SQLite or PostgreSQL. The same
holder always gets its own lease back, expired or not.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.engine import read_only
from db.models import SchedulerLease

LEASE = SchedulerLease.__table__


def holder_name() -> str:
    """A name for this process as a holder: host, pid and a random tag (fits the 64-char column)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(engine: Engine, *, name: str, holder: str, now: datetime, seconds: float) -> bool:
    """Take, take over or renew the lease until `now + seconds`; False while another holds it."""
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    values = insert(LEASE).values(
        name=name, holder=holder, expires_at=now + timedelta(seconds=seconds)
    )
    statement = values.on_conflict_do_update(
        index_elements=[LEASE.c.name],
        set_={"holder": values.excluded.holder, "expires_at": values.excluded.expires_at},
        where=(LEASE.c.holder == holder) | (LEASE.c.expires_at < now),
    ).returning(LEASE.c.name)
    with engine.begin() as connection:
        return connection.execute(statement).first() is not None


def release(engine: Engine, *, name: str, holder: str) -> None:
    """Give the lease up (if still ours) so another process may take it at once."""
    with engine.begin() as connection:
        connection.execute(delete(LEASE).where(LEASE.c.name == name, LEASE.c.holder == holder))


def current_holder(engine: Engine, *, name: str, now: datetime) -> str | None:
    """Who holds the lease at `now`; None when nobody does (absent or expired)."""
    statement = select(LEASE.c.holder).where(LEASE.c.name == name, LEASE.c.expires_at >= now)
    with read_only(engine).connect() as connection:
        return connection.execute(statement).scalar_one_or_none()
