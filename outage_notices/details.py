"""What staff see about a notice: its areas, history, pushes, deliveries and linked complaints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlmodel import Session, col

from areas.coverage import area_labels, notice_area_codes
from db.models import Message, Notice, NoticeUpdate, Push
from db.rows import saved_id
from db.vocab import UNFINISHED_MESSAGE_STATUSES, MessageStatus
from outage_notices import linking, pushes, service

DELIVERED = (MessageStatus.DELIVERED, MessageStatus.READ)
SENT = (MessageStatus.SENT, *DELIVERED)
FAILED = (MessageStatus.FAILED, MessageStatus.UNDELIVERED)


@dataclass
class Delivery:
    targeted: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    unknown: int = 0  # caught mid-send by a crash: maybe delivered, never resent by itself


@dataclass
class NoticeDetail:
    notice: Notice
    area_codes: list[str]
    area_names: tuple[str, ...]
    delivery: Delivery
    by_event: dict[str, Delivery] = field(default_factory=dict)
    history: list[NoticeUpdate] = field(default_factory=list)
    pushes: list[Push] = field(default_factory=list)
    complaint_ids: list[int] = field(default_factory=list)


def delivery_counts(session: Session, notice_ids: Iterable[int], *, by_event: bool = False) -> dict:
    """Per notice (or per notice and event): how many messages were targeted, sent, failed,
    are still pending, or are unknown; the last four add up to the targeted."""
    ids = list(notice_ids)
    if not ids:
        return {}
    keys = [col(Message.notice_id)] + ([col(Message.notice_event)] if by_event else [])
    status = col(Message.status)

    def tally(values: Iterable[str]) -> ColumnElement[Any]:
        return func.sum(case((status.in_(values), 1), else_=0))

    statement = (
        select(
            *keys,
            func.count(),
            tally(SENT),
            tally(DELIVERED),
            tally(FAILED),
            tally(UNFINISHED_MESSAGE_STATUSES),
            tally([MessageStatus.UNKNOWN]),
        )
        .where(col(Message.notice_id).in_(ids), col(Message.direction) == "out")
        .group_by(*keys)
    )
    result: dict = {}
    for row in session.execute(statement):
        key = tuple(row[: len(keys)]) if by_event else row[0]
        numbers = [int(n or 0) for n in row[len(keys) :]]
        result[key] = Delivery(*numbers)
    return result


def notice_detail(session: Session, notice_id: int) -> NoticeDetail:
    """Everything about one notice, for `show` in the API and the CLI."""
    notice = service.get(session, notice_id)
    codes = notice_area_codes(session, notice_id)
    per_event = delivery_counts(session, [notice_id], by_event=True)
    return NoticeDetail(
        notice=notice,
        area_codes=codes,
        area_names=area_labels(session, codes),
        delivery=delivery_counts(session, [notice_id]).get(notice_id, Delivery()),
        by_event={event: counts for (_, event), counts in per_event.items()},
        history=service.history(session, notice_id),
        pushes=pushes.pushes_of(session, notice_id),
        complaint_ids=[saved_id(c) for c in linking.linked_complaints(session, notice_id)],
    )
