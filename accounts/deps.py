"""FastAPI dependencies for the staff side: database session, who is asking, what they may do.

A staff member is recognised by (in this order) a personal API token
(`Authorization: Bearer ka_...`, stored only as a SHA-256 hash), the interim admin token from
settings (bootstrap only: acts as an admin until an active staff admin account exists), or
the session cookie of the web console (accounts.sessions: a row per session, so logging
out, a new password or deactivation end it at once).
Cookie-authenticated changes (any method but GET/HEAD/OPTIONS) must carry the session's CSRF
token in the `csrf_token` form field or the `X-CSRF-Token` header.
"""

from __future__ import annotations

import hmac
import time
import weakref
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from accounts import sessions, tokens
from accounts.roles import Role, allowed
from core.services import get_engine, get_services, get_settings
from db.engine import read_only
from db.models import Staff

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
BOOTSTRAP_USERNAME = "admin-token"
ADMIN_CHECK_SECONDS = 5.0  # how long "an admin account exists (or not)" is believed
ACTIVE_ADMIN = (
    select(Staff.id).where(Staff.role == Role.admin, col(Staff.active).is_(True)).limit(1)
)
_admin_known: weakref.WeakKeyDictionary[Engine, tuple[float, bool]] = weakref.WeakKeyDictionary()


def get_session(request: Request) -> Iterator[Session]:
    """One database session per request; views commit what they change.

    Requests that only look (GET, HEAD) read without taking SQLite's write lock, so a page
    being rendered never makes a webhook wait; their few writes (audit lines) go through
    `db.engine.write_apart`.
    """
    engine = get_engine(request)
    if request.method in SAFE_METHODS:
        engine = read_only(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def client_ip(request: Request) -> str | None:
    """The client's address: the peer, or what a trusted proxy (FORWARDED_ALLOW_IPS) says it
    is; the app factory installs the proxy-header rule once, for every door."""
    return request.client.host if request.client else None


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def _bootstrap_admin() -> Staff:
    """The interim admin token acts as an unsaved admin (audited with no staff id)."""
    return Staff(id=None, username=BOOTSTRAP_USERNAME, role="admin", password_hash="!")


def an_admin_exists(engine: Engine, session: Session) -> bool:
    """Whether an active staff admin account exists (asked at most every few seconds)."""
    now = time.monotonic()
    known = _admin_known.get(engine)
    if known is not None and now - known[0] < ADMIN_CHECK_SECONDS:
        return known[1]
    exists = session.exec(ACTIVE_ADMIN).first() is not None
    _admin_known[engine] = (now, exists)
    return exists


def _from_bearer(request: Request, session: Session, value: str) -> Staff:
    """A personal API token, or the bootstrap admin token until a staff admin exists."""
    staff = tokens.staff_for_token(session=session, token=value)
    if staff is not None:
        return staff
    admin_token = get_settings(request).admin_api_token.get_secret_value()
    if (
        admin_token
        and hmac.compare_digest(value.encode(), admin_token.encode())
        and not an_admin_exists(get_engine(request), session)
    ):
        return _bootstrap_admin()
    raise HTTPException(401, "invalid or revoked API token", {"WWW-Authenticate": "Bearer"})


async def _check_csrf(request: Request, expected: str) -> None:
    given = request.headers.get("x-csrf-token")
    if not given and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(403, "CSRF token missing or wrong; reload the page and try again")


def identify_staff(request: Request, session: Session) -> Staff | None:
    """Who is asking, by API token or session cookie, without the CSRF check.

    Blocking database work: call it from a plain `def` endpoint or through `run_in_threadpool`.
    """
    value = _bearer(request)
    if value is not None:
        staff = _from_bearer(request, session, value)
        request.state.auth = "token"
        request.state.staff = staff
        return staff
    signed_in = sessions.read(request, session=session)
    if signed_in is None:
        return None
    request.state.auth = "cookie"
    request.state.csrf = signed_in.csrf
    request.state.session_id = signed_in.session_id
    request.state.staff = signed_in.staff
    return signed_in.staff


async def optional_staff(request: Request, session: SessionDep) -> Staff | None:
    """The staff member making this request, or None when nobody is signed in.

    The lookup runs in the threadpool; only reading the form for the CSRF token is awaited here.
    """
    staff = await run_in_threadpool(identify_staff, request, session)
    if staff is not None and request.state.auth == "cookie" and request.method not in SAFE_METHODS:
        await _check_csrf(request, request.state.csrf)
    return staff


async def current_staff(staff: Annotated[Staff | None, Depends(optional_staff)]) -> Staff:
    """The signed-in staff member; 401 when nobody is."""
    if staff is None:
        raise HTTPException(401, "sign in or send an API token", {"WWW-Authenticate": "Bearer"})
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def require_role(*roles: str) -> Callable[[Staff], Awaitable[Staff]]:
    """A dependency that lets through only these roles (admins always); 401 / 403 otherwise."""

    async def check(staff: CurrentStaff) -> Staff:
        if not allowed(staff.role, tuple(roles)):
            raise HTTPException(403, f"your role ({staff.role}) may not do this")
        return staff

    return check


def wake_outbox(request: Request) -> None:
    """Tell the channels' sender there is new work."""
    get_services(request).wake_outbox()
