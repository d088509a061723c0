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
from sqlmodel import Session

from areas.coverage import area_labels, notice_area_codes
from db.models import Notice, NoticeArea, NoticeUpdate
from outage_notices import pushes, validation
from outage_notices.policy import NoticePolicy
from outage_notices.validation import NoticeInvalid

KINDS = validation.KINDS
STATUSES = ("draft", "scheduled", "ongoing", "restored", "cancelled")
EDITABLE = ("kind", "title", "cause", "advice", "starts_at", "expected_end_at", "urgent")


class NoticeNotFound(LookupError):
    pass


@dataclass
class NoticeInput:
    kind: str
    title: str
    areas: list[str]
    starts_at: datetime
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
        raise NoticeNotFound(f"no notice #{notice_id}")
    return notice


def _history(session, notice: Notice, kind: str, text: str, staff_id, now: datetime) -> None:
    session.add(
        NoticeUpdate(notice_id=notice.id, kind=kind, text=text, staff_id=staff_id, created_at=now)
    )


def create(
    *, session: Session, data: NoticeInput, policy: NoticePolicy, now: datetime, staff_id=None
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
    session.add_all(NoticeArea(notice_id=notice.id, area_code=c) for c in values["areas"])
    labels = ", ".join(area_labels(session, values["areas"]))
    _history(session, notice, "created", f"{notice.title} — {labels}", staff_id, now)
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
    staff_id=None,
) -> Notice:
    """Edit a notice that is not over; pending pushes move along, nothing is sent again."""
    notice = get(session, notice_id)
    if notice.status in {"restored", "cancelled"}:
        raise NoticeInvalid({"status": f"notice #{notice.id} is {notice.status}; it can't change"})
    values = validation.check_changes(
        session=session, notice=notice, changes=changes, policy=policy
    )
    changed = [name for name in values if name != "areas"]
    for name in changed:
        setattr(notice, name, values[name])
    if "areas" in values and values["areas"] != notice_area_codes(session, notice.id):
        session.execute(delete(NoticeArea).where(NoticeArea.notice_id == notice.id))
        session.add_all(NoticeArea(notice_id=notice.id, area_code=c) for c in values["areas"])
        changed.append("areas")
    notice.updated_at = now
    if notice.status in pushes.ACTIVE:
        pushes.replan_after_edit(session=session, notice=notice, policy=policy, now=now)
    text = note or ("changed: " + ", ".join(changed) if changed else "no change")
    _history(session, notice, "edited", text, staff_id, now)
    session.flush()
    return notice


def publish(
    *,
    session: Session,
    notice_id: int,
    policy: NoticePolicy,
    now: datetime,
    confirm_short_notice: bool = False,
    staff_id=None,
) -> Notice:
    """Publish a draft: subscribers are told now, reminded before the start."""
    notice = get(session, notice_id)
    if notice.status != "draft":
        raise NoticeInvalid({"status": f"notice #{notice.id} is already {notice.status}"})
    if notice.expected_end_at is not None and notice.expected_end_at <= now:
        raise NoticeInvalid({"expected_end_at": "is already in the past; correct it first"})
    lead = notice.starts_at - now
    short = notice.kind == "planned" and lead < timedelta(hours=policy.short_notice_hours)
    if short and not confirm_short_notice:
        hours = max(lead.total_seconds() / 3600, 0)
        raise NoticeInvalid(
            {
                "confirm_short_notice": (
                    f"planned work starting in {hours:.0f} h gives less than the "
                    f"{policy.short_notice_hours} h notice customers are promised; "
                    "confirm to publish it as short-notice"
                )
            }
        )
    notice.short_notice = short
    notice.status = "scheduled" if notice.starts_at > now else "ongoing"
    notice.published_at = notice.updated_at = now
    pushes.plan_publish(session=session, notice=notice, policy=policy, now=now)
    text = "published" + (" with short notice (confirmed)" if short else "")
    _history(session, notice, "published", text, staff_id, now)
    session.flush()
    return notice


def extend(
    *,
    session: Session,
    notice_id: int,
    expected_end_at: datetime,
    policy: NoticePolicy,
    now: datetime,
    text: str = "",
    staff_id=None,
) -> Notice:
    """Push back the expected end and tell subscribers once for this extension."""
    notice = get(session, notice_id)
    if notice.status not in pushes.ACTIVE:
        hint = "; edit a draft with update" if notice.status == "draft" else ""
        raise NoticeInvalid({"status": f"notice #{notice.id} is {notice.status}{hint}"})
    new_end = validation.check_extension(
        notice=notice, new_end=validation.as_aware(expected_end_at, policy), now=now, text=text
    )
    validation.check_message_fits(
        session=session, notice=notice, event="extend_1", text=text, policy=policy
    )
    old = notice.expected_end_at
    notice.expected_end_at, notice.updated_at = new_end, now
    pushes.plan_extend(session=session, notice=notice, now=now)
    summary = text or f"expected end moved from {old or 'unknown'} to {new_end}"
    _history(session, notice, "extended", summary, staff_id, now)
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
    staff_id=None,
) -> Notice:
    """Declare the water back; subscribers and linked complainants are told."""
    notice = get(session, notice_id)
    if notice.status == "cancelled":
        raise NoticeInvalid({"status": f"notice #{notice.id} was cancelled; it can't be restored"})
    if notice.status in {"draft", "restored"} or notice.starts_at > now:
        state = "has not started yet" if notice.status == "scheduled" else f"is {notice.status}"
        raise NoticeInvalid({"status": f"notice #{notice.id} {state}; it can't be restored"})
    validation.check_message_fits(
        session=session, notice=notice, event="restore", text=text, policy=policy
    )
    notice.status, notice.restored_at, notice.updated_at = "restored", now, now
    urgent = notice.urgent if urgent is None else urgent
    pushes.plan_restore(session=session, notice=notice, urgent=urgent, now=now)
    _history(session, notice, "restored", text or "water supply restored", staff_id, now)
    session.flush()
    return notice


def cancel(
    *,
    session: Session,
    notice_id: int,
    policy: NoticePolicy,
    now: datetime,
    text: str = "",
    staff_id=None,
) -> Notice:
    """Call off a notice; subscribers who were told of it hear that it is off."""
    notice = get(session, notice_id)
    if notice.status in {"restored", "cancelled"}:
        raise NoticeInvalid({"status": f"notice #{notice.id} is already {notice.status}"})
    validation.check_message_fits(
        session=session, notice=notice, event="cancel", text=text, policy=policy
    )
    was = notice.status
    notice.status, notice.cancelled_at, notice.updated_at = "cancelled", now, now
    if was != "draft":
        pushes.plan_cancel(session=session, notice=notice, now=now)
    _history(session, notice, "cancelled", text or "cancelled", staff_id, now)
    session.flush()
    return notice


def start_due(*, session: Session, now: datetime) -> list[Notice]:
    """Scheduled notices whose start has come are now ongoing (kept as history)."""
    statement = select(Notice).where(Notice.status == "scheduled", Notice.starts_at <= now)
    started = list(session.scalars(statement))
    for notice in started:
        notice.status, notice.updated_at = "ongoing", now
        _history(session, notice, "started", "disruption started", None, now)
    session.flush()
    return started


def list_notices(
    *,
    session: Session,
    status: str | None = None,
    include_demo: bool = True,
    limit: int = 100,
) -> list[Notice]:
    """Newest first, optionally one status."""
    statement = select(Notice).order_by(Notice.starts_at.desc(), Notice.id.desc()).limit(limit)
    if status:
        statement = statement.where(Notice.status == status)
    if not include_demo:
        statement = statement.where(Notice.is_demo.is_(False))
    return list(session.scalars(statement))


def history(session: Session, notice_id: int) -> list[NoticeUpdate]:
    """Newest update first."""
    statement = (
        select(NoticeUpdate)
        .where(NoticeUpdate.notice_id == notice_id)
        .order_by(NoticeUpdate.created_at.desc(), NoticeUpdate.id.desc())
    )
    return list(session.scalars(statement))
