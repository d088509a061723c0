"""The audit trail: every staff action, with who, when, what and from where."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from db.models import AuditLog, Staff
from db.types import utcnow


class AuditAction(StrEnum):
    """Every action the trail records, named once: the same name whichever door it came through."""

    login = "login"
    logout = "logout"
    login_failed = "login_failed"
    staff_create = "staff.create"
    staff_update = "staff.update"
    staff_password = "staff.password"
    token_create = "token.create"
    token_revoke = "token.revoke"
    phone_reveal = "phone.reveal"
    report_export = "report.export"
    complaint_reply = "complaint.reply"
    complaint_note = "complaint.note"
    complaint_assign = "complaint.assign"
    complaint_status = "complaint.status"
    contact_reply = "contact.reply"
    contact_settle = "contact.settle"
    target_update = "target.update"
    notice_create = "notice.create"
    notice_update = "notice.update"
    notice_publish = "notice.publish"
    notice_extend = "notice.extend"
    notice_restore = "notice.restore"
    notice_cancel = "notice.cancel"
    rotation_create = "rotation.create"
    answer_create = "answer.create"
    answer_update = "answer.update"
    answer_remove = "answer.remove"
    message_resend = "message.resend"
    dead_letter_retry = "dead_letter.retry"
    calendar_close = "calendar.close"
    calendar_open = "calendar.open"
    staff_telegram = "staff.telegram"


def record(
    *,
    session: Session,
    who: Staff | None,
    action: AuditAction,
    target_type: str | None = None,
    target_id: object = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> AuditLog:
    """Keep one line of the trail in the caller's transaction, so it commits with the change."""
    detail = dict(detail or {})
    if who is not None and who.id is None:
        detail.setdefault("via", who.username)  # the bootstrap admin token has no account
    row = AuditLog(
        staff_id=who.id if who is not None else None,
        action=str(AuditAction(action)),
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:40],
        detail=detail or None,
        ip=ip,
        created_at=now or utcnow(),
    )
    session.add(row)
    return row


def count(
    *, session: Session, action: AuditAction, target_id: str, ip: str | None, since: datetime
) -> int:
    """How often an action hit one target from one address since a moment (rate limits)."""
    query = select(func.count()).where(
        col(AuditLog.action) == str(action),
        col(AuditLog.target_id) == target_id[:40],
        col(AuditLog.created_at) >= since,
    )
    query = query.where(col(AuditLog.ip) == ip) if ip else query.where(col(AuditLog.ip).is_(None))
    return session.exec(query).one()


def recent(
    *,
    session: Session,
    limit: int = 200,
    offset: int = 0,
    action: str | None = None,
    staff_id: int | None = None,
) -> list[tuple[AuditLog, str | None]]:
    """The newest entries with the staff member's username, for the supervisors' page."""
    query = (
        select(AuditLog, col(Staff.username))
        .join(Staff, col(Staff.id) == col(AuditLog.staff_id), isouter=True)
        .order_by(col(AuditLog.id).desc())
        .offset(offset)
        .limit(limit)
    )
    if action:
        query = query.where(col(AuditLog.action) == action)
    if staff_id is not None:
        query = query.where(col(AuditLog.staff_id) == staff_id)
    return [(row, username) for row, username in session.exec(query)]
