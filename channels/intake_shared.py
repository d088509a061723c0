"""Several processes on one PostgreSQL database share the stored messages, each customer's
in order.

Every process's intake worker reads the same waiting rows, oldest first. Before it answers
any, it claims a few of their senders with `pg_try_advisory_xact_lock`, in arrival order,
stepping over senders another process holds, and answers only those senders' messages; the
claims are released when its claim transaction ends. So at any moment one process at most
works on a customer, and that process takes the customer's messages in arrival order: the
others leave that customer alone and answer other customers meanwhile.

The rows a process read go stale while it works: the other processes answer customers of the
same batch. So after each claim it reads again which of the claimed senders' messages still
wait (`unanswered`), in a statement of its own after the locks were taken, which sees every turn
committed before another process released a customer. A message answered elsewhere is dropped
there, not turned again: such a turn would find its receipt taken and do nothing, but it costs
a transaction all the same (with two processes on one batch, nearly half the turns were).

The claims live in a transaction on their own connection, so a process killed with SIGKILL
loses them with its connection: another process takes its customers up at once, with no lease
to wait out. A message the dead process had answered (its turn committed) is not answered again:
the conversation's receipt claim in the same transaction as the answer says so (`accepted`).

SQLite runs one process only (`kabar-air serve --workers` refuses it), so there every sender
is its own: `NoClaims`.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, RootTransaction, text

Sender = tuple[str, str]  # (channel, sender_id)
Key = tuple[str, str]  # (channel, raw_id): a stored message
SPACE = 0x4B41  # "KA": the advisory-lock class for intake senders (the other int is the sender)
CLAIM_AT_ONCE = 8  # senders one process claims per round: the others are left for the rest
CLAIM = text(
    "SELECT k FROM unnest(CAST(:keys AS integer[])) AS k "
    "WHERE pg_try_advisory_xact_lock(:space, k) LIMIT :most"
)  # LIMIT stops the scan: no lock is tried past the `most`th one taken
STILL_WAITING = text(
    "SELECT r.channel, r.raw_id, r.processed_at IS NULL AND r.failed_at IS NULL"
    " FROM unnest(CAST(:channels AS varchar[]), CAST(:raw_ids AS varchar[])) AS k(channel, raw_id)"
    " JOIN inbound_receipt AS r ON r.channel = k.channel AND r.raw_id = k.raw_id"
)  # one text whatever the count, so the driver prepares it once. Only the primary key is
# joined on: a look-up per key whatever the statistics say. With `processed_at IS NULL` in
# the WHERE, the plan of a new table walked every waiting row (1.8 ms a call at thousands)


def sender_key(sender: Sender) -> int:
    """A 32-bit number for a sender (two senders sharing one only wait for each other)."""
    digest = hashlib.blake2b(f"{sender[0]}:{sender[1]}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big", signed=True)


class NoClaims:
    """One process: every sender is ours."""

    def claim(self, senders: Sequence[Sender], most: int = CLAIM_AT_ONCE) -> set[Sender]:
        return set(senders)

    def unanswered(self, keys: Sequence[Key]) -> set[Key]:
        """Nobody else answers: what was waiting still is."""
        return set(keys)

    def release(self) -> None:
        return None

    def close(self) -> None:
        return None


class SenderClaims:
    """Claims on senders held in an open transaction on a connection of their own.

    A worker's task cancelled while its claim runs in a thread leaves that thread running:
    `close` (the worker stopping) ends what is held and makes a claim finishing later let go
    at once, so no transaction is left holding customers after the worker is gone.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None
        self._lock = threading.Lock()
        self._closed = False

    def claim(self, senders: Sequence[Sender], most: int = CLAIM_AT_ONCE) -> set[Sender]:
        """Claim up to `most` of `senders`, earliest first, skipping those held elsewhere."""
        with self._lock:
            self._release()
            if self._closed:
                return set()
            return self._claim(senders, most)

    def _claim(self, senders: Sequence[Sender], most: int) -> set[Sender]:
        unique = list(dict.fromkeys(senders))
        by_key: dict[int, list[Sender]] = {}
        for sender in unique:
            by_key.setdefault(sender_key(sender), []).append(sender)
        self._connection = self.engine.connect()
        self._transaction = self._connection.begin()
        params = {"keys": list(by_key), "space": SPACE, "most": most}
        got = self._connection.execute(CLAIM, params).scalars().all()
        return {sender for key in got for sender in by_key[key]}

    def unanswered(self, keys: Sequence[Key]) -> set[Key]:
        """Which of these messages still wait, read after the claim on its connection."""
        with self._lock:
            if self._connection is None or not keys:
                return set(keys)
            params = {"channels": [k[0] for k in keys], "raw_ids": [k[1] for k in keys]}
            rows = self._connection.execute(STILL_WAITING, params).all()
        return {(channel, raw_id) for channel, raw_id, waits in rows if waits}

    def release(self) -> None:
        """End the claim transaction (its locks go with it) and give the connection back."""
        with self._lock:
            self._release()

    def close(self) -> None:
        """Release, and refuse every later claim (the worker has stopped)."""
        with self._lock:
            self._closed = True
            self._release()

    def _release(self) -> None:
        transaction, connection = self._transaction, self._connection
        self._transaction = self._connection = None
        try:
            if transaction is not None:
                transaction.commit()  # it wrote nothing; a rollback would make psycopg forget
                # the statements it prepared on the connection (see `db.engine.reading`)
        finally:
            if connection is not None:
                connection.close()


def claims_for(engine: Engine) -> SenderClaims | NoClaims:
    """Shared claims where several processes may work (PostgreSQL), else none needed."""
    return SenderClaims(engine) if engine.dialect.name == "postgresql" else NoClaims()
