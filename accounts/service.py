"""Staff accounts: create, sign in (argon2, throttled), change role, password or status."""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from pwdlib import PasswordHash
from sqlmodel import Session, col, select

from accounts import audit, sessions, throttle
from accounts.audit import AuditAction
from accounts.roles import ROLES
from core.errors import DomainError
from db.models import Staff
from db.types import utcnow

MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")

_hasher = PasswordHash.recommended()  # argon2id
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class LoginThrottled(Exception):
    """Too many failed sign-ins for this account, address or browser: try again after `wait`."""

    def __init__(self, wait: timedelta) -> None:
        super().__init__(f"wait {wait}")
        self.wait = wait


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
    *,
    session: Session,
    username: str,
    password: str,
    ip: str | None,
    device: str | None = None,
    now: datetime | None = None,
) -> Staff | None:
    """The account for these credentials, or None; either outcome is audited (a failure counted).

    Raises LoginThrottled, before the password is looked at, while this account, address or
    browser must wait (accounts.throttle); `device` is a browser known for this username.
    """
    now = now or utcnow()
    attempt = throttle.Attempt.of(username, ip=ip, device=device)
    wait = throttle.wait(session=session, attempt=attempt, now=now)
    if wait > timedelta(0):
        raise LoginThrottled(wait)
    staff = get_by_username(session=session, username=attempt.username)
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
        throttle.record_failure(session=session, attempt=attempt, now=now)
    else:
        staff.last_login_at = now
        session.add(staff)
    audit.record(
        session=session,
        who=staff,
        action=AuditAction.login if staff else AuditAction.login_failed,
        target_type="staff",
        target_id=staff.username if staff else attempt.username,
        ip=ip,
        now=now,
    )
    return staff


def check_password(*, staff: Staff, password: str) -> bool:
    """Whether this is the account's current password (asked before it is changed)."""
    return _hasher.verify(password, staff.password_hash)


def set_password(
    *, session: Session, staff: Staff, password: str, keep_session: int | None = None
) -> None:
    """Change a password; every open session of that account ends with it, except
    `keep_session` (the console of a staff member changing their own)."""
    _check_password(password)
    staff.password_hash = hash_password(password)
    session.add(staff)
    if staff.id is not None:
        sessions.end_all(session=session, staff_id=staff.id, keep=keep_session)


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
        if not active and staff.id is not None:
            sessions.end_all(session=session, staff_id=staff.id)  # signed out at once
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
