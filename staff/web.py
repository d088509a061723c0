"""The web console's plumbing: templates, the page context, sign-in redirects and error pages."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from accounts import privacy
from accounts.actions import Door, Target, perform
from accounts.audit import AuditAction
from accounts.deps import client_ip, identify_staff, optional_staff
from accounts.roles import ACCOUNTS, ANSWERS, COMPLAINTS, NOTICES, OVERSIGHT, allowed
from core import texts, timefmt
from core.errors import DomainError, NotFound
from core.services import get_engine, get_settings
from db.models import Staff
from db.types import utcnow
from outage_notices import texts as notice_texts

R = TypeVar("R")
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


def page_role(*roles: str) -> Callable[[Staff], Awaitable[Staff]]:
    """A page dependency: sign-in redirect when nobody is signed in, 403 page for other roles."""

    async def check(staff: PageStaff) -> Staff:
        if not allowed(staff.role, tuple(roles)):
            raise PageError(403, "forbidden")
        return staff

    return check


def language(request: Request, staff: Staff | None = None) -> str:
    """The console's language: the cookie, else the account's, else Indonesian."""
    chosen = request.cookies.get(LANG_COOKIE)
    if chosen in texts.LANGUAGES:
        return chosen
    return texts.language_or_default(staff.language if staff is not None else None)


def local_time(
    request: Request, moment: datetime | None, lang: str, *, with_date: bool = True
) -> str:
    """A stored UTC moment as staff read it, in the utility's zone: '30/11/2026 08.00'."""
    tz = get_settings(request).tz
    if moment is None:
        return "-"
    return timefmt.short(moment, lang, tz) if with_date else timefmt.clock(moment, lang, tz)


# audit detail field -> the vocabulary its values are words of
DETAIL_VOCABULARIES = {
    "via": "door",
    "role": "role",
    "from": "complaint_status",
    "to": "complaint_status",
    "changed": "field",
}


def audit_detail(lang: str, detail: Mapping[str, Any] | None) -> str:
    """An audit entry's detail in words: 'Peran: Petugas → Supervisor; Lewat: Konsol'."""
    parts = []
    for name, value in (detail or {}).items():
        vocabulary = DETAIL_VOCABULARIES.get(name)

        def word(item: object, vocabulary: str | None = vocabulary) -> str:
            if item is None:
                return "-"
            return texts.label(lang, vocabulary, item) if vocabulary else str(item)

        if isinstance(value, list):
            joiner = (
                " → " if len(value) == 2 and name not in {"areas", "messages", "changed"} else ", "
            )
            shown = joiner.join(word(item) for item in value)
        else:
            shown = word(value)
        parts.append(f"{texts.label(lang, 'field', name)}: {shown}")
    return "; ".join(parts)


def push_event(lang: str, event: str) -> str:
    """A notice's push event in words: 'reminder_24h' → 'Pengingat 1 hari sebelumnya'."""
    family, _, rest = event.partition("_")
    if family == "reminder" and rest.removesuffix("h").isdigit():
        return texts.t(lang, "notice_event.reminder", lead=notice_texts.reminder_lead(event, lang))
    if family == "extend" and rest.isdigit():
        return texts.t(lang, "notice_event.extend", n=rest)
    return texts.label(lang, "notice_event", event)


def page_words(request: Request, lang: str) -> dict[str, Any]:
    """What every template uses to speak: words, labels, times and durations in `lang`."""
    tz = get_settings(request).tz
    return {
        "lang": lang,
        "t": lambda key, **values: texts.t(lang, key, **values),
        "label": lambda vocabulary, value: texts.label(lang, vocabulary, value),
        "zone": timefmt.zone_name(tz),
        "local": lambda moment, with_date=True: local_time(
            request, moment, lang, with_date=with_date
        ),
        "duration": lambda span: timefmt.duration(span, lang),
        "audit_detail": lambda detail: audit_detail(lang, detail),
        "push_event": lambda event: push_event(lang, event),
    }


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
    base = page_words(request, lang) | {
        "staff": staff,
        "csrf": getattr(request.state, "csrf", "") or "",
        "mask": privacy.mask_phone,
        "can": {
            "complaints": allowed(role, COMPLAINTS) if role else False,
            "notices": allowed(role, NOTICES) if role else False,
            "answers": allowed(role, ANSWERS) if role else False,
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


async def _login_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LoginRequired)  # installed for LoginRequired only
    return redirect("/staff/login", next=_safe_next(exc.next_path))


async def _page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)  # installed for PageError only
    return render(request, "error.html", {"message_key": exc.key}, status_code=exc.status)


def inline_errors(
    request: Request, error: DomainError, staff: Staff | None = None
) -> dict[str, str]:
    """A refused form's messages by field, in the page's language, to show beside each field.

    Problems about the request as a whole come under "" (shown above the form).
    """
    messages = error.messages(language(request, staff))
    return {name or "": text for name, text in messages.items()}


def inline_error(request: Request, error: DomainError, staff: Staff | None = None) -> str:
    """The same, as one line for pages that show a single banner."""
    return " ".join(inline_errors(request, error, staff).values())


def act(
    request: Request,
    *,
    session: Session,
    staff: Staff,
    action: AuditAction,
    target: Target | Callable[[R], Target],
    do: Callable[[], R],
    refused: Callable[[dict[str, str]], Response],
    then: Callable[[R], Response],
    detail: Mapping[str, Any] | Callable[[R], Mapping[str, Any]] | None = None,
) -> Response:
    """A console form's action: done, audited and committed by the one helper, then `then`;
    refused, the form again (`refused`) with each message beside its field."""
    try:
        result = perform(
            session=session,
            staff=staff,
            action=action,
            target=target,
            do=do,
            detail=detail,
            door=Door.console,
            ip=client_ip(request),
            now=utcnow(),
        )
    except DomainError as error:
        return refused(inline_errors(request, error, staff))
    return then(result)


async def domain_error_page(request: Request, error: DomainError) -> Response:
    """A refusal no page caught itself: the message on the error page."""
    status = 404 if isinstance(error, NotFound) else 400
    return render(
        request, "error.html", {"message": inline_error(request, error)}, status_code=status
    )


HTTP_PAGES = {403: "forbidden", 404: "console.not_found_page"}


def _console_path(request: Request) -> bool:
    return request.url.path == "/staff" or request.url.path.startswith("/staff/")


async def _http_error(request: Request, exc: Exception) -> Response:
    """A console path that does not exist or is refused: a page in the console's look."""
    assert isinstance(exc, StarletteHTTPException)  # installed for HTTP exceptions only
    if not _console_path(request):
        return await http_exception_handler(request, exc)
    key = HTTP_PAGES.get(exc.status_code, "console.error_title")
    if getattr(request.state, "staff", None) is None:  # no route ran: who is it, for the header
        await run_in_threadpool(_identify, request)
    page = render(request, "error.html", {"message_key": key}, status_code=exc.status_code)
    page.headers.update(exc.headers or {})
    return page


def _identify(request: Request) -> None:
    with Session(get_engine(request)) as session:
        identify_staff(request, session)


async def _bad_request(request: Request, exc: Exception) -> Response:
    """A console address with a value that is not valid (a bad date, a page number): 422
    page naming the field, in the console's language; the API keeps FastAPI's JSON."""
    assert isinstance(exc, RequestValidationError)  # installed for validation errors only
    if not _console_path(request):
        return await request_validation_exception_handler(request, exc)
    lang = language(request)
    fields = [str(error["loc"][-1]) for error in exc.errors() if error.get("loc")]
    detail = ", ".join(texts.t(lang, "console.bad_value", field=name) for name in fields)
    message = texts.t(lang, "console.bad_request", detail=detail)
    return render(request, "error.html", {"message": message}, status_code=422)


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PageError, _page_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _bad_request)
