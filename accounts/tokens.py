"""Personal API tokens for integrations: shown once, stored only as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.engine import write_apart
from db.models import ApiToken, Staff
from db.types import utcnow

PREFIX = "ka_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, session: Session, staff: Staff, name: str) -> tuple[ApiToken, str]:
    """Issue a token for an integration; the plain value is returned once and never stored."""
    if staff.id is None:
        raise ValueError("a token belongs to a stored staff account")
    plain = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        staff_id=staff.id, name=name.strip()[:80] or "token", token_hash=hash_token(plain)
    )
    session.add(row)
    session.flush()
    return row, plain


def staff_for_token(*, session: Session, token: str, now: datetime | None = None) -> Staff | None:
    """The active staff member a live token belongs to, or None."""
    if not token.startswith(PREFIX):
        return None
    row = session.exec(
        select(ApiToken).where(col(ApiToken.token_hash) == hash_token(token))
    ).first()
    if row is None or row.revoked_at is not None:
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    used = update(ApiToken).where(col(ApiToken.id) == row.id).values(last_used_at=now or utcnow())
    session.commit()  # end this read first: SQLite takes one writer at a time
    with write_apart(session) as apart:  # the request's own session may be read-only
        apart.exec(used)
    return staff


def revoke_token(
    *, session: Session, token_id: int, now: datetime | None = None
) -> ApiToken | None:
    """Stop a token working at once (e.g. a leaked integration secret)."""
    row = session.get(ApiToken, token_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = now or utcnow()
        session.add(row)
    return row


def list_tokens(*, session: Session, staff_id: int | None = None) -> list[ApiToken]:
    query = select(ApiToken).order_by(col(ApiToken.id))
    if staff_id is not None:
        query = query.where(col(ApiToken.staff_id) == staff_id)
    return list(session.exec(query))
