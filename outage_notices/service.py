"""Disruption notices: record once, validate strictly, keep every change as history.

Every function validates everything before it changes anything and only flushes; the caller
commits, so a refused change leaves nothing half-saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlmodel import Session, col

from areas.coverage import notice_area_codes
from core.errors import DomainError, NotFound, Problem
from db.models import Notice, NoticeArea, NoticeUpdate
from db.rows import saved_id
from db.vocab import NoticeKind, NoticeStatus
from outage_notices import pushes, validation
from outage_notices.policy import NoticePolicy

KINDS = validation.KINDS
STATUSES = tuple(NoticeStatus)
OVER = (NoticeStatus.RESTORED, NoticeStatus.CANCELLED)
EDITABLE = ("kind", "title", "cause", "advice", "starts_at", "expected_end_at", "urgent")


class NoticeNotFound(NotFound):
    """No notice with that number."""

    def __init__(self, notice_id: int) -> None:
        super().__init__(Problem(None, "notice_not_found", {"id": notice_id}))


@dataclass
class NoticeInput:
    kind: str
    title: str
    areas: list[str]
    starts_at: datetime | None  # None is refused by validation, naming the field
    expected_end_at: datetime | None = None
    cause: str = ""
    advice: str = ""
    urgent: bool = False
    reminder_hours: str | None = None
    is_demo: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def get(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise NoticeNotFound(notice_id)
    return notice


def _history(
    session: Session, notice: Notice, kind: str, text: str, staff_id: int | None, now: datetime
) -> None:
    session.add(
        NoticeUpdate(
            notice_id=saved_id(notice), kind=kind, text=text, staff_id=staff_id, created_at=now
        )
    )


def create(
    *,
    session: Session,
    data: NoticeInput,
    policy: NoticePolicy,
    now: datetime,
    staff_id: int | None = None,
) -> Notice:
    """Record a draft notice; nobody is told until it is published."""
    values = validation.check_new(session=session, data=data, policy=policy)
    notice = Notice(
        kind=values["kind"],
        title=values["title"],
        cause=values["cause"],
        advice=values["advice"],
        starts_at=values["starts_at"],
        expected_end_at=values["expected_end_at"],
        urgent=values["urgent"],
        reminder_hours=values["reminder_hours"],
        is_demo=data.is_demo,
        created_by=staff_id,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    session.flush()
    notice_id = saved_id(notice)
    session.add_all(NoticeArea(notice_id=notice_id, area_code=c) for c in values["areas"])
    _history(session, notice, "created", "", staff_id, now)
    session.flush()
    return notice


def update(
    *,
    session: Session,
    notice_id: int,
    changes: Mapping[str, Any],
    policy: NoticePolicy,
    now: datetime,
    note: str = "",
    staff_id: int | None = None,
) -> Notice:
    """Edit a notice that is not over; pending pushes move along, nothing is sent again."""
    notice = get(session, notice_id)
    if notice.status in OVER:
        raise DomainError.of("status", "notice_over")
    values = validation.check_changes(
        session=session, notice=notice, changes=changes, policy=policy
    )
    changed = [name for name in values if name != "areas"]
    for name in changed:
        setattr(notice, name, values[name])
    if "areas" in values and values["areas"] != notice_area_codes(session, notice_id):
        session.execute(delete(NoticeArea).where(col(NoticeArea.notice_id) == notice_id))
        session.add_all(NoticeArea(notice_id=notice_id, area_code=c) for c in values["areas"])
    notice.updated_at = now
    if notice.status in pushes.ACTIVE:
        pushes.replan_after_edit(session=session, notice=notice, policy=policy, now=now)
    _history(session, notice, "edited", note, staff_id, now)
    session.flush()
    return notice


def publish(
    *,
    session: Session,
    notice_id: int,
    policy: NoticePolicy,
    now: datetime,
    confirm_short_notice: bool = False,
    staff_id: int | None = None,
) -> Notice:
    """Publish a draft: subscribers are told now, reminded before the start."""
    notice = get(session, notice_id)
    if notice.status != NoticeStatus.DRAFT:
        raise DomainError.of("status", "notice_not_draft")
    if notice.expected_end_at is not None and notice.expected_end_at <= now:
        raise DomainError.of("expected_end_at", "end_passed")
    lead = notice.starts_at - now
    short = notice.kind == NoticeKind.PLANNED and lead < timedelta(hours=policy.short_notice_hours)
    if short and not confirm_short_notice:
        hours = round(max(lead.total_seconds() / 3600, 0))
        raise DomainError.of(
            "confirm_short_notice", "short_notice", hours=hours, promised=policy.short_notice_hours
        )
    notice.short_notice = short
    notice.status = NoticeStatus.SCHEDULED if notice.starts_at > now else NoticeStatus.ONGOING
    notice.published_at = notice.updated_at = now
    pushes.plan_publish(session=session, notice=notice, policy=policy, now=now)
    _history(session, notice, "published", "", staff_id, now)
    session.flush()
    return notice


def extend(
    *,
    session: Session,
    notice_id: int,
    expected_end_at: datetime | None,  # None is refused by validation, naming the field
    policy: NoticePolicy,
    now: datetime,
    text: str = "",
    staff_id: int | None = None,
) -> Notice:
    """Push back the expected end and tell subscribers once for this extension."""
    notice = get(session, notice_id)
    if notice.status not in pushes.ACTIVE:
        raise DomainError.of(
            "status", "extend_draft" if notice.status == NoticeStatus.DRAFT else "extend_not_active"
        )
    new_end = validation.check_extension(
        notice=notice, new_end=validation.as_aware(expected_end_at, policy), now=now, text=text
    )
    validation.check_message_fits(
        session=session, notice=notice, event="extend_1", text=text, policy=policy
    )
    notice.expected_end_at, notice.updated_at = new_end, now
    pushes.plan_extend(session=session, notice=notice, now=now)
    _history(session, notice, "extended", text, staff_id, now)
    session.flush()
    return notice


def restore(
    *,
    session: Session,
    notice_id: int,
    policy: NoticePolicy,
    now: datetime,
    text: str = "",
    urgent: bool | None = None,
    staff_id: int | None = None,
) -> Notice:
    """Declare the water back (or, before the start, the disruption not needed after all);
    subscribers and linked complainants are told. Any published notice may be restored."""
    notice = get(session, notice_id)
    if notice.status == NoticeStatus.CANCELLED:
        raise DomainError.of("status", "restore_cancelled")
    if notice.status not in pushes.ACTIVE:
        raise DomainError.of("status", "restore_not_ongoing")
    validation.check_message_fits(
        session=session, notice=notice, event="restore", text=text, policy=policy
    )
    notice.status, notice.restored_at, notice.updated_at = NoticeStatus.RESTORED, now, now
    urgent = notice.urgent if urgent is None else urgent
    pushes.plan_restore(session=session, notice=notice, urgent=urgent, now=now)
    _history(session, notice, "restored", text, staff_id, now)
    session.flush()
    return notice


def cancel(
    *,
    session: Session,
    notice_id: int,
    policy: NoticePolicy,
    now: datetime,
    text: str = "",
    staff_id: int | None = None,
) -> Notice:
    """Call off a notice; subscribers who were told of it hear that it is off."""
    notice = get(session, notice_id)
    if notice.status in OVER:
        raise DomainError.of("status", "notice_over")
    validation.check_message_fits(
        session=session, notice=notice, event="cancel", text=text, policy=policy
    )
    was = notice.status
    notice.status, notice.cancelled_at, notice.updated_at = NoticeStatus.CANCELLED, now, now
    if was != NoticeStatus.DRAFT:
        pushes.plan_cancel(session=session, notice=notice, now=now)
    _history(session, notice, "cancelled", text, staff_id, now)
    session.flush()
    return notice


def start_due(*, session: Session, now: datetime) -> list[Notice]:
    """Scheduled notices whose start has come are now ongoing (kept as history)."""
    statement = select(Notice).where(
        col(Notice.status) == NoticeStatus.SCHEDULED, col(Notice.starts_at) <= now
    )
    started = list(session.scalars(statement))
    for notice in started:
        notice.status, notice.updated_at = NoticeStatus.ONGOING, now
        _history(session, notice, "started", "", None, now)
    session.flush()
    return started


def list_notices(
    *,
    session: Session,
    status: NoticeStatus | None = None,
    include_demo: bool = True,
    limit: int = 100,
) -> list[Notice]:
    """Newest first, optionally one status."""
    statement = (
        select(Notice).order_by(col(Notice.starts_at).desc(), col(Notice.id).desc()).limit(limit)
    )
    if status:
        statement = statement.where(col(Notice.status) == status)
    if not include_demo:
        statement = statement.where(col(Notice.is_demo).is_(False))
    return list(session.scalars(statement))


def history(session: Session, notice_id: int) -> list[NoticeUpdate]:
    """Newest update first."""
    statement = (
        select(NoticeUpdate)
        .where(col(NoticeUpdate.notice_id) == notice_id)
        .order_by(col(NoticeUpdate.created_at).desc(), col(NoticeUpdate.id).desc())
    )
    return list(session.scalars(statement))
