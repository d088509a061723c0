"""The outbox's database side: find due rows, claim them, record what happened.

Plain SQLAlchemy Core on the `message` and `contact` tables, a few statements per batch
(never one ORM round trip per message), the same on SQLite and PostgreSQL. Called from a
worker thread by `channels.outbox.Sender`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Connection,
    Engine,
    Row,
    String,
    bindparam,
    case,
    func,
    literal,
    select,
    union_all,
    update,
)

from channels.delivery import TEMPLATE_REQUIRED, Outcome, OutItem, Result
from channels.messages import Choice
from db.engine import reading
from db.models import Contact, Message
from db.vocab import UNFINISHED_MESSAGE_STATUSES as UNFINISHED
from db.vocab import MessageStatus

MESSAGE = Message.__table__
CONTACT = Contact.__table__
IN_DOUBT = (
    "unknown: the service stopped while this message was being sent; it may or may not "
    "have reached the customer, so it is not sent again automatically"
)
RESENT_AFTER_CRASH = (
    "resent after a crash: the service stopped while this message was being sent "
    "(OUTBOX_AFTER_CRASH=resend), so the customer may get it twice"
)
CANDIDATES = (
    select(MESSAGE.c.id, MESSAGE.c.contact_id, MESSAGE.c.channel, CONTACT.c.channel_user_id,
           CONTACT.c.last_inbound_at, MESSAGE.c.status, MESSAGE.c.next_attempt_at)
    .join_from(MESSAGE, CONTACT, MESSAGE.c.contact_id == CONTACT.c.id)
    .where(MESSAGE.c.direction == "out")
    .order_by(MESSAGE.c.id)
    .limit(bindparam("limit"))
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Candidate:
    """Just enough of an unfinished row to decide whether it may go now."""

    id: int
    contact_id: int
    channel: str
    address: str
    last_inbound_at: datetime | None
    status: str
    next_attempt_at: datetime | None


def candidates(engine: Engine, *, channels: Sequence[str], limit: int) -> list[Candidate]:
    """Unfinished outbound rows of these channels, oldest first (to keep each chat in order).

    One statement: a branch per status and channel, each walking the (status, channel, id)
    index in order (`status IN (...) ORDER BY id` sorted the whole backlog first: 216 ms for
    400,000 pending rows, each time; and another channel's backlog was stepped over row by
    row), joined with UNION ALL: a statement per branch cost four round trips a look.
    """
    with reading(engine) as conn:  # never holds the write lock while it reads
        rows = conn.execute(_candidates_of(tuple(channels)), {"limit": limit}).all()
    return [Candidate(*row) for row in sorted(rows, key=lambda row: row.id)[:limit]]


@lru_cache(maxsize=64)
def _candidates_of(channels: tuple[str, ...]) -> CompoundSelect:
    """The look for due rows of these channels (one statement per set, so it is prepared)."""
    branches = [
        select(CANDIDATES.where(MESSAGE.c.status == literal(status, String()))
               .where(MESSAGE.c.channel == literal(channel, String())).subquery())
        for status in UNFINISHED
        for channel in channels
    ]  # fmt: skip
    return union_all(*branches)


def record_and_claim(
    engine: Engine,
    *,
    done: Sequence[tuple[OutItem, Result]],
    picks: Sequence[Candidate],
    now: datetime,
    max_attempts: int,
    backoff_base: float,
    backoff_cap: float,
) -> list[OutItem]:
    """Write every finished send (and what we learnt about contacts), then claim the picked
    rows (pending → sending, committed before any request leaves), in one transaction: the
    sender's one write per step. Returns the rows claimed.

    On SQLite every write waits for the conversation's turn running on the main file's
    writer thread; two writes a step (record, then claim) meant the replies of one run of
    turns went out only after the next two runs, half as fast as they were written.
    """
    if not done and not picks:
        return []
    with engine.begin() as conn:
        _record_on(conn, done, now, max_attempts, backoff_base, backoff_cap)
        return _claim_on(conn, picks) if picks else []


def _claim_on(conn: Connection, picks: Sequence[Candidate]) -> list[OutItem]:
    by_id = {pick.id: pick for pick in picks}
    m = MESSAGE.c
    statement = (
        update(MESSAGE)
        .where(m.id.in_(list(by_id)), m.status == MessageStatus.PENDING)
        .values(status=MessageStatus.SENDING)
        .returning(m.id, m.text, m.choices, m.media, m.attempts, m.last_error, m.template_kind,
                   m.template_variables)
    )  # fmt: skip
    rows = conn.execute(statement).all()
    return sorted((_item(by_id[row.id], row) for row in rows), key=lambda item: item.id)


def _item(pick: Candidate, row: Row[Any]) -> OutItem:
    choices = tuple(Choice(label=c["label"], value=c["value"]) for c in row.choices or ())
    return OutItem(
        id=pick.id,
        contact_id=pick.contact_id,
        channel=pick.channel,
        address=pick.address,
        text=row.text or "",
        choices=choices,
        media=tuple(row.media or ()),
        attempts=row.attempts or 0,
        last_error=row.last_error,
        template_kind=row.template_kind,
        template_variables=row.template_variables,
        last_inbound_at=pick.last_inbound_at,
    )


def _record_on(
    conn: Connection,
    done: Iterable[tuple[OutItem, Result]],
    now: datetime,
    max_attempts: int,
    backoff_base: float,
    backoff_cap: float,
) -> None:
    """Each finished send's row as it now stands, in one executemany."""
    rows, inactive, opted_out = [], set(), set()
    for item, result in done:
        rows.append(_row_update(item, result, now, max_attempts, backoff_base, backoff_cap))
        if result.contact_inactive:
            inactive.add(item.contact_id)
        if result.contact_opted_out:
            opted_out.add(item.contact_id)
    if not rows:
        return
    statement = (
        update(MESSAGE)
        .where(MESSAGE.c.id == bindparam("b_id"))
        .where(
            (MESSAGE.c.status == MessageStatus.SENDING)
            | (MESSAGE.c.status == MessageStatus.UNKNOWN)
        )
        .values(
            status=bindparam("b_status"),
            attempts=bindparam("b_attempts"),
            next_attempt_at=bindparam("b_next"),
            last_error=bindparam("b_error"),
            provider_message_id=bindparam("b_provider"),
            sent_at=bindparam("b_sent"),
        )
    )
    conn.execute(statement, rows)
    if inactive:
        conn.execute(update(CONTACT).where(CONTACT.c.id.in_(inactive)).values(active=False))
    if opted_out:
        ids = list(opted_out)
        conn.execute(update(CONTACT).where(CONTACT.c.id.in_(ids)).values(opted_out=True))


def _row_update(
    item: OutItem,
    result: Result,
    now: datetime,
    max_attempts: int,
    base: float,
    cap: float,
) -> dict[str, Any]:
    """The new state of one row after a send, as bind parameters."""
    attempts = item.attempts + (1 if result.counted else 0)
    row: dict[str, Any] = {
        "b_id": item.id,
        "b_attempts": attempts,
        "b_next": None,
        "b_provider": None,
    }
    row |= {"b_sent": None, "b_error": result.error}
    if result.outcome is Outcome.SENT:
        row |= {"b_status": MessageStatus.SENT, "b_provider": result.provider_id, "b_sent": now}
    elif result.outcome is Outcome.RETRY and attempts < max_attempts:
        delay = result.retry_after if result.retry_after else backoff(attempts, base, cap)
        row |= {"b_status": MessageStatus.PENDING, "b_next": now + timedelta(seconds=delay)}
    elif result.outcome is Outcome.RETRY:
        row |= {
            "b_status": MessageStatus.FAILED,
            "b_error": f"{result.error} (gave up after {attempts} attempts)",
        }
    else:
        row["b_status"] = MessageStatus(result.outcome)  # failed or unknown
    return row


def backoff(attempts: int, base: float, cap: float) -> float:
    """Exponential back-off with ±20 % jitter so retries of a burst do not come back together."""
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.8, 1.2)


def pending_count(engine: Engine, *, channels: Sequence[str]) -> int:
    """Rows still to send (pending or being sent) on these channels."""
    query = (
        select(func.count())
        .select_from(MESSAGE)
        .where(MESSAGE.c.status.in_(UNFINISHED), MESSAGE.c.direction == "out")
        .where(MESSAGE.c.channel.in_(list(channels)))
    )
    with reading(engine) as conn:
        return int(conn.execute(query).scalar_one())


def settle_interrupted(
    engine: Engine, *, resend: bool, max_attempts: int, ours: Sequence[int] = ()
) -> tuple[int, int]:
    """Rows a dead sender left in 'sending' (not `ours`, still in flight here): (marked
    unknown, queued again).

    Held (`resend` False, OUTBOX_AFTER_CRASH=hold): all become 'unknown' for a person to
    decide. Resent (at-least-once): they go back to 'pending' once, the interrupted try
    counted as an attempt, so a message that brings the sender down every time it is sent
    stops at `max_attempts` as 'unknown' instead of crashing it for ever.
    """
    m = MESSAGE.c
    left = (m.status == MessageStatus.SENDING) & (m.direction == "out")
    if ours:
        left &= m.id.not_in(list(ours))
    requeued = 0
    # a row that must go out as its WhatsApp template keeps saying so (channels.delivery)
    keep_template = case(
        (m.last_error.startswith(TEMPLATE_REQUIRED), m.last_error), else_=RESENT_AFTER_CRASH
    )
    with engine.begin() as conn:
        if resend:
            again = (
                update(MESSAGE)
                .where(left, m.attempts + 1 < max_attempts)
                .values(status=MessageStatus.PENDING, attempts=m.attempts + 1,
                        next_attempt_at=None, last_error=keep_template)
            )  # fmt: skip
            requeued = conn.execute(again).rowcount
        held = update(MESSAGE).where(left).values(status=MessageStatus.UNKNOWN, last_error=IN_DOUBT)
        return conn.execute(held).rowcount, requeued
