"""Queue one notice event for every subscriber of the affected areas, once each, in short batches.

Messages are written straight into the outbox (`message` rows, status 'pending') with
INSERT … SELECT over a range of contact ids per transaction, ignoring rows that already exist
(UNIQUE contact_id, notice_id, notice_event). A crash mid-way is resumed by running the same
event again.

On SQLite the batches share the file's one write lock with the conversation and the sender:
each batch waits until no conversation turn is waiting (`db.write_gate`), copies its WAL
pages back itself (`checkpoint`) and, if a turn or the sender waited for it, pauses, so a
customer's answer waits for one short batch at most. Webhooks are not among them: they write
to the intake journal (`db.journal`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import (
    JSON,
    ColumnElement,
    Engine,
    Insert,
    String,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from areas.coverage import area_labels, audience_area_codes, notice_area_codes
from db.engine import checkpoint, read_only, reading
from db.models import Contact, Message, Notice, NoticeUpdate, Subscription
from db.rows import saved_id
from db.types import UTCDateTime
from db.vocab import MessageStatus
from db.write_gate import write_gate
from outage_notices import texts
from outage_notices.policy import NoticePolicy
from subscriptions import service as subscriptions

UPDATE_KIND = {"extend": "extended", "restore": "restored", "cancel": "cancelled"}
DEFAULT_BATCH = 500
CHECKPOINT_EVERY = 3  # batches: about 750 WAL pages, under SQLite's 1,000-page auto-checkpoint


class Rendered(TypedDict):
    """One event's message in both languages, as text and as template variables."""

    id: str
    en: str
    template_kind: str
    vars_id: dict[str, str]
    vars_en: dict[str, str]


@dataclass(frozen=True, slots=True)
class FanoutResult:
    targeted: int
    inserted: int
    batches: int


def facts_for(session: Session, notice: Notice, event: str) -> texts.NoticeFacts:
    """What the message for this event says, including the update text that caused it."""
    family = texts.event_family(event)
    notice_id = saved_id(notice)
    update_text = ""
    if family in UPDATE_KIND:
        statement = (
            select(col(NoticeUpdate.text))
            .where(
                col(NoticeUpdate.notice_id) == notice_id,
                col(NoticeUpdate.kind) == UPDATE_KIND[family],
            )
            .order_by(col(NoticeUpdate.id))
        )
        updates = list(session.scalars(statement))
        index = int(event.split("_")[1]) - 1 if family == "extend" else -1
        update_text = updates[index] if updates and -len(updates) <= index < len(updates) else ""
    return texts.NoticeFacts(
        kind=notice.kind,
        title=notice.title,
        area_names=area_labels(session, notice_area_codes(session, notice_id)),
        starts_at=notice.starts_at,
        expected_end_at=notice.expected_end_at,
        cause=notice.cause,
        advice=notice.advice,
        update_text=update_text,
        restored_at=notice.restored_at,
    )


def _json(value: dict[str, str], dialect: str) -> ColumnElement[Any]:
    """A JSON value inside INSERT … SELECT: PostgreSQL needs the cast, SQLite keeps text."""
    if dialect == "postgresql":
        return cast(literal(json.dumps(value)), JSON)
    return literal(json.dumps(value))


def _insert_statement(
    dialect: str, *, notice_id: int, event: str, rendered: Rendered, now: datetime
) -> Insert:
    contact = Contact.__table__
    english = contact.c.language == "en"
    template_kind = rendered["template_kind"]
    subscribed = exists().where(
        Subscription.__table__.c.contact_id == contact.c.id,
        Subscription.__table__.c.area_code.in_(bindparam("codes", expanding=True)),
    )
    rows = select(
        contact.c.id,
        literal("out"),
        contact.c.channel,
        case((english, literal(rendered["en"])), else_=literal(rendered["id"])),
        literal(MessageStatus.PENDING, String()),
        literal(0),
        literal(template_kind),
        case(
            (english, _json(rendered["vars_en"], dialect)),
            else_=_json(rendered["vars_id"], dialect),
        ),
        literal(notice_id),
        literal(event),
        literal(now, UTCDateTime),
    ).where(
        contact.c.id >= bindparam("low"),
        contact.c.id < bindparam("high"),
        contact.c.active.is_(True),
        contact.c.opted_out.is_(False),
        subscribed,
    )
    columns = [
        "contact_id", "direction", "channel", "text", "status", "attempts", "template_kind",
        "template_variables", "notice_id", "notice_event", "created_at",
    ]  # fmt: skip
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Message.__table__).from_select(columns, rows)
    return statement.on_conflict_do_nothing(
        index_elements=["contact_id", "notice_id", "notice_event"]
    )


def render_all(facts: texts.NoticeFacts, event: str, policy: NoticePolicy) -> Rendered:
    """The text and template variables in both languages."""
    kind, vars_id = texts.template_for(facts, event, "id", policy.tz)
    _, vars_en = texts.template_for(facts, event, "en", policy.tz)
    return {
        "id": texts.render(facts, event, "id", policy.tz),
        "en": texts.render(facts, event, "en", policy.tz),
        "template_kind": kind,
        "vars_id": vars_id,
        "vars_en": vars_en,
    }


def queue_event(
    *,
    engine: Engine,
    notice_id: int,
    event: str,
    policy: NoticePolicy,
    now: datetime,
    batch_size: int = DEFAULT_BATCH,
    wake: Callable[[], None] | None = None,
    yield_ratio: float = 0.5,
) -> FanoutResult:
    """Queue this event's message for every subscriber; safe to run again after a crash."""
    with Session(read_only(engine)) as session:
        notice = session.get(Notice, notice_id)
        if notice is None:
            raise LookupError(f"notice {notice_id} does not exist")
        facts = facts_for(session, notice, event)
        codes = audience_area_codes(session, notice_area_codes(session, notice_id))
        low, high = session.execute(
            select(func.min(col(Contact.id)), func.max(col(Contact.id)))
        ).one()
    dialect = engine.dialect.name
    rendered = render_all(facts, event, policy)
    statement = _insert_statement(
        dialect, notice_id=notice_id, event=event, rendered=rendered, now=now
    )
    before, batches = count_event(engine, notice_id, event), 0
    gate = write_gate(engine)
    if low is not None and codes:
        for start in range(low, high + 1, batch_size):
            began = time.perf_counter()
            with gate.bulk() as batch, engine.begin() as connection:
                params = {"codes": codes, "low": start, "high": start + batch_size}
                connection.execute(statement, params)
            batches += 1
            if batches % CHECKPOINT_EVERY == 0:
                checkpoint(engine)  # here, not in a turn's commit that crosses the threshold
            if wake is not None and batches == 1:
                wake()  # delivery can start; waking it per batch would only add lock traffic
            # A turn or the sender waited for this batch: leave the write lock (and the CPU)
            # free for a while, so they and those behind them get in between batches instead
            # of after the whole run. Nobody waited: nobody to let in, go straight on. (A
            # writer outside the gate, a staff save or the escalation pass, waits in SQLite's
            # busy handler, at worst for the rest of the run: 100,000 rows in about 2 s.)
            if batch.kept_waiting:
                time.sleep((time.perf_counter() - began) * yield_ratio)
    if wake is not None and batches > 1:
        wake()
    targeted = count_event(engine, notice_id, event)
    return FanoutResult(targeted=targeted, inserted=targeted - before, batches=batches)


def count_event(engine: Engine, notice_id: int, event: str) -> int:
    with reading(engine) as connection:  # counting 100,000 rows holds no lock
        statement = select(func.count()).where(
            col(Message.notice_id) == notice_id, col(Message.notice_event) == event
        )
        return connection.execute(statement).scalar_one()


def audience(*, session: Session, notice_id: int) -> dict[str, int]:
    """Who a push of this notice would reach now, per channel: the console says it after an
    action ('Dikirim ke 6 pelanggan: 4 Telegram, 2 WhatsApp')."""
    codes = audience_area_codes(session, notice_area_codes(session, notice_id))
    return subscriptions.reachable_by_channel(session=session, area_codes=codes)
