"""Console pages for signing in and out and choosing the language."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from accounts import audit, service, sessions
from accounts.audit import AuditAction
from accounts.deps import SessionDep, client_ip, identify_staff
from accounts.roles import COMPLAINTS, NOTICES, OVERSIGHT, allowed
from core.services import get_settings
from core.texts import LANGUAGES, t
from db.models import Staff
from db.types import utcnow
from staff.web import LANG_COOKIE, PageStaff, _safe_next, language, redirect, render

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
    request: Request, username: str, next_path: str, key: str, status: int
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    context = {"login_csrf": token, "next": next_path, "username": username}
    context["error"] = t(language(request), f"staff.{key}")
    return render(request, "login.html", context, status_code=status)


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=300)] = "/staff/",
) -> Response:
    """Check the password (rate-limited), start a session and record the sign-in."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(csrf_token.encode(), expected.encode()):
        return render(request, "error.html", {"message_key": "csrf"}, status_code=403)
    ip = client_ip(request)
    next_path = _safe_next(next)
    try:
        staff = service.authenticate(session=session, username=username, password=password, ip=ip)
    except service.LoginThrottled:
        return _login_again(request, username, next_path, "login_throttled", 429)
    if staff is None:
        session.commit()  # keep the failure: it counts toward the rate limit
        return _login_again(request, username, next_path, "login_failed", 401)
    audit.record(
        session=session,
        who=staff,
        action=AuditAction.login,
        target_type="staff",
        target_id=staff.username,
        ip=ip,
    )
    session.commit()
    response = redirect(next_path if next_path != "/staff/" else home_for(staff))
    sessions.issue(response, staff=staff, settings=get_settings(request))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/staff/login")
    return response


@router.post("/logout")
def logout(request: Request, session: SessionDep, staff: PageStaff) -> Response:
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


@router.get("/lang/{code}")
def choose_language(code: str, next: str = "/staff/") -> Response:
    """Switch the console between Indonesian and English (remembered in a cookie)."""
    response = redirect(_safe_next(next))
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response
