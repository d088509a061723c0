"""`/api/v1/notices`: the staff API for disruption notices and rotation schedules.

Views only translate: services validate (a `DomainError`, which the app's one handler turns into
the 422 naming the field), `accounts.actions.perform` audits and commits, the dispatcher sends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlmodel import Session

from accounts.actions import Door, Target, perform
from accounts.audit import AuditAction
from accounts.deps import SessionDep, client_ip, current_staff, require_role
from areas.coverage import load_areas
from core.http_limits import ROW_ID_MAX
from core.services import get_services, get_settings
from db.engine import read_apart
from db.models import Notice, RotationSchedule, Staff
from db.rows import saved_id
from db.types import utcnow
from db.vocab import NoticeStatus
from outage_notices import details, rotation, service
from outage_notices import schemas as s
from outage_notices.policy import NoticePolicy

EDITORS = ("editor", "supervisor", "admin")
NoticeId = Annotated[int, Path(ge=1, le=ROW_ID_MAX, description="The notice's number")]
Editor = Annotated[Staff, Depends(require_role(*EDITORS))]
Reader = Annotated[Staff, Depends(current_staff)]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No or wrong credentials"},
    403: {"description": "Role may not do this"},
    404: {"description": "No such notice"},
    422: {"description": "Invalid input; `detail[].loc` names the field"},
}
Out = TypeVar("Out", bound=s.NoticeOut)

notices_api = APIRouter(prefix="/api/v1/notices", tags=["notices"], responses=ERRORS)


def _policy(request: Request) -> NoticePolicy:
    return NoticePolicy.from_settings(get_settings(request))


def _wake(request: Request) -> None:
    """Let the dispatcher run now rather than at its next interval."""
    get_services(request).wake_notices()


def _out(session: Session, notice: Notice, model: type[Out]) -> Out:
    detail = details.notice_detail(session, saved_id(notice))
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


def _act(
    request: Request,
    session: Session,
    staff: Staff,
    action: AuditAction,
    do: Callable[[], Notice],
    detail: Callable[[Notice], dict[str, Any]] | None = None,
    wake: bool = True,
) -> s.NoticeDetailOut:
    """Do it, audit it, commit (one helper for every door), then answer with the notice."""
    notice = perform(
        session=session,
        staff=staff,
        action=action,
        target=lambda done: Target("notice", done.id),
        do=do,
        detail=detail,
        door=Door.api,
        ip=client_ip(request),
        now=utcnow(),
    )
    if wake:
        _wake(request)
    with read_apart(session) as reading:
        return _out(reading, notice, s.NoticeDetailOut)


@notices_api.post("", status_code=201, response_model=s.NoticeDetailOut, summary="Create a draft")
def create_notice(
    body: s.NoticeCreate, request: Request, session: SessionDep, staff: Editor
) -> s.NoticeDetailOut:
    data = service.NoticeInput(**body.model_dump())
    return _act(
        request,
        session,
        staff,
        AuditAction.notice_create,
        lambda: service.create(
            session=session, data=data, policy=_policy(request), now=utcnow(), staff_id=staff.id
        ),
        wake=False,
    )


@notices_api.get("", response_model=list[s.NoticeOut], summary="List notices, newest first")
def list_notices(
    session: SessionDep,
    _staff: Reader,
    status: NoticeStatus | None = None,
    include_demo: bool = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[s.NoticeOut]:
    rows = service.list_notices(
        session=session, status=status, include_demo=include_demo, limit=limit
    )
    return [_out(session, notice, s.NoticeOut) for notice in rows]


@notices_api.get("/{notice_id}", response_model=s.NoticeDetailOut, summary="One notice in full")
def show_notice(notice_id: NoticeId, session: SessionDep, _staff: Reader) -> s.NoticeDetailOut:
    return _out(session, service.get(session, notice_id), s.NoticeDetailOut)


@notices_api.patch("/{notice_id}", response_model=s.NoticeDetailOut, summary="Edit, never re-send")
def update_notice(
    notice_id: NoticeId, body: s.NoticeChange, request: Request, session: SessionDep, staff: Editor
) -> s.NoticeDetailOut:
    changes = body.model_dump(exclude_unset=True, exclude={"note"})
    return _act(
        request,
        session,
        staff,
        AuditAction.notice_update,
        lambda: service.update(
            session=session,
            notice_id=notice_id,
            changes=changes,
            policy=_policy(request),
            now=utcnow(),
            note=body.note,
            staff_id=staff.id,
        ),
        lambda _: {"fields": sorted(changes)},
    )


@notices_api.post("/{notice_id}/publish", response_model=s.NoticeDetailOut, summary="Publish")
def publish_notice(
    notice_id: NoticeId,
    request: Request,
    session: SessionDep,
    staff: Editor,
    body: s.PublishRequest | None = None,
) -> s.NoticeDetailOut:
    confirm = bool(body and body.confirm_short_notice)
    return _act(
        request,
        session,
        staff,
        AuditAction.notice_publish,
        lambda: service.publish(
            session=session,
            notice_id=notice_id,
            policy=_policy(request),
            now=utcnow(),
            confirm_short_notice=confirm,
            staff_id=staff.id,
        ),
        lambda notice: {"short_notice": notice.short_notice},
    )


@notices_api.post("/{notice_id}/extend", response_model=s.NoticeDetailOut, summary="Extend the end")
def extend_notice(
    notice_id: NoticeId, body: s.ExtendRequest, request: Request, session: SessionDep, staff: Editor
) -> s.NoticeDetailOut:
    return _act(
        request,
        session,
        staff,
        AuditAction.notice_extend,
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


@notices_api.post("/{notice_id}/restore", response_model=s.NoticeDetailOut, summary="Water is back")
def restore_notice(
    notice_id: NoticeId,
    request: Request,
    session: SessionDep,
    staff: Editor,
    body: s.RestoreRequest | None = None,
) -> s.NoticeDetailOut:
    restoring = body or s.RestoreRequest()
    return _act(
        request,
        session,
        staff,
        AuditAction.notice_restore,
        lambda: service.restore(
            session=session,
            notice_id=notice_id,
            policy=_policy(request),
            now=utcnow(),
            text=restoring.text,
            urgent=restoring.urgent,
            staff_id=staff.id,
        ),
    )


@notices_api.post("/{notice_id}/cancel", response_model=s.NoticeDetailOut, summary="Call it off")
def cancel_notice(
    notice_id: NoticeId,
    request: Request,
    session: SessionDep,
    staff: Editor,
    body: s.CancelRequest | None = None,
) -> s.NoticeDetailOut:
    cancelling = body or s.CancelRequest()
    return _act(
        request,
        session,
        staff,
        AuditAction.notice_cancel,
        lambda: service.cancel(
            session=session,
            notice_id=notice_id,
            policy=_policy(request),
            now=utcnow(),
            text=cancelling.text,
            staff_id=staff.id,
        ),
    )


rotations = APIRouter(prefix="/api/v1/rotations", tags=["rotations"], responses=ERRORS)


@rotations.post("", status_code=201, response_model=s.RotationOut, summary="Add a giliran")
def create_rotation(
    body: s.RotationCreate, request: Request, session: SessionDep, staff: Editor
) -> RotationSchedule:
    return perform(
        session=session,
        staff=staff,
        action=AuditAction.rotation_create,
        target=lambda schedule: Target("rotation", schedule.id),
        do=lambda: rotation.create_schedule(session=session, **body.model_dump()),
        door=Door.api,
        ip=client_ip(request),
        now=utcnow(),
    )


@rotations.get("", response_model=list[s.RotationOut], summary="List giliran schedules")
def list_rotations(
    session: SessionDep,
    _staff: Reader,
    area: Annotated[s.Text | None, Query(max_length=80)] = None,
    on: s.Day | None = None,
) -> list[RotationSchedule]:
    return rotation.list_schedules(session=session, area_code=area, on=on)


@rotations.get("/windows", response_model=list[s.WindowOut], summary="Windows for an area")
def rotation_windows(
    session: SessionDep,
    _staff: Reader,
    area: Annotated[s.Text, Query(max_length=80)],
    day: s.Day,
    request: Request,
) -> list[s.WindowOut]:
    """Supply windows on a WITA date for a desa, including those declared on its kecamatan."""
    windows = rotation.windows_for(session=session, area_code=area, day=day, tz=_policy(request).tz)
    return [
        s.WindowOut(area_code=w.area_code, starts_at=w.starts_at, ends_at=w.ends_at, note=w.note)
        for w in windows
    ]


router = APIRouter()
router.include_router(notices_api)
router.include_router(rotations)
