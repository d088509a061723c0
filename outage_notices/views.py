"""`/api/v1/notices`: the staff API for disruption notices and rotation schedules.

Views only translate: services validate (422 naming the field), the dispatcher sends.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from sqlmodel import Session

from accounts import audit
from accounts.deps import SessionDep, client_ip, current_staff, require_role
from areas.coverage import load_areas
from core.services import get_services, get_settings
from db.engine import read_apart
from db.models import Notice, Staff
from db.types import utcnow
from outage_notices import details, rotation, service
from outage_notices import schemas as s
from outage_notices.policy import NoticePolicy
from outage_notices.validation import NoticeInvalid

EDITORS = ("editor", "supervisor", "admin")
NoticeId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The notice's number")]
Editor = Annotated[Staff, Depends(require_role(*EDITORS))]
Reader = Annotated[Staff, Depends(current_staff)]
ERRORS = {
    401: {"description": "No or wrong credentials"},
    403: {"description": "Role may not do this"},
    404: {"description": "No such notice"},
    422: {"description": "Invalid input; `detail[].loc` names the field"},
}

notices_api = APIRouter(prefix="/api/v1/notices", tags=["notices"], responses=ERRORS)


def _policy(request: Request) -> NoticePolicy:
    return NoticePolicy.from_settings(get_settings(request))


def _wake(request: Request) -> None:
    """Let the dispatcher run now rather than at its next interval."""
    get_services(request).wake_notices()


def _out(session: Session, notice: Notice, model=s.NoticeOut):
    detail = details.notice_detail(session, notice.id)
    values = notice.model_dump()
    values["areas"] = [
        s.Area(code=code, name=name)
        for code, name in zip(detail.area_codes, _names(session, detail.area_codes), strict=True)
    ]
    values["delivery"] = s.Delivery(**vars(detail.delivery))
    if model is s.NoticeDetailOut:
        values["history"] = [s.HistoryEntry(**u.model_dump()) for u in detail.history]
        values["pushes"] = [
            s.PushOut(
                **p.model_dump(),
                delivery=s.Delivery(**vars(detail.by_event.get(p.event, details.Delivery()))),
            )
            for p in detail.pushes
        ]
        values["linked_complaint_ids"] = detail.complaint_ids
    return model(**values)


def _names(session: Session, codes: list[str]) -> list[str]:
    areas = load_areas(session, codes)
    return [areas[code].name for code in codes]


def _done(request, session, staff, notice, action: str, detail=None, wake=True):
    audit.record(
        session=session,
        who=staff,
        action=f"notice.{action}",
        target_type="notice",
        target_id=notice.id,
        detail=detail,
        ip=client_ip(request),
    )
    session.commit()
    if wake:
        _wake(request)
    with read_apart(session) as reading:
        return _out(reading, notice, s.NoticeDetailOut)


def _run(session: Session, action):
    """Call a service; refused input is a 422 naming the field, an unknown id a 404."""
    try:
        return action()
    except NoticeInvalid as error:
        session.rollback()
        detail = [
            {"loc": ["body", name], "msg": message, "type": "value_error"}
            for name, message in error.errors.items()
        ]
        raise HTTPException(422, detail) from error
    except service.NoticeNotFound as error:
        session.rollback()
        raise HTTPException(404, str(error)) from error


@notices_api.post("", status_code=201, response_model=s.NoticeDetailOut, summary="Create a draft")
def create_notice(body: s.NoticeCreate, request: Request, session: SessionDep, staff: Editor):
    data = service.NoticeInput(**body.model_dump())
    notice = _run(
        session,
        lambda: service.create(
            session=session, data=data, policy=_policy(request), now=utcnow(), staff_id=staff.id
        ),
    )
    return _done(request, session, staff, notice, "create", wake=False)


@notices_api.get("", response_model=list[s.NoticeOut], summary="List notices, newest first")
def list_notices(
    session: SessionDep,
    _staff: Reader,
    status: s.Status | None = None,
    include_demo: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
):
    rows = service.list_notices(
        session=session, status=status, include_demo=include_demo, limit=limit
    )
    return [_out(session, notice) for notice in rows]


@notices_api.get("/{notice_id}", response_model=s.NoticeDetailOut, summary="One notice in full")
def show_notice(notice_id: NoticeId, session: SessionDep, _staff: Reader):
    notice = _run(session, lambda: service.get(session, notice_id))
    return _out(session, notice, s.NoticeDetailOut)


@notices_api.patch("/{notice_id}", response_model=s.NoticeDetailOut, summary="Edit, never re-send")
def update_notice(
    notice_id: NoticeId, body: s.NoticeChange, request: Request, session: SessionDep, staff: Editor
):
    changes = body.model_dump(exclude_unset=True, exclude={"note"})
    notice = _run(
        session,
        lambda: service.update(
            session=session,
            notice_id=notice_id,
            changes=changes,
            policy=_policy(request),
            now=utcnow(),
            note=body.note,
            staff_id=staff.id,
        ),
    )
    return _done(request, session, staff, notice, "update", {"fields": sorted(changes)})


@notices_api.post("/{notice_id}/publish", response_model=s.NoticeDetailOut, summary="Publish")
def publish_notice(
    notice_id: NoticeId,
    request: Request,
    session: SessionDep,
    staff: Editor,
    body: s.PublishRequest | None = None,
):
    confirm = bool(body and body.confirm_short_notice)
    notice = _run(
        session,
        lambda: service.publish(
            session=session,
            notice_id=notice_id,
            policy=_policy(request),
            now=utcnow(),
            confirm_short_notice=confirm,
            staff_id=staff.id,
        ),
    )
    return _done(request, session, staff, notice, "publish", {"short_notice": notice.short_notice})


@notices_api.post("/{notice_id}/extend", response_model=s.NoticeDetailOut, summary="Extend the end")
def extend_notice(
    notice_id: NoticeId, body: s.ExtendRequest, request: Request, session: SessionDep, staff: Editor
):
    notice = _run(
        session,
        lambda: service.extend(
            session=session,
            notice_id=notice_id,
            expected_end_at=body.expected_end_at,
            policy=_policy(request),
            now=utcnow(),
            text=body.text,
            staff_id=staff.id,
        ),
    )
    return _done(request, session, staff, notice, "extend")


@notices_api.post("/{notice_id}/restore", response_model=s.NoticeDetailOut, summary="Water is back")
def restore_notice(
    notice_id: NoticeId,
    request: Request,
    session: SessionDep,
    staff: Editor,
    body: s.RestoreRequest | None = None,
):
    body = body or s.RestoreRequest()
    notice = _run(
        session,
        lambda: service.restore(
            session=session,
            notice_id=notice_id,
            policy=_policy(request),
            now=utcnow(),
            text=body.text,
            urgent=body.urgent,
            staff_id=staff.id,
        ),
    )
    return _done(request, session, staff, notice, "restore")


@notices_api.post("/{notice_id}/cancel", response_model=s.NoticeDetailOut, summary="Call it off")
def cancel_notice(
    notice_id: NoticeId,
    request: Request,
    session: SessionDep,
    staff: Editor,
    body: s.CancelRequest | None = None,
):
    body = body or s.CancelRequest()
    notice = _run(
        session,
        lambda: service.cancel(
            session=session,
            notice_id=notice_id,
            policy=_policy(request),
            now=utcnow(),
            text=body.text,
            staff_id=staff.id,
        ),
    )
    return _done(request, session, staff, notice, "cancel")


rotations = APIRouter(prefix="/api/v1/rotations", tags=["rotations"], responses=ERRORS)


@rotations.post("", status_code=201, response_model=s.RotationOut, summary="Add a giliran")
def create_rotation(body: s.RotationCreate, request: Request, session: SessionDep, staff: Editor):
    schedule = _run(session, lambda: rotation.create_schedule(session=session, **body.model_dump()))
    audit.record(
        session=session,
        who=staff,
        action="rotation.create",
        target_type="rotation",
        target_id=schedule.id,
        ip=client_ip(request),
    )
    session.commit()
    return schedule


@rotations.get("", response_model=list[s.RotationOut], summary="List giliran schedules")
def list_rotations(
    session: SessionDep,
    _staff: Reader,
    area: Annotated[s.Text | None, Query(max_length=80)] = None,
    on: s.Day | None = None,
):
    return rotation.list_schedules(session=session, area_code=area, on=on)


@rotations.get("/windows", response_model=list[s.WindowOut], summary="Windows for an area")
def rotation_windows(
    session: SessionDep,
    _staff: Reader,
    area: Annotated[s.Text, Query(max_length=80)],
    day: s.Day,
    request: Request,
):
    """Supply windows on a WITA date for a desa, including those declared on its kecamatan."""
    windows = rotation.windows_for(session=session, area_code=area, day=day, tz=_policy(request).tz)
    return [
        s.WindowOut(area_code=w.area_code, starts_at=w.starts_at, ends_at=w.ends_at, note=w.note)
        for w in windows
    ]


router = APIRouter()
router.include_router(notices_api)
router.include_router(rotations)
