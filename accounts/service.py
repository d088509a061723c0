"""Staff accounts: create, sign in (argon2, rate-limited), change role, password or status."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlmodel import Session, col, select

from accounts import audit
from accounts.audit import AuditAction
from accounts.roles import ROLES
from core.errors import DomainError
from db.models import Staff
from db.types import utcnow

MIN_PASSWORD_LENGTH = 10
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

_hasher = PasswordHash.recommended()  # argon2id
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class LoginThrottled(Exception):
    """Too many failed sign-ins for this username from this address."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    """A password a person can type: 4 groups of 4 letters and digits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(4))


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError.of("password", "at_least", least=MIN_PASSWORD_LENGTH)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise DomainError.of("role", "unknown_choice")


def get_by_username(*, session: Session, username: str) -> Staff | None:
    return session.exec(
        select(Staff).where(col(Staff.username) == username.strip().lower())
    ).first()


def create_staff(
    *,
    session: Session,
    username: str,
    role: str,
    password: str,
    full_name: str = "",
    language: str = "id",
) -> Staff:
    """Open an account for a new member of staff; refuses duplicates and weak passwords."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise DomainError.of("username", "username_form")
    _check_role(role)
    _check_password(password)
    if get_by_username(session=session, username=username) is not None:
        raise DomainError.of("username", "username_taken", username=username)
    staff = Staff(
        username=username,
        role=role,
        password_hash=hash_password(password),
        full_name=full_name.strip()[:120],
        language=language if language in {"id", "en"} else "id",
    )
    session.add(staff)
    session.flush()
    return staff


def authenticate(
    *, session: Session, username: str, password: str, ip: str | None, now: datetime | None = None
) -> Staff | None:
    """The account for these credentials, or None; raises LoginThrottled after 5 failures."""
    now = now or utcnow()
    key = username.strip().lower()[:64]
    failures = audit.count(
        session=session,
        action=AuditAction.login_failed,
        target_id=key,
        ip=ip,
        since=now - FAILURE_WINDOW,
    )
    if failures >= MAX_FAILURES:
        raise LoginThrottled
    staff = get_by_username(session=session, username=key)
    if staff is None or not staff.active:
        _hasher.verify(password, _DUMMY_HASH)  # same work either way: no username probing
        staff = None
    else:
        valid, new_hash = _hasher.verify_and_update(password, staff.password_hash)
        if not valid:
            staff = None
        elif new_hash:
            staff.password_hash = new_hash
    if staff is None:
        audit.record(
            session=session,
            who=None,
            action=AuditAction.login_failed,
            target_type="staff",
            target_id=key,
            ip=ip,
            now=now,
        )
        return None
    staff.last_login_at = now
    session.add(staff)
    return staff


def set_password(*, session: Session, staff: Staff, password: str) -> None:
    """Change a password; every open session of that account ends with it."""
    _check_password(password)
    staff.password_hash = hash_password(password)
    session.add(staff)


def update_staff(
    *,
    session: Session,
    staff: Staff,
    role: str | None = None,
    active: bool | None = None,
    full_name: str | None = None,
    language: str | None = None,
) -> dict[str, tuple[object, object]]:
    """Apply account changes; returns what changed (old, new) for the audit trail."""
    changes: dict[str, tuple[object, object]] = {}
    if role is not None and role != staff.role:
        _check_role(role)
        changes["role"] = (staff.role, role)
        staff.role = role
    if active is not None and active != staff.active:
        changes["active"] = (staff.active, active)
        staff.active = active
    if full_name is not None and full_name.strip() != staff.full_name:
        changes["full_name"] = (staff.full_name, full_name.strip()[:120])
        staff.full_name = full_name.strip()[:120]
    if language in {"id", "en"} and language != staff.language:
        changes["language"] = (staff.language, language)
        staff.language = language
    session.add(staff)
    return changes


def list_staff(*, session: Session) -> list[Staff]:
    return list(session.exec(select(Staff).order_by(col(Staff.username))))
