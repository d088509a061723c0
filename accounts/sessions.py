"""The web console's sessions: one row per signed-in browser, so ending one takes effect at once.

The cookie (signed, HttpOnly, SameSite=Lax, Secure behind https) carries a random token; the
`staff_session` row keeps only its SHA-256 hash, the session's CSRF token, when it began, when
it was last seen and when it ends whatever happens (STAFF_SESSION_HOURS). A session left alone
for STAFF_SESSION_IDLE_MINUTES ends too. Logging out deletes the row; a new password or
deactivation deletes every row of the account (`end_all`). `last_seen_at` is written at most
once a minute, beside the request's own transaction, never on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from fastapi import Request, Response
from itsdangerous import BadSignature, Signer
from sqlalchemy import bindparam, delete, or_, update
from sqlmodel import Session, col, select

from core.services import get_settings
from core.settings import Settings
from db.engine import write_apart
from db.models import Staff, StaffSession
from db.types import utcnow

COOKIE = "kabar_session"
SEEN_EVERY = timedelta(minutes=1)  # how stale last_seen_at may get before it is written

FIND = (
    select(StaffSession, Staff)
    .join(Staff, col(Staff.id) == col(StaffSession.staff_id))
    .where(col(StaffSession.token_hash) == bindparam("token_hash"))
)
SEEN = (
    update(StaffSession)
    .where(col(StaffSession.id) == bindparam("session_id"))
    .values(last_seen_at=bindparam("now"))
)


@dataclass(frozen=True)
class Lifetimes:
    """How long a session lives: since its last request (idle) and since sign-in (absolute)."""

    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Lifetimes:
        return cls(
            idle=timedelta(minutes=settings.staff_session_idle_minutes),
            absolute=timedelta(hours=settings.staff_session_hours),
        )


@dataclass(frozen=True)
class SignedIn:
    """Who a request's session cookie belongs to, which session it is, and its CSRF token."""

    staff: Staff
    session_id: int
    csrf: str


def _signer(settings: Settings) -> Signer:
    return Signer(settings.secret_key.get_secret_value(), salt="kabar-session")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def secure_cookies(settings: Settings) -> bool:
    """Secure always in production (the proxy in front speaks https), else behind https."""
    return settings.production or (settings.public_base_url or "").lower().startswith("https://")


def start(
    *, session: Session, staff: Staff, settings: Settings, now: datetime
) -> tuple[str, StaffSession]:
    """Open a session for `staff` (and drop sessions that have run out); returns the cookie
    value and the row. Flushes; the caller commits, then sets the cookie (`set_cookie`)."""
    if staff.id is None:
        raise ValueError("a session belongs to a stored staff account")
    lifetimes = Lifetimes.from_settings(settings)
    session.exec(
        delete(StaffSession).where(
            or_(
                col(StaffSession.expires_at) <= now,
                col(StaffSession.last_seen_at) <= now - lifetimes.idle,
            )
        )
    )
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        staff_id=staff.id,
        token_hash=hash_token(token),
        csrf_token=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetimes.absolute,
    )
    session.add(row)
    session.flush()
    return _signer(settings).sign(token).decode(), row


def set_cookie(response: Response, value: str, *, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(Lifetimes.from_settings(settings).absolute.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(settings),
        path="/",
    )


def clear(response: Response, *, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(settings)
    )


def read(request: Request, *, session: Session, now: datetime | None = None) -> SignedIn | None:
    """The live session this request's cookie names, or None (absent, forged, ended, run out,
    or its account deactivated). Notes the visit at most once a minute."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    settings = get_settings(request)
    try:
        token = _signer(settings).unsign(raw).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    found = session.exec(FIND, params={"token_hash": hash_token(token)}).first()
    if found is None:
        return None
    row, staff = found
    now = now or utcnow()
    lifetimes = Lifetimes.from_settings(settings)
    if not staff.active or now >= row.expires_at or now - row.last_seen_at >= lifetimes.idle:
        return None
    assert row.id is not None  # a stored row
    if now - row.last_seen_at >= SEEN_EVERY:
        session.commit()  # end this read first: SQLite takes one writer at a time
        with write_apart(session) as apart:  # the request's own session may be read-only
            apart.exec(SEEN, params={"session_id": row.id, "now": now})
    return SignedIn(staff=staff, session_id=row.id, csrf=row.csrf_token)


def end(*, session: Session, session_id: int) -> None:
    """End one session (logging out)."""
    session.exec(delete(StaffSession).where(col(StaffSession.id) == session_id))


def end_all(*, session: Session, staff_id: int, keep: int | None = None) -> None:
    """End every session of an account (new password, deactivation), except `keep`."""
    query = delete(StaffSession).where(col(StaffSession.staff_id) == staff_id)
    if keep is not None:
        query = query.where(col(StaffSession.id) != keep)
    session.exec(query)


def open_sessions(*, session: Session, staff_id: int) -> list[StaffSession]:
    """An account's session rows, oldest first (some may have run out and await pruning)."""
    query = select(StaffSession).where(col(StaffSession.staff_id) == staff_id)
    return list(session.exec(query.order_by(col(StaffSession.id))))
