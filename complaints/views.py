"""`/api/v1/complaints`: the staff API for integrations (e.g. the billing system).

Same permissions as the console: agents, supervisors and admins work complaints. Authenticate
with a personal API token (`Authorization: Bearer ka_...`, see `kabar-air staff token create`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from accounts import privacy
from accounts.actions import Door, Target, perform
from accounts.audit import AuditAction
from accounts.deps import SessionDep, client_ip, require_role, wake_outbox
from accounts.roles import COMPLAINTS, OVERSIGHT
from complaints import inbox, service, workflow
from complaints.calendar import working_calendar
from core.errors import DomainError
from core.services import SettingsDep
from db.engine import read_apart
from db.models import Complaint, ServiceArea, Staff
from db.types import utcnow
from db.vocab import Channel, ComplaintCategory, ComplaintStatus

Worker = Annotated[Staff, Depends(require_role(*COMPLAINTS))]
Overseer = Annotated[Staff, Depends(require_role(*OVERSIGHT))]


class ErrorOut(BaseModel):
    detail: str


ERRORS: dict[int | str, dict] = {
    401: {"model": ErrorOut, "description": "No or an invalid API token"},
    403: {"model": ErrorOut, "description": "The token's role may not do this"},
}
NOT_FOUND: dict[int | str, dict] = {404: {"model": ErrorOut, "description": "No such complaint"}}
router = APIRouter(prefix="/api/v1", tags=["complaints"], responses=ERRORS)


class ComplaintOut(BaseModel):
    ticket_number: str
    status: str
    category: str
    channel: str
    area_code: str | None
    area_name: str | None
    address: str
    account_number: str | None
    description: str
    customer_name: str | None
    customer_phone: str = Field(description="Masked: +62 812-****-7890")
    assignee: str | None
    reject_reason: str | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    due_at: datetime = Field(description="Next target: first response, then resolution")


class EventOut(BaseModel):
    kind: str
    from_status: str | None
    to_status: str | None
    text: str
    public: bool
    staff: str | None
    created_at: datetime


class MessageOut(BaseModel):
    id: int
    direction: str
    text: str
    status: str
    created_at: datetime


class ComplaintDetail(ComplaintOut):
    history: list[EventOut]
    conversation: list[MessageOut]


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=workflow.MAX_NOTE_LENGTH)


class StatusIn(BaseModel):
    status: ComplaintStatus
    reason: str = Field(default="", max_length=workflow.MAX_REPLY_LENGTH)


class AssignIn(BaseModel):
    assignee: str | None = Field(
        default=None, max_length=64, description="Username; null unassigns"
    )


class TargetOut(BaseModel):
    category: str
    first_response_minutes: int
    resolution_minutes: int


class TargetIn(BaseModel):
    first_response_minutes: int = Field(ge=1, le=525_600)
    resolution_minutes: int = Field(ge=1, le=525_600)


def _names(session: Session) -> dict[int | None, str]:
    """Usernames by id, looked up with the nullable staff columns (None finds nobody)."""
    return {staff.id: staff.username for staff in session.exec(select(Staff))}


def _out(
    session: Session,
    complaint: Complaint,
    names: dict[int | None, str],
    table: dict[str, tuple[int, int]],
) -> dict[str, Any]:
    contact = service.complaint_contact(session=session, complaint=complaint)
    area = session.get(ServiceArea, complaint.area_code) if complaint.area_code else None
    data = complaint.model_dump()
    data.update(
        area_name=area.name if area else None,
        customer_name=contact.display_name,
        customer_phone=privacy.mask_phone(privacy.contact_phone(contact)),
        assignee=names.get(complaint.assignee_id),
        due_at=inbox.due(complaint, table)[0],
    )
    return data


def _find(session: Session, ticket: str) -> Complaint:
    complaint = session.exec(
        select(Complaint).where(col(Complaint.ticket_number) == ticket.strip().upper())
    ).first()
    if complaint is None:
        raise HTTPException(404, f"no complaint {ticket}")
    return complaint


def _detail(session: Session, complaint: Complaint) -> ComplaintDetail:
    names = _names(session)
    data = _out(session, complaint, names, inbox.targets(session=session))
    events = inbox.history(session=session, complaint_id=service.saved_id(complaint))
    data["history"] = [e.model_dump() | {"staff": names.get(e.staff_id)} for e in events]
    messages = inbox.conversation(session=session, contact_id=complaint.contact_id)
    data["conversation"] = [m.model_dump() for m in messages]
    return ComplaintDetail.model_validate(data)


@router.get("/complaints", response_model=list[ComplaintOut])
def list_complaints(
    session: SessionDep,
    staff: Worker,
    status: ComplaintStatus | None = None,
    category: ComplaintCategory | None = None,
    kecamatan: Annotated[str | None, Query(max_length=20)] = None,
    channel: Channel | None = None,
    assignee: Annotated[str | None, Query(max_length=64, description="username or 'none'")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Complaints (open ones unless `status` is given), most urgent first."""
    names = _names(session)
    if assignee and assignee != "none":
        ids = [i for i, name in names.items() if name == assignee]
        assignee = str(ids[0]) if ids else "-1"
    filters = inbox.Filters(status, category, kecamatan, channel, assignee)
    rows = inbox.list_inbox(session=session, filters=filters, per_page=limit).rows
    table = inbox.targets(session=session)
    return [_out(session, row.complaint, names, table) for row in rows]


@router.get("/complaints/{ticket}", response_model=ComplaintDetail, responses=NOT_FOUND)
def show_complaint(ticket: str, session: SessionDep, staff: Worker) -> ComplaintDetail:
    """One complaint with its history (notes included) and the customer's conversation."""
    return _detail(session, _find(session, ticket))


def _apply(
    request: Request,
    session: Session,
    staff: Staff,
    ticket: str,
    action: AuditAction,
    do: Callable[[Complaint], dict[str, Any]],
) -> ComplaintDetail:
    """Act on one complaint through the one helper; a refusal becomes the 422 naming the field."""
    complaint = _find(session, ticket)
    perform(
        session=session,
        staff=staff,
        action=action,
        target=Target("complaint", complaint.ticket_number),
        do=lambda: do(complaint),
        detail=lambda facts: facts,
        door=Door.api,
        ip=client_ip(request),
        now=utcnow(),
    )
    wake_outbox(request)
    with read_apart(session) as reading:
        return _detail(reading, complaint)


@router.post(
    "/complaints/{ticket}/reply",
    response_model=ComplaintDetail,
    status_code=201,
    responses=NOT_FOUND,
)
def reply(
    ticket: str,
    body: TextIn,
    request: Request,
    session: SessionDep,
    staff: Worker,
    settings: SettingsDep,
) -> ComplaintDetail:
    """Answer the customer on their channel (queued for delivery)."""

    def do(complaint: Complaint) -> dict[str, Any]:
        message = workflow.reply(
            session=session,
            complaint=complaint,
            staff=staff,
            text=body.text,
            now=utcnow(),
            calendar=working_calendar(session=session, settings=settings),
        )
        return {"message_id": message.id}

    return _apply(request, session, staff, ticket, AuditAction.complaint_reply, do)


@router.post("/complaints/{ticket}/status", response_model=ComplaintDetail, responses=NOT_FOUND)
def change_status(
    ticket: str,
    body: StatusIn,
    request: Request,
    session: SessionDep,
    staff: Worker,
    settings: SettingsDep,
) -> ComplaintDetail:
    """Move the complaint along; the customer is told. `rejected` needs a `reason`."""

    def do(complaint: Complaint) -> dict[str, Any]:
        before = complaint.status
        workflow.change_status(
            session=session,
            complaint=complaint,
            staff=staff,
            status=body.status,
            reason=body.reason,
            now=utcnow(),
            calendar=working_calendar(session=session, settings=settings),
        )
        return {"from": before, "to": body.status}

    return _apply(request, session, staff, ticket, AuditAction.complaint_status, do)


@router.post("/complaints/{ticket}/assign", response_model=ComplaintDetail, responses=NOT_FOUND)
def assign(
    ticket: str, body: AssignIn, request: Request, session: SessionDep, staff: Worker
) -> ComplaintDetail:
    """Give the complaint to a colleague by username, or unassign with null."""

    def do(complaint: Complaint) -> dict[str, Any]:
        target = None
        if body.assignee:
            found = session.exec(select(Staff).where(col(Staff.username) == body.assignee)).first()
            if found is None:
                raise DomainError.of("assignee", "assignee_unknown")
            target = found.id
        workflow.assign(
            session=session, complaint=complaint, staff=staff, assignee_id=target, now=utcnow()
        )
        return {"assignee": body.assignee}

    return _apply(request, session, staff, ticket, AuditAction.complaint_assign, do)


@router.post(
    "/complaints/{ticket}/notes",
    response_model=ComplaintDetail,
    status_code=201,
    responses=NOT_FOUND,
)
def add_note(
    ticket: str, body: TextIn, request: Request, session: SessionDep, staff: Worker
) -> ComplaintDetail:
    """An internal note; the customer never sees it."""

    def do(complaint: Complaint) -> dict[str, Any]:
        event = workflow.add_note(
            session=session, complaint=complaint, staff=staff, text=body.text, now=utcnow()
        )
        return {"event_id": event.id}

    return _apply(request, session, staff, ticket, AuditAction.complaint_note, do)


@router.get("/response-targets", response_model=list[TargetOut])
def list_targets(session: SessionDep, staff: Worker) -> list[TargetOut]:
    """First-response and resolution targets per category, in minutes."""
    table = inbox.targets(session=session)
    return [
        TargetOut(category=c, first_response_minutes=f, resolution_minutes=r)
        for c, (f, r) in sorted(table.items())
    ]


@router.put("/response-targets/{category}", response_model=TargetOut)
def set_target(
    category: ComplaintCategory,
    body: TargetIn,
    request: Request,
    session: SessionDep,
    staff: Overseer,
) -> TargetOut:
    """Change a category's targets (supervisors and admins)."""
    _, target = perform(
        session=session,
        staff=staff,
        action=AuditAction.target_update,
        target=Target("category", category),
        do=lambda: workflow.set_target(
            session=session,
            category=category,
            first_response_minutes=body.first_response_minutes,
            resolution_minutes=body.resolution_minutes,
        ),
        detail=lambda done: {
            "old": list(done[0]) if done[0] else None,
            "new": [body.first_response_minutes, body.resolution_minutes],
        },
        door=Door.api,
        ip=client_ip(request),
        now=utcnow(),
    )
    return TargetOut.model_validate(target.model_dump())
