"""Console pages for disruption notices: write, preview, publish, extend, restore, cancel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from accounts import audit
from accounts.deps import SessionDep, client_ip, wake_outbox
from accounts.roles import NOTICES
from areas.coverage import notice_area_codes
from areas.deps import get_area_index
from db.models import Notice, Staff
from db.types import utcnow
from outage_notices import service as notices
from outage_notices.validation import NoticeInvalid
from staff.i18n import translate
from staff.notice_support import (
    local_input,
    parse_local,
    policy,
    previews,
    progress,
    wake_notices,
)
from staff.web import PageError, language, page_role, redirect, render

router = APIRouter(prefix="/staff", include_in_schema=False)
Editor = Annotated[Staff, Depends(page_role(*NOTICES))]


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


def _form_page(request, session, staff, form: dict, notice: Notice | None, errors=None):
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
    staff: Editor,
    status: Annotated[str | None, Query(max_length=12)] = None,
) -> Response:
    rows = notices.list_notices(
        session=session, status=status if status in notices.STATUSES else None
    )
    context = {"notices": rows, "statuses": notices.STATUSES, "status": status}
    return render(request, "notices.html", context, staff=staff)


@router.get("/notices/new")
def new_notice(request: Request, session: SessionDep, staff: Editor) -> Response:
    form = {"kind": "planned", "reminder_hours": policy(request).reminder_hours, "areas": []}
    return _form_page(request, session, staff, form, None)


def _values(request: Request, form: NoticeForm) -> dict:
    pol = policy(request)
    errors = {}
    values = {"kind": form.kind, "title": form.title, "cause": form.cause, "advice": form.advice}
    for name in ("starts_at", "expected_end_at"):
        try:
            values[name] = parse_local(getattr(form, name), pol)
        except ValueError:
            errors[name] = "not a date and time"
    if errors:
        raise NoticeInvalid(errors)
    return values


@router.post("/notices")
def create_notice(
    request: Request, session: SessionDep, staff: Editor, form: Annotated[NoticeForm, Depends()]
) -> Response:
    """Save a draft; subscribers hear nothing until it is published."""
    try:
        values = _values(request, form)
        data = notices.NoticeInput(
            areas=form.areas,
            urgent=form.urgent,
            reminder_hours=form.reminder_hours or None,
            **values,
        )
        notice = notices.create(
            session=session, data=data, policy=policy(request), now=utcnow(), staff_id=staff.id
        )
    except NoticeInvalid as error:
        session.rollback()
        return _form_page(request, session, staff, vars(form), None, error.errors)
    audit.record(
        session=session,
        who=staff,
        action="notice_create",
        target_type="notice",
        target_id=notice.id,
        detail={"title": notice.title, "areas": form.areas},
        ip=client_ip(request),
    )
    session.commit()
    return redirect(f"/staff/notices/{notice.id}", ok="saved")


@router.get("/notices/{notice_id}/edit")
def edit_notice(request: Request, notice_id: int, session: SessionDep, staff: Editor) -> Response:
    notice = _notice(session, notice_id)
    pol = policy(request)
    form = notice.model_dump() | {
        "starts_at": local_input(notice.starts_at, pol),
        "expected_end_at": local_input(notice.expected_end_at, pol),
        "areas": notice_area_codes(session, notice.id),
    }
    return _form_page(request, session, staff, form, notice)


@router.post("/notices/{notice_id}/edit")
def save_notice(
    request: Request,
    notice_id: int,
    session: SessionDep,
    staff: Editor,
    form: Annotated[NoticeForm, Depends()],
) -> Response:
    """Change a notice; pending reminders follow, nothing already sent is sent again."""
    notice = _notice(session, notice_id)
    try:
        changes = _values(request, form) | {"areas": form.areas, "urgent": form.urgent}
        changes["reminder_hours"] = form.reminder_hours or notice.reminder_hours
        notices.update(
            session=session,
            notice_id=notice.id,
            changes=changes,
            policy=policy(request),
            now=utcnow(),
            staff_id=staff.id,
        )
    except NoticeInvalid as error:
        session.rollback()
        return _form_page(
            request, session, staff, vars(form), _notice(session, notice_id), error.errors
        )
    audit.record(
        session=session,
        who=staff,
        action="notice_edit",
        target_type="notice",
        target_id=notice.id,
        detail={"title": form.title, "areas": form.areas},
        ip=client_ip(request),
    )
    session.commit()
    wake_notices(request)
    return redirect(f"/staff/notices/{notice_id}", ok="saved")


def _notice_page(request, session, staff, notice: Notice, errors=None) -> Response:
    pol = policy(request)
    ok = request.query_params.get("ok")
    index = get_area_index(request)
    codes = notice_area_codes(session, notice.id)
    context = {
        "notice": notice,
        "areas": [index.get(code) for code in codes if index.get(code)],
        "history": notices.history(session, notice.id),
        "previews": previews(session, notice, pol),
        "progress": progress(session, notice.id),
        "errors": errors or {},
        "end_value": local_input(notice.expected_end_at, pol),
        "flash": translate(language(request, staff), ok) if ok in {"saved", "queued"} else None,
    }
    return render(request, "notice.html", context, staff=staff, status_code=400 if errors else 200)


@router.get("/notices/{notice_id}")
def notice_page(request: Request, notice_id: int, session: SessionDep, staff: Editor) -> Response:
    """A notice with its preview, delivery progress, history and the actions its status allows."""
    return _notice_page(request, session, staff, _notice(session, notice_id))


@router.get("/notices/{notice_id}/progress")
def notice_progress(notice_id: int, session: SessionDep, staff: Editor) -> JSONResponse:
    """Delivery counts for the page's small refresh script."""
    notice = _notice(session, notice_id)
    return JSONResponse(progress(session, notice.id) | {"status": notice.status})


def _lifecycle(request, session, staff, notice_id: int, action: str, do: Callable[[Notice], dict]):
    notice = _notice(session, notice_id)
    try:
        detail = do(notice)
    except NoticeInvalid as error:
        session.rollback()
        return _notice_page(request, session, staff, _notice(session, notice_id), error.errors)
    audit.record(
        session=session,
        who=staff,
        action=action,
        target_type="notice",
        target_id=notice_id,
        detail=detail,
        ip=client_ip(request),
    )
    session.commit()
    wake_notices(request)
    wake_outbox(request)
    return redirect(f"/staff/notices/{notice_id}", ok="saved")


@router.post("/notices/{notice_id}/publish")
def publish(
    request: Request,
    notice_id: int,
    session: SessionDep,
    staff: Editor,
    confirm_short_notice: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    def do(notice: Notice) -> dict:
        notices.publish(
            session=session,
            notice_id=notice.id,
            policy=policy(request),
            now=utcnow(),
            confirm_short_notice=bool(confirm_short_notice),
            staff_id=staff.id,
        )
        return {"short_notice": notice.short_notice}

    return _lifecycle(request, session, staff, notice_id, "notice_publish", do)


@router.post("/notices/{notice_id}/extend")
def extend(
    request: Request,
    notice_id: int,
    session: SessionDep,
    staff: Editor,
    expected_end_at: Annotated[str, Form(max_length=40)] = "",
    text: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def do(notice: Notice) -> dict:
        try:
            end = parse_local(expected_end_at, policy(request))
        except ValueError:
            end = None
        if end is None:
            raise NoticeInvalid({"expected_end_at": "give the new expected end"})
        notices.extend(
            session=session,
            notice_id=notice.id,
            expected_end_at=end,
            policy=policy(request),
            now=utcnow(),
            text=text,
            staff_id=staff.id,
        )
        return {"expected_end_at": end.isoformat()}

    return _lifecycle(request, session, staff, notice_id, "notice_extend", do)


@router.post("/notices/{notice_id}/restore")
def restore(
    request: Request,
    notice_id: int,
    session: SessionDep,
    staff: Editor,
    text: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def do(notice: Notice) -> dict:
        notices.restore(
            session=session,
            notice_id=notice.id,
            policy=policy(request),
            now=utcnow(),
            text=text,
            staff_id=staff.id,
        )
        return {"text": text}

    return _lifecycle(request, session, staff, notice_id, "notice_restore", do)


@router.post("/notices/{notice_id}/cancel")
def cancel(
    request: Request,
    notice_id: int,
    session: SessionDep,
    staff: Editor,
    text: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    def do(notice: Notice) -> dict:
        notices.cancel(
            session=session,
            notice_id=notice.id,
            policy=policy(request),
            now=utcnow(),
            text=text,
            staff_id=staff.id,
        )
        return {"text": text}

    return _lifecycle(request, session, staff, notice_id, "notice_cancel", do)


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
