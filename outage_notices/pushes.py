"""The moments subscribers of a notice must be told something, kept as `push` rows (the truth).

Each lifecycle step plans its rows here; the dispatcher (scheduled.py) asks `verdict` whether a
row that fell due is sent now, held for quiet hours, or dropped with a recorded reason. An event
name is planned at most once per notice, so edits and restarts never send anything twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import select
from sqlmodel import Session, col

from db.models import Message, Notice, Push
from db.rows import saved_id
from db.vocab import LIVE_NOTICE_STATUSES, NoticeStatus, PushStatus
from outage_notices.policy import NoticePolicy, parse_reminder_hours

ACTIVE = LIVE_NOTICE_STATUSES
Verdict = tuple[Literal["send", "hold", "drop"], str | None]


def pushes_of(session: Session, notice_id: int) -> list[Push]:
    statement = (
        select(Push)
        .where(col(Push.notice_id) == notice_id)
        .order_by(col(Push.due_at), col(Push.id))
    )
    return list(session.scalars(statement))


def _add(session: Session, notice: Notice, event: str, due_at: datetime, urgent: bool) -> Push:
    """A push for this event, unless the notice already has one (then that one)."""
    notice_id = saved_id(notice)
    for push in pushes_of(session, notice_id):
        if push.event == event:
            return push
    push = Push(notice_id=notice_id, event=event, due_at=due_at, urgent=urgent)
    session.add(push)
    session.flush()
    return push


def _drop(push: Push, reason: str, now: datetime) -> None:
    push.status, push.drop_reason, push.processed_at = PushStatus.DROPPED, reason, now


def _wanted_before_start(
    notice: Notice, policy: NoticePolicy, now: datetime
) -> dict[str, tuple[datetime, bool]]:
    """Reminders (planned work) or a start message (others) still ahead of the start."""
    wanted: dict[str, tuple[datetime, bool]] = {}
    if notice.starts_at <= now:
        return wanted
    if notice.kind == "planned":
        for hours in parse_reminder_hours(notice.reminder_hours or policy.reminder_hours):
            due = notice.starts_at - timedelta(hours=hours)
            if due > now:
                wanted[f"reminder_{hours}h"] = (due, False)
    else:
        wanted["start"] = (notice.starts_at, notice.urgent)
    return wanted


def plan_publish(
    *, session: Session, notice: Notice, policy: NoticePolicy, now: datetime
) -> list[Push]:
    """The publish message now, then reminders or a start message ahead."""
    planned = [_add(session, notice, "publish", now, notice.urgent)]
    for event, (due, urgent) in _wanted_before_start(notice, policy, now).items():
        planned.append(_add(session, notice, event, due, urgent))
    return planned


def replan_after_edit(
    *, session: Session, notice: Notice, policy: NoticePolicy, now: datetime
) -> None:
    """Move pending reminders with the new start; what was sent stays sent."""
    wanted = _wanted_before_start(notice, policy, now)
    existing = {push.event: push for push in pushes_of(session, saved_id(notice))}
    for event, push in existing.items():
        if push.status != PushStatus.PENDING:
            continue
        if event in wanted:
            push.due_at, push.urgent = wanted[event]
        elif event.startswith("reminder_") or event == "start":
            _drop(push, "no longer needed after an edit of the start or reminders", now)
        else:
            push.urgent = notice.urgent if event != "cancel" else push.urgent
    for event, (due, urgent) in wanted.items():
        if event not in existing:
            _add(session, notice, event, due, urgent)


def plan_extend(*, session: Session, notice: Notice, now: datetime) -> Push:
    """Each extension is its own event (extend_1, extend_2, ...), told once."""
    count = len([p for p in pushes_of(session, saved_id(notice)) if p.event.startswith("extend_")])
    return _add(session, notice, f"extend_{count + 1}", now, notice.urgent)


def _close(session: Session, notice: Notice, event: str, urgent: bool, now: datetime) -> Push:
    """Drop what is still pending; tell the end only if someone was told of the notice
    (by a push, or as they subscribed: outage_notices/latecomers.py)."""
    told = _told_anyone(session, saved_id(notice))
    for push in pushes_of(session, saved_id(notice)):
        if push.status == PushStatus.DONE and push.targeted > 0:
            told = True
        elif push.status == PushStatus.PENDING:
            _drop(push, f"notice {notice.status} before this was sent", now)
    push = _add(session, notice, event, now, urgent)
    if not told and push.status == PushStatus.PENDING:
        _drop(push, "no subscriber had been told of this notice", now)
    return push


def _told_anyone(session: Session, notice_id: int) -> bool:
    statement = select(col(Message.id)).where(col(Message.notice_id) == notice_id).limit(1)
    return session.execute(statement).first() is not None


def plan_restore(*, session: Session, notice: Notice, urgent: bool, now: datetime) -> list[Push]:
    """Tell subscribers the water is back, and ask linked complainants whether it is."""
    restore = _close(session, notice, "restore", urgent, now)
    followup = _add(session, notice, "restore_followup", now, urgent)
    return [restore, followup]


def plan_cancel(*, session: Session, notice: Notice, now: datetime) -> Push:
    return _close(session, notice, "cancel", notice.urgent, now)


def verdict(
    push: Push, notice: Notice, policy: NoticePolicy, now: datetime, *, others: Sequence[Push] = ()
) -> Verdict:
    """Send, hold for quiet hours, or drop (with why) a push that fell due."""
    reason = _why_moot(push.event, notice, policy, now) or _superseded(push, others, now)
    if reason:
        return "drop", reason
    if not push.urgent and policy.in_quiet_hours(now):
        return "hold", None
    return "send", None


def _number(event: str) -> int:
    return int(event.split("_", 1)[1].rstrip("h"))


def _superseded(push: Push, others: Sequence[Push], now: datetime) -> str | None:
    """A later extension, or a nearer reminder already due, says it better; skip this one."""
    family = push.event.split("_", 1)[0]
    if family not in {"extend", "reminder"}:
        return None
    rivals = [
        other.event
        for other in others
        if other.event != push.event
        and other.event.startswith(family + "_")
        and other.status != PushStatus.DROPPED
        and (
            _number(other.event) > _number(push.event)
            if family == "extend"
            else _number(other.event) < _number(push.event) and other.due_at <= now
        )
    ]
    return f"superseded by {rivals[-1]}" if rivals else None


def _why_moot(event: str, notice: Notice, policy: NoticePolicy, now: datetime) -> str | None:
    """Why this event no longer matters to anyone, or None if it still does."""
    stale = timedelta(hours=policy.stale_after_hours)
    over = notice.expected_end_at is not None and notice.expected_end_at <= now
    if event in {"restore", "restore_followup"}:
        if notice.status != NoticeStatus.RESTORED or notice.restored_at is None:
            return f"notice is {notice.status}, not restored"
        if now - notice.restored_at > stale:
            return f"restored more than {policy.stale_after_hours} h ago"
        return None
    if event == "cancel":
        if notice.status != NoticeStatus.CANCELLED:
            return f"notice is {notice.status}, not cancelled"
        if now >= notice.starts_at and now - (notice.cancelled_at or now) > stale:
            return "cancelled long ago and its start has passed"
        return None
    if notice.status not in ACTIVE:
        return f"notice {notice.status} before this was sent"
    if event.startswith("reminder_") and now >= notice.starts_at:
        return "the disruption had already started"
    if over:
        return "the disruption was expected to be over already"
    return None
