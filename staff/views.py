"""Console pages for signing in and out, changing one's own password and choosing the language."""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from accounts import audit, service, sessions, throttle
from accounts.actions import Target
from accounts.audit import AuditAction
from accounts.deps import SessionDep, client_ip, identify_staff
from accounts.roles import COMPLAINTS, NOTICES, OVERSIGHT, allowed
from core import timefmt
from core.errors import DomainError
from core.services import get_settings
from core.texts import LANGUAGES, t
from db.models import Staff
from db.types import utcnow
from staff.web import LANG_COOKIE, PageStaff, _safe_next, act, language, redirect, render

router = APIRouter(prefix="/staff", include_in_schema=False)
LOGIN_CSRF_COOKIE = "kabar_login_csrf"


def home_for(staff: Staff) -> str:
    """Where a role starts its day."""
    if allowed(staff.role, COMPLAINTS):
        return "/staff/inbox"
    if allowed(staff.role, NOTICES):
        return "/staff/notices"
    return "/staff/reports" if allowed(staff.role, OVERSIGHT) else "/staff/login"


@router.get("/")
def home(staff: PageStaff) -> Response:
    return redirect(home_for(staff))


@router.get("/login")
def login_form(request: Request, session: SessionDep, next: str = "/staff/") -> Response:
    """The sign-in form, with a fresh double-submit CSRF token for it."""
    if identify_staff(request, session) is not None:
        return redirect(_safe_next(next))
    token = secrets.token_urlsafe(32)
    page = render(request, "login.html", {"login_csrf": token, "next": _safe_next(next)})
    settings = get_settings(request)
    page.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="lax",
        secure=sessions.secure_cookies(settings),
        path="/staff/login",
    )
    return page


def _login_again(
    request: Request, username: str, next_path: str, error: str, status: int
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    context = {"login_csrf": token, "next": next_path, "username": username, "error": error}
    return render(request, "login.html", context, status_code=status)


def _throttled(request: Request, username: str, next_path: str, wait: timedelta) -> Response:
    """429 with Retry-After and the wait in words; the password was not looked at."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    lang = language(request)
    if seconds < 60:
        words = timefmt.amount(seconds, "second", lang)
    else:
        words = timefmt.duration(timedelta(minutes=math.ceil(seconds / 60)), lang)
    error = t(lang, "staff.login_throttled", wait=words)
    page = _login_again(request, username, next_path, error, 429)
    page.headers["Retry-After"] = str(seconds)
    return page


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=300)] = "/staff/",
) -> Response:
    """Check the password (throttled), start a session and record the sign-in."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token.encode(), expected.encode()):
        return render(request, "error.html", {"message_key": "csrf"}, status_code=403)
    settings = get_settings(request)
    ip = client_ip(request)
    next_path = _safe_next(next)
    now = utcnow()
    device = throttle.known_device(request, username=username, settings=settings)
    try:
        staff = service.authenticate(
            session=session, username=username, password=password, ip=ip, device=device, now=now
        )
    except service.LoginThrottled as throttled:
        return _throttled(request, username, next_path, throttled.wait)
    if staff is None:
        session.commit()  # keep the failure: it counts toward the throttle
        error = t(language(request), "staff.login_failed")
        return _login_again(request, username, next_path, error, 401)
    cookie, _ = sessions.start(session=session, staff=staff, settings=settings, now=now)
    session.commit()
    response = redirect(next_path if next_path != "/staff/" else home_for(staff))
    sessions.set_cookie(response, cookie, settings=settings)
    throttle.remember_device(
        request,
        response,
        username=staff.username,
        settings=settings,
        secure=sessions.secure_cookies(settings),
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff/login")
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, staff: PageStaff) -> Response:
    """End this session at once: its cookie and its CSRF token stop working everywhere."""
    session_id = getattr(request.state, "session_id", None)
    if session_id is not None:
        sessions.end(session=session, session_id=session_id)
    audit.record(
        session=session,
        who=staff,
        action=AuditAction.logout,
        target_type="staff",
        target_id=staff.username,
        ip=client_ip(request),
        now=utcnow(),
    )
    session.commit()
    response = redirect("/staff/login")
    sessions.clear(response, settings=get_settings(request))
    return response


@router.get("/password")
def password_form(request: Request, staff: PageStaff) -> Response:
    return render(request, "password.html", {"errors": {}}, staff=staff)


@router.post("/password")
def change_password(
    request: Request,
    session: SessionDep,
    staff: PageStaff,
    current_password: Annotated[str, Form(max_length=256)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """A staff member's own new password: this session stays, every other one ends."""

    def do() -> None:
        if not service.check_password(staff=staff, password=current_password):
            raise DomainError.of("current_password", "wrong_password")
        service.set_password(
            session=session,
            staff=staff,
            password=password,
            keep_session=getattr(request.state, "session_id", None),
        )

    def changed(_: None) -> Response:
        flash = t(language(request, staff), "staff.password_changed")
        return render(request, "password.html", {"errors": {}, "flash": flash}, staff=staff)

    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.staff_password,
        target=Target("staff", staff.username),
        do=do,
        refused=lambda errors: render(
            request, "password.html", {"errors": errors}, staff=staff, status_code=400
        ),
        then=changed,
    )


@router.get("/lang/{code}")
def choose_language(code: str, next: str = "/staff/") -> Response:
    """Switch the console between Indonesian and English (remembered in a cookie)."""
    response = redirect(_safe_next(next))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response
