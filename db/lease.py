"""One process at a time for a named job (the notice scheduler, the outbox sender).

Every process of the service may run the job's loop; only the holder of the job's row in
`scheduler_lease` does the work, and it renews the row well before it expires. A clean stop
releases the row so the next holder takes over at once. Acquiring is one statement (insert if
absent, else take over if expired or already ours), so two processes can never both hold a
lease, on SQLite or PostgreSQL. The same holder always gets its own lease back.

A process killed without a clean stop (kill -9, a crash, a power cut of a container) leaves
its row behind. Waiting for it to expire left a restarted service silent for up to a lease's
length, so a holder's name says which process it is: host, pid and that process's start time
(`holder_name`). A contender on the same host that finds the holder's process gone (no such
pid, a zombie, or a pid reused by a process started at another time) takes the lease over at
once, by a compare-and-swap on the dead holder's name, so of several contenders only one wins.
A live process is never taken over: its pid exists with the start time it recorded. A holder
on another host is never judged from here; its lease expires as before.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.engine import reading
from db.models import SchedulerLease

LEASE = SchedulerLease.__table__
HOST_CHARS = 30  # host:pid:start:tag stays within the 64-character column


@dataclass(frozen=True, slots=True)
class Holder:
    """Who a holder name says it is."""

    host: str
    pid: int
    started: str  # the process's start time in clock ticks since boot ('' where unknown)


def holder_name() -> str:
    """A name for one holder in this process: host, pid, the process's start, a random tag.

    The tag keeps two holders in one process apart (tests run two senders side by side).
    """
    pid = os.getpid()
    return f"{_host()}:{pid}:{process_started(pid) or ''}:{uuid.uuid4().hex[:6]}"


def parse_holder(name: str) -> Holder | None:
    """The host, pid and start of a name made by `holder_name`; None for other names."""
    parts = name.rsplit(":", 3)
    if len(parts) != 4 or not parts[1].isdigit():
        return None
    return Holder(host=parts[0], pid=int(parts[1]), started=parts[2])


def process_started(pid: int) -> str | None:
    """When process `pid` started (ticks since boot, from /proc); None when there is no such
    process or it is a zombie; '' where /proc is not available (not Linux)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None if Path("/proc/self/stat").exists() else ""
    except OSError:
        return ""
    fields = stat.rpartition(")")[2].split()  # the command name may hold spaces and ')'
    state, started = fields[0], fields[19]
    return None if state in {"Z", "X"} else started


def holder_is_dead(name: str) -> bool:
    """True only when `name` is a holder on this host whose process is certainly gone."""
    holder = parse_holder(name)
    if holder is None or holder.host != _host():
        return False
    started = process_started(holder.pid)
    if started is None:
        return True
    if started == "" or holder.started == "":  # no /proc: ask the kernel whether the pid is there
        return not _pid_exists(holder.pid)
    return started != holder.started  # the pid now belongs to another process


def acquire(engine: Engine, *, name: str, holder: str, now: datetime, seconds: float) -> bool:
    """Take, take over or renew the lease until `now + seconds`; False while another holds it.

    A lease whose holder died on this host is taken over at once (see the module's docstring).
    """
    expires_at = now + timedelta(seconds=seconds)
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    values = insert(LEASE).values(name=name, holder=holder, expires_at=expires_at)
    statement = values.on_conflict_do_update(
        index_elements=[LEASE.c.name],
        set_={"holder": values.excluded.holder, "expires_at": values.excluded.expires_at},
        where=(LEASE.c.holder == holder) | (LEASE.c.expires_at < now),
    ).returning(LEASE.c.name)
    with engine.begin() as connection:
        if connection.execute(statement).first() is not None:
            return True
        current = connection.execute(
            select(LEASE.c.holder).where(LEASE.c.name == name)
        ).scalar_one_or_none()
        if current is None or not holder_is_dead(current):
            return False
        take_over = (
            update(LEASE)
            .where(LEASE.c.name == name, LEASE.c.holder == current)
            .values(holder=holder, expires_at=expires_at)
        )
        return connection.execute(take_over).rowcount == 1


def release(engine: Engine, *, name: str, holder: str) -> None:
    """Give the lease up (if still ours) so another process may take it at once."""
    with engine.begin() as connection:
        connection.execute(delete(LEASE).where(LEASE.c.name == name, LEASE.c.holder == holder))


def current_holder(engine: Engine, *, name: str, now: datetime) -> str | None:
    """Who holds the lease at `now`; None when nobody does (absent or expired)."""
    statement = select(LEASE.c.holder).where(LEASE.c.name == name, LEASE.c.expires_at >= now)
    with reading(engine) as connection:
        return connection.execute(statement).scalar_one_or_none()


def _host() -> str:
    return socket.gethostname()[:HOST_CHARS].replace(":", "-")


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True
