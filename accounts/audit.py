"""The audit trail: every staff action, with who, when, what and from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from db.models import AuditLog, Staff
from db.types import utcnow


def record(
    *,
    session: Session,
    who: Staff | None,
    action: str,
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
        action=action[:40],
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:40],
        detail=detail or None,
        ip=ip,
        created_at=now or utcnow(),
    )
    session.add(row)
    return row


def count(*, session: Session, action: str, target_id: str, ip: str | None, since: datetime) -> int:
    """How often an action hit one target from one address since a moment (rate limits)."""
    query = select(func.count()).where(
        AuditLog.action == action,
        AuditLog.target_id == target_id[:40],
        AuditLog.created_at >= since,
    )
    query = query.where(AuditLog.ip == ip) if ip else query.where(AuditLog.ip.is_(None))
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
        select(AuditLog, Staff.username)
        .join(Staff, Staff.id == AuditLog.staff_id, isouter=True)
        .order_by(AuditLog.id.desc())
        .offset(offset)
        .limit(limit)
    )
    if action:
        query = query.where(AuditLog.action == action)
    if staff_id is not None:
        query = query.where(AuditLog.staff_id == staff_id)
    return [(row, username) for row, username in session.exec(query)]
