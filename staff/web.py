"""The web console's plumbing: templates, the page context, sign-in redirects and error pages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from accounts import privacy
from accounts.deps import optional_staff
from accounts.roles import ACCOUNTS, COMPLAINTS, NOTICES, OVERSIGHT, allowed
from core.services import get_settings
from db.models import Staff
from staff.i18n import LANGUAGES, translate

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
LANG_COOKIE = "kabar_lang"


class LoginRequired(Exception):
    """A page was asked for without a session: send the browser to the sign-in form."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class PageError(Exception):
    """A page that must answer with an error status and a readable page."""

    def __init__(self, status: int, key: str) -> None:
        self.status = status
        self.key = key


async def page_staff(
    request: Request, staff: Annotated[Staff | None, Depends(optional_staff)]
) -> Staff:
    if staff is None:
        raise LoginRequired(request.url.path)
    return staff


PageStaff = Annotated[Staff, Depends(page_staff)]


def page_role(*roles: str):
    """A page dependency: sign-in redirect when nobody is signed in, 403 page for other roles."""

    async def check(staff: PageStaff) -> Staff:
        if not allowed(staff.role, tuple(roles)):
            raise PageError(403, "forbidden")
        return staff

    return check


def language(request: Request, staff: Staff | None = None) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return staff.language if staff is not None and staff.language in LANGUAGES else "id"


def local_time(request: Request, moment: datetime | None, *, with_date: bool = True) -> str:
    """A stored UTC moment as staff read it, in WITA."""
    if moment is None:
        return "-"
    local = moment.astimezone(get_settings(request).tz)
    return local.strftime("%d/%m/%Y %H:%M" if with_date else "%H:%M")


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    staff: Staff | None = None,
) -> HTMLResponse:
    """A page with everything the layout needs: who, language, CSRF token, permissions."""
    staff = staff if staff is not None else getattr(request.state, "staff", None)
    lang = language(request, staff)
    role = staff.role if staff is not None else ""
    base = {
        "staff": staff,
        "lang": lang,
        "t": lambda key: translate(lang, key),
        "csrf": getattr(request.state, "csrf", "") or "",
        "wita": lambda moment, with_date=True: local_time(request, moment, with_date=with_date),
        "mask": privacy.mask_phone,
        "can": {
            "complaints": allowed(role, COMPLAINTS) if role else False,
            "notices": allowed(role, NOTICES) if role else False,
            "oversight": allowed(role, OVERSIGHT) if role else False,
            "accounts": allowed(role, ACCOUNTS) if role else False,
        },
        "utility": get_settings(request).utility_name,
        "path": request.url.path,
        "query": request.url.query,
    }
    base.update(context or {})
    return TEMPLATES.TemplateResponse(request, name, base, status_code=status_code)


def redirect(path: str, **params: str) -> RedirectResponse:
    """After a form: back to a page (303, so a reload does not post again)."""
    if params:
        path += "?" + "&".join(f"{key}={quote(str(value))}" for key, value in params.items())
    return RedirectResponse(path, status_code=303)


def _safe_next(path: str) -> str:
    return path if path.startswith("/staff") and "//" not in path else "/staff/"


async def _login_required(request: Request, exc: LoginRequired) -> Response:
    return redirect("/staff/login", next=_safe_next(exc.next_path))


async def _page_error(request: Request, exc: PageError) -> Response:
    return render(request, "error.html", {"message_key": exc.key}, status_code=exc.status)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PageError, _page_error)
