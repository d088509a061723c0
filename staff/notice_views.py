"""Console pages for disruption notices: write, preview, publish, extend, restore, cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from accounts.actions import Target
from accounts.audit import AuditAction
from accounts.deps import SessionDep, wake_outbox
from accounts.roles import NOTICES
from areas.coverage import notice_area_codes
from areas.deps import AreaIndexDep, get_area_index
from core.errors import DomainError, Problem
from core.http_limits import RowId
from db.models import Notice, Staff
from db.types import utcnow
from db.vocab import NoticeStatus
from outage_notices import service as notices
from staff.area_lookup import area_answer
from staff.notice_support import (
    announcement,
    local_input,
    parse_local,
    policy,
    previews,
    progress,
    told_words,
    wake_notices,
)
from staff.web import PageError, PageStaff, act, language, page_role, redirect, render

router = APIRouter(prefix="/staff", include_in_schema=False)
Editor = Annotated[Staff, Depends(page_role(*NOTICES))]
Reader = PageStaff  # every role reads disruptions: an agent on the phone must know what is off


class NoticeForm:
    """The fields of the notice form, as posted."""

    def __init__(
        self,
        kind: Annotated[str, Form(max_length=16)] = "planned",
        title: Annotated[str, Form(max_length=500)] = "",
        cause: Annotated[str, Form(max_length=2000)] = "",
        advice: Annotated[str, Form(max_length=2000)] = "",
        starts_at: Annotated[str, Form(max_length=40)] = "",
        expected_end_at: Annotated[str, Form(max_length=40)] = "",
        urgent: Annotated[str, Form(max_length=5)] = "",
        reminder_hours: Annotated[str, Form(max_length=40)] = "",
        areas: Annotated[list[str] | None, Form()] = None,
    ) -> None:
        self.kind, self.title, self.cause, self.advice = kind, title, cause, advice
        self.starts_at, self.expected_end_at = starts_at, expected_end_at
        self.urgent = urgent in {"on", "true", "1"}
        self.reminder_hours = reminder_hours
        self.areas = [a for a in (areas or []) if a][:500]


def _notice(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id)
    if notice is None:
        raise PageError(404, "not_found")
    return notice


def _form_page(
    request: Request,
    session: Session,
    staff: Staff,
    form: dict[str, Any],
    notice: Notice | None,
    errors: dict[str, str] | None = None,
) -> Response:
    index = get_area_index(request)
    context = {
        "form": form,
        "notice": notice,
        "errors": errors or {},
        "kinds": notices.KINDS,
        "kecamatans": [(k, index.children(k.code)) for k in index.kecamatan()],
        "selected": set(form.get("areas", [])),
    }
    return render(
        request, "notice_form.html", context, staff=staff, status_code=400 if errors else 200
    )


@router.get("/notices")
def notices_page(
    request: Request,
    session: SessionDep,
    staff: Reader,
    index: AreaIndexDep,
    status: Annotated[str | None, Query(max_length=12)] = None,
    area: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """Every notice, or (with `area`) what is off or planned at the place a caller names."""
    rows = notices.list_notices(
        session=session, status=NoticeStatus(status) if status in notices.STATUSES else None
    )
    context = {"notices": rows, "statuses": notices.STATUSES, "status": status, "area": area}
    context |= area_answer(session, index, area)
    return render(request, "notices.html", context, staff=staff)


@router.get("/notices/new")
def new_notice(request: Request, session: SessionDep, staff: Editor) -> Response:
    form = {"kind": "planned", "reminder_hours": policy(request).reminder_hours, "areas": []}
    return _form_page(request, session, staff, form, None)


def _values(request: Request, form: NoticeForm) -> dict[str, Any]:
    pol = policy(request)
    problems = []
    values: dict[str, Any] = {
        "kind": form.kind,
        "title": form.title,
        "cause": form.cause,
        "advice": form.advice,
    }
    for name in ("starts_at", "expected_end_at"):
        try:
            values[name] = parse_local(getattr(form, name), pol)
        except ValueError:
            problems.append(Problem(name, "not_datetime"))
    if problems:
        raise DomainError(*problems)
    return values


@router.post("/notices")
def create_notice(
    request: Request, session: SessionDep, staff: Editor, form: Annotated[NoticeForm, Depends()]
) -> Response:
    """Save a draft; subscribers hear nothing until it is published."""

    def do() -> Notice:
        data = notices.NoticeInput(
            areas=form.areas,
            urgent=form.urgent,
            reminder_hours=form.reminder_hours or None,
            **_values(request, form),
        )
        return notices.create(
            session=session, data=data, policy=policy(request), now=utcnow(), staff_id=staff.id
        )

    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.notice_create,
        target=lambda notice: Target("notice", notice.id),
        do=do,
        detail=lambda notice: {"title": notice.title, "areas": form.areas},
        refused=lambda errors: _form_page(request, session, staff, vars(form), None, errors),
        then=lambda notice: redirect(f"/staff/notices/{notice.id}", ok="saved"),
    )


@router.get("/notices/{notice_id}/edit")
def edit_notice(request: Request, notice_id: RowId, session: SessionDep, staff: Editor) -> Response:
    notice = _notice(session, notice_id)
    pol = policy(request)
    form = notice.model_dump() | {
        "starts_at": local_input(notice.starts_at, pol),
        "expected_end_at": local_input(notice.expected_end_at, pol),
        "areas": notice_area_codes(session, notice_id),
    }
    return _form_page(request, session, staff, form, notice)


@router.post("/notices/{notice_id}/edit")
def save_notice(
    request: Request,
    notice_id: RowId,
    session: SessionDep,
    staff: Editor,
    form: Annotated[NoticeForm, Depends()],
) -> Response:
    """Change a notice; pending reminders follow, nothing already sent is sent again."""
    notice = _notice(session, notice_id)

    def do() -> Notice:
        changes = _values(request, form) | {"areas": form.areas, "urgent": form.urgent}
        changes["reminder_hours"] = form.reminder_hours or notice.reminder_hours
        return notices.update(
            session=session,
            notice_id=notice_id,
            changes=changes,
            policy=policy(request),
            now=utcnow(),
            staff_id=staff.id,
        )

    def done(_: Notice) -> Response:
        wake_notices(request)
        return redirect(f"/staff/notices/{notice_id}", ok="saved")

    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.notice_update,
        target=Target("notice", notice_id),
        do=do,
        detail={"title": form.title, "areas": form.areas},
        refused=lambda errors: _form_page(
            request, session, staff, vars(form), _notice(session, notice_id), errors
        ),
        then=done,
    )


def _notice_page(
    request: Request,
    session: Session,
    staff: Staff,
    notice: Notice,
    errors: dict[str, str] | None = None,
) -> Response:
    if notice.id is None:
        raise ValueError("the notice page shows a stored notice")
    pol = policy(request)
    lang = language(request, staff)
    index = get_area_index(request)
    codes = notice_area_codes(session, notice.id)
    context = {
        "notice": notice,
        "areas": [index.get(code) for code in codes if index.get(code)],
        "history": notices.history(session, notice.id),
        "previews": previews(session, notice, pol),
        "progress": progress(session, notice.id, lang),
        "errors": errors or {},
        "end_value": local_input(notice.expected_end_at, pol),
        "flash": told_words(lang, request.query_params, pol),
    }
    return render(request, "notice.html", context, staff=staff, status_code=400 if errors else 200)


@router.get("/notices/{notice_id}")
def notice_page(request: Request, notice_id: RowId, session: SessionDep, staff: Reader) -> Response:
    """A notice with its preview, delivery progress, history and the actions its status allows."""
    return _notice_page(request, session, staff, _notice(session, notice_id))


@router.get("/notices/{notice_id}/progress")
def notice_progress(
    request: Request, notice_id: RowId, session: SessionDep, staff: Reader
) -> JSONResponse:
    """Delivery counts, overall and per event and channel, for the page's refresh script."""
    notice = _notice(session, notice_id)
    lang = language(request, staff)
    return JSONResponse(progress(session, notice_id, lang) | {"status": notice.status})


def _lifecycle(
    request: Request,
    session: Session,
    staff: Staff,
    notice_id: RowId,
    action: AuditAction,
    do: Callable[[Notice], dict[str, Any]],
) -> Response:
    """A step in a notice's life; done, the page says whom its message reaches (counted now,
    before the dispatcher runs); refused, the notice's page shows why beside the action."""
    notice = _notice(session, notice_id)
    family = action.name.removeprefix("notice_")  # the push it plans: publish, extend, ...

    def done(_: dict[str, Any]) -> Response:
        told = announcement(
            session=session, notice_id=notice_id, family=family, pol=policy(request), now=utcnow()
        )
        wake_notices(request)
        wake_outbox(request)
        return redirect(f"/staff/notices/{notice_id}", **told)

    return act(
        request,
        session=session,
        staff=staff,
        action=action,
        target=Target("notice", notice_id),
        do=lambda: do(notice),
        detail=lambda facts: facts,
        refused=lambda errors: _notice_page(
            request, session, staff, _notice(session, notice_id), errors
        ),
        then=done,
    )


@router.post("/notices/{notice_id}/publish")
def publish(
    request: Request,
    notice_id: RowId,
    session: SessionDep,
    staff: Editor,
    confirm_short_notice: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    def do(notice: Notice) -> dict[str, Any]:
        notices.publish(
            session=session,
            notice_id=notice_id,
            policy=policy(request),
            now=utcnow(),
            confirm_short_notice=bool(confirm_short_notice),
            staff_id=staff.id,
        )
        return {"short_notice": notice.short_notice}

    return _lifecycle(request, session, staff, notice_id, AuditAction.notice_publish, do)


@router.post("/notices/{notice_id}/extend")
def extend(
    request: Request,
    notice_id: RowId,
    session: SessionDep,
    staff: Editor,
    expected_end_at: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def do(notice: Notice) -> dict[str, Any]:
        try:
            end = parse_local(expected_end_at, policy(request))
        except ValueError:
            end = None
        if end is None:
            raise DomainError.of("expected_end_at", "new_end_required")
        notices.extend(
            session=session,
            notice_id=notice_id,
            expected_end_at=end,
            policy=policy(request),
            now=utcnow(),
            text=text,
            staff_id=staff.id,
        )
        return {"expected_end_at": end.isoformat()}

    return _lifecycle(request, session, staff, notice_id, AuditAction.notice_extend, do)


@router.post("/notices/{notice_id}/restore")
def restore(
    request: Request,
    notice_id: RowId,
    session: SessionDep,
    staff: Editor,
    text: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def do(notice: Notice) -> dict[str, Any]:
        notices.restore(
            session=session,
            notice_id=notice_id,
            policy=policy(request),
            now=utcnow(),
            text=text,
            staff_id=staff.id,
        )
        return {"text": text}

    return _lifecycle(request, session, staff, notice_id, AuditAction.notice_restore, do)


@router.post("/notices/{notice_id}/cancel")
def cancel(
    request: Request,
    notice_id: RowId,
    session: SessionDep,
    staff: Editor,
    text: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def do(notice: Notice) -> dict[str, Any]:
        notices.cancel(
            session=session,
            notice_id=notice_id,
            policy=policy(request),
            now=utcnow(),
            text=text,
            staff_id=staff.id,
        )
        return {"text": text}

    return _lifecycle(request, session, staff, notice_id, AuditAction.notice_cancel, do)


@router.get("/areas/search")
def area_search(
    request: Request,
    session: SessionDep,
    staff: Editor,
    q: Annotated[str, Query(max_length=100)] = "",
) -> JSONResponse:
    """Areas for the picker's search box, with the bot's own fuzzy matching."""
    matches = get_area_index(request).find(q, 8) if q.strip() else []
    return JSONResponse(
        [
            {
                "code": m.area.code,
                "name": m.area.name,
                "level": m.area.level,
                "kecamatan": m.area.kecamatan_name,
                "kecamatan_code": m.area.kecamatan_code,
            }
            for m in matches
        ]
    )
