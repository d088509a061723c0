"""Console pages for working complaints and answering customers who asked for a person."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session, col, select

from accounts import audit, privacy, service
from accounts.actions import Target
from accounts.audit import AuditAction
from accounts.deps import SessionDep, client_ip, wake_outbox
from accounts.roles import COMPLAINTS, allowed, can_reveal_phone
from areas.coverage import area_labels
from complaints import inbox, workflow
from complaints.attachments import for_complaint
from complaints.calendar import working_calendar
from complaints.service import CATEGORIES, complaint_contact
from core.errors import DomainError
from core.http_limits import RowId, row_id
from core.services import SettingsDep
from core.texts import t
from db.engine import write_apart
from db.models import Complaint, Contact, Notice, ServiceArea, Staff
from db.rows import saved_id
from db.types import utcnow
from db.vocab import Channel
from staff.web import PageError, act, language, page_role, redirect, render
from subscriptions import preferences
from subscriptions.service import subscribed_area_codes

router = APIRouter(prefix="/staff", include_in_schema=False)
Worker = Annotated[Staff, Depends(page_role(*COMPLAINTS))]
FLASHES = {"saved", "queued"}
CHANNELS = tuple(Channel)
PER_PAGE = 50


def _flash(request: Request, staff: Staff) -> str | None:
    key = request.query_params.get("ok")
    return t(language(request, staff), f"staff.{key}") if key in FLASHES else None


def _workers(session: Session) -> list[Staff]:
    staff = service.list_staff(session=session)
    return [s for s in staff if s.active and allowed(s.role, COMPLAINTS)]


def _inbox_context(
    request: Request, session: Session, staff: Staff, params: InboxParams
) -> dict[str, Any]:
    assignee = str(staff.id) if params.assignee == "me" else params.assignee
    filters = inbox.Filters(
        status=params.status if params.status in workflow.STATUSES else None,
        category=params.category if params.category in CATEGORIES else None,
        kecamatan=params.kecamatan or None,
        channel=params.channel if params.channel in CHANNELS else None,
        assignee=assignee or None,
        q=params.q.strip() or None,
    )
    found = inbox.list_inbox(
        session=session, filters=filters, page=params.page, per_page=params.per
    )
    contact_ids = [row.contact.id for row in found.rows if row.contact.id is not None]
    return {
        "found": found,
        "rows": found.rows,
        "last_words": preferences.last_words(session=session, contact_ids=contact_ids),
        "filters": filters,
        "stamp": inbox.stamp(session=session),
        "now": utcnow(),
        "page_query": lambda number: _page_query(request, number),
    }


def _page_query(request: Request, number: int) -> str:
    """The inbox's current query string on another page."""
    params = dict(request.query_params)
    params["page"] = str(number)
    return urlencode(params)


class InboxParams:
    """The inbox's filters, search and page, from the query string."""

    def __init__(
        self,
        status: Annotated[str | None, Query(max_length=12)] = None,
        category: Annotated[str | None, Query(max_length=24)] = None,
        kecamatan: Annotated[str | None, Query(max_length=20)] = None,
        channel: Annotated[str | None, Query(max_length=16)] = None,
        assignee: Annotated[str | None, Query(max_length=12)] = None,
        q: Annotated[str, Query(max_length=100)] = "",
        page: Annotated[int, Query(ge=1, le=10_000)] = 1,
        per: Annotated[int, Query(ge=10, le=300)] = PER_PAGE,
    ) -> None:
        self.status, self.category, self.kecamatan = status, category, kecamatan
        self.channel, self.assignee, self.q = channel, assignee, q
        self.page, self.per = page, per


@router.get("/inbox")
def inbox_page(
    request: Request,
    session: SessionDep,
    staff: Worker,
    params: Annotated[InboxParams, Depends()],
) -> Response:
    """Open complaints, most urgent first, with search, filters, paging and counts per status."""
    context = _inbox_context(request, session, staff, params)
    context |= {
        "counts": inbox.status_counts(session=session, filters=context["filters"]),
        "statuses": workflow.STATUSES,
        "categories": CATEGORIES,
        "channels": CHANNELS,
        "kecamatans": inbox.kecamatan_choices(session=session),
        "workers": _workers(session),
        "waiting": preferences.count_waiting(session=session),
        "flash": _flash(request, staff),
    }
    return render(request, "inbox.html", context, staff=staff)


@router.get("/inbox/list")
def inbox_list(
    request: Request,
    session: SessionDep,
    staff: Worker,
    params: Annotated[InboxParams, Depends()],
) -> Response:
    """The inbox's list alone, for the page's script to swap in when something changed."""
    context = _inbox_context(request, session, staff, params)
    return render(request, "_inbox_list.html", context, staff=staff)


@router.get("/inbox/stamp")
def inbox_stamp(session: SessionDep, staff: Worker) -> JSONResponse:
    """A small token the inbox's script polls: when it changes, the list is fetched again."""
    return JSONResponse(
        {
            "stamp": inbox.stamp(session=session),
            "waiting": preferences.count_waiting(session=session),
        }
    )


def _complaint(session: Session, complaint_id: int) -> Complaint:
    complaint = session.get(Complaint, complaint_id)
    if complaint is None:
        raise PageError(404, "not_found")
    return complaint


def _complaint_page(
    request: Request,
    session: Session,
    staff: Staff,
    complaint: Complaint,
    *,
    reveal: bool = False,
    error: str | None = None,
) -> Response:
    contact = complaint_contact(session=session, complaint=complaint)
    area = session.get(ServiceArea, complaint.area_code) if complaint.area_code else None
    kecamatan = (
        session.get(ServiceArea, area.kecamatan_code) if area and area.kecamatan_code else None
    )
    due_at, due_kind = inbox.due(complaint, inbox.targets(session=session))
    context = {
        "complaint": complaint,
        "contact": contact,
        "phone": privacy.shown_phone(contact, role=staff.role, reveal=reveal),
        "can_reveal": can_reveal_phone(staff.role) and privacy.contact_phone(contact) is not None,
        "area": area,
        "kecamatan": kecamatan,
        "messages": inbox.conversation(session=session, contact_id=complaint.contact_id),
        "events": inbox.history(session=session, complaint_id=saved_id(complaint)),
        "attachments": for_complaint(session=session, complaint_id=saved_id(complaint)),
        "names": {s.id: s.username for s in service.list_staff(session=session)},
        "workers": _workers(session),
        "next_statuses": workflow.next_statuses(complaint),
        "other_complaints": _other_complaints(session, complaint),
        "subscribed": area_labels(
            session, subscribed_area_codes(session=session, contact_id=complaint.contact_id)
        ),
        "notice": session.get(Notice, complaint.notice_id) if complaint.notice_id else None,
        "due_at": due_at,
        "due_kind": due_kind,
        "now": utcnow(),
        "flash": _flash(request, staff),
        "error": error,
    }
    status_code = 400 if error else 200
    return render(request, "complaint.html", context, staff=staff, status_code=status_code)


def _other_complaints(session: Session, complaint: Complaint) -> list[Complaint]:
    """The same customer's other complaints, newest first: a repeat caller is seen as one."""
    query = (
        select(Complaint)
        .where(col(Complaint.contact_id) == complaint.contact_id)
        .where(col(Complaint.id) != complaint.id)
        .order_by(col(Complaint.id).desc())
        .limit(20)
    )
    return list(session.exec(query))


@router.get("/complaints/{complaint_id}")
def complaint_page(
    request: Request, complaint_id: RowId, session: SessionDep, staff: Worker, reveal: bool = False
) -> Response:
    """One complaint: the whole conversation, history, notes and the actions."""
    complaint = _complaint(session, complaint_id)
    if reveal:
        _audit_reveal(request, session, staff, "complaint", complaint.ticket_number)
    return _complaint_page(request, session, staff, complaint, reveal=reveal)


def _act(
    request: Request,
    session: Session,
    staff: Staff,
    complaint_id: RowId,
    action: AuditAction,
    do: Callable[[Complaint], dict[str, Any]],
    ok: str = "saved",
) -> Response:
    """One staff action on a complaint through the one helper; refused, the page shows why."""
    complaint = _complaint(session, complaint_id)

    def done(_: dict[str, Any]) -> Response:
        wake_outbox(request)
        return redirect(f"/staff/complaints/{complaint_id}", ok=ok)

    return act(
        request,
        session=session,
        staff=staff,
        action=action,
        target=Target("complaint", complaint.ticket_number),
        do=lambda: do(complaint),
        detail=lambda facts: facts,
        refused=lambda errors: _complaint_page(
            request,
            session,
            staff,
            _complaint(session, complaint_id),
            error=" ".join(errors.values()),
        ),
        then=done,
    )


@router.post("/complaints/{complaint_id}/reply")
def reply(
    request: Request,
    complaint_id: RowId,
    session: SessionDep,
    staff: Worker,
    settings: SettingsDep,
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    def do(complaint: Complaint) -> dict[str, Any]:
        message = workflow.reply(
            session=session,
            complaint=complaint,
            staff=staff,
            text=text,
            now=utcnow(),
            calendar=working_calendar(session=session, settings=settings),
        )
        return {"message_id": message.id, "length": len(text.strip())}

    return _act(request, session, staff, complaint_id, AuditAction.complaint_reply, do, ok="queued")


@router.post("/complaints/{complaint_id}/note")
def note(
    request: Request,
    complaint_id: RowId,
    session: SessionDep,
    staff: Worker,
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    def do(complaint: Complaint) -> dict[str, Any]:
        event = workflow.add_note(
            session=session, complaint=complaint, staff=staff, text=text, now=utcnow()
        )
        return {"event_id": event.id}

    return _act(request, session, staff, complaint_id, AuditAction.complaint_note, do)


@router.post("/complaints/{complaint_id}/assign")
def assign(
    request: Request,
    complaint_id: RowId,
    session: SessionDep,
    staff: Worker,
    assignee_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    def do(complaint: Complaint) -> dict[str, Any]:
        target = row_id(assignee_id)
        if assignee_id and target is None:
            raise DomainError.of("assignee", "assignee_unknown")
        workflow.assign(
            session=session, complaint=complaint, staff=staff, assignee_id=target, now=utcnow()
        )
        return {"assignee_id": target}

    return _act(request, session, staff, complaint_id, AuditAction.complaint_assign, do)


@router.post("/complaints/{complaint_id}/status")
def change_status(
    request: Request,
    complaint_id: RowId,
    session: SessionDep,
    staff: Worker,
    settings: SettingsDep,
    status: Annotated[str, Form(max_length=12)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    def do(complaint: Complaint) -> dict[str, Any]:
        before = complaint.status
        workflow.change_status(
            session=session,
            complaint=complaint,
            staff=staff,
            status=status,
            reason=reason,
            now=utcnow(),
            calendar=working_calendar(session=session, settings=settings),
        )
        return {"from": before, "to": status}

    return _act(
        request, session, staff, complaint_id, AuditAction.complaint_status, do, ok="queued"
    )


@router.get("/people")
def people_page(request: Request, session: SessionDep, staff: Worker) -> Response:
    """Customers who asked to talk to a person, longest waiting first."""
    contacts = preferences.waiting_for_a_person(session=session)
    ids = [contact.id for contact in contacts if contact.id is not None]
    context = {
        "contacts": contacts,
        "last_words": preferences.last_words(session=session, contact_ids=ids),
        "flash": _flash(request, staff),
        "now": utcnow(),
    }
    return render(request, "people.html", context, staff=staff)


def _contact(session: Session, contact_id: int) -> Contact:
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise PageError(404, "not_found")
    return contact


def _contact_page(
    request: Request,
    session: Session,
    staff: Staff,
    contact: Contact,
    reveal: bool = False,
    error: str | None = None,
) -> Response:
    if contact.id is None:
        raise ValueError("the contact page shows a stored contact")
    complaints = session.exec(
        select(Complaint)
        .where(col(Complaint.contact_id) == contact.id)
        .order_by(col(Complaint.id).desc())
    )
    context = {
        "contact": contact,
        "phone": privacy.shown_phone(contact, role=staff.role, reveal=reveal),
        "can_reveal": can_reveal_phone(staff.role) and privacy.contact_phone(contact) is not None,
        "messages": inbox.conversation(session=session, contact_id=contact.id),
        "complaints": list(complaints),
        "flash": _flash(request, staff),
        "error": error,
    }
    return render(request, "contact.html", context, staff=staff, status_code=400 if error else 200)


@router.get("/people/{contact_id}")
def contact_page(
    request: Request, contact_id: RowId, session: SessionDep, staff: Worker, reveal: bool = False
) -> Response:
    contact = _contact(session, contact_id)
    if reveal:
        _audit_reveal(request, session, staff, "contact", contact.id)
    return _contact_page(request, session, staff, contact, reveal=reveal)


def _audit_reveal(
    request: Request, session: Session, staff: Staff, target_type: str, target_id: object
) -> None:
    """Seeing a full phone number is allowed to some roles, and always on record."""
    if not can_reveal_phone(staff.role):
        return
    with write_apart(session) as apart:  # a page view: its own session only reads
        audit.record(
            session=apart,
            who=staff,
            action=AuditAction.phone_reveal,
            target_type=target_type,
            target_id=target_id,
            ip=client_ip(request),
        )


@router.post("/people/{contact_id}/reply")
def contact_reply(
    request: Request,
    contact_id: RowId,
    session: SessionDep,
    staff: Worker,
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    """Answer a waiting customer directly, on their channel."""
    contact = _contact(session, contact_id)

    def done(_: object) -> Response:
        wake_outbox(request)
        return redirect(f"/staff/people/{contact_id}", ok="queued")

    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.contact_reply,
        target=Target("contact", contact.id),
        do=lambda: workflow.reply_to_contact(
            session=session, contact=contact, staff=staff, text=text, now=utcnow()
        ),
        detail=lambda message: {"message_id": message.id},
        refused=lambda errors: _contact_page(
            request, session, staff, _contact(session, contact_id), error=" ".join(errors.values())
        ),
        then=done,
    )


@router.post("/people/{contact_id}/done")
def contact_done(
    request: Request, contact_id: RowId, session: SessionDep, staff: Worker
) -> Response:
    """The customer has been helped: take them off the waiting list."""
    contact = _contact(session, contact_id)
    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.contact_settle,
        target=Target("contact", contact.id),
        do=lambda: preferences.person_answered(session=session, contact=contact),
        refused=lambda errors: _contact_page(
            request, session, staff, contact, error=" ".join(errors.values())
        ),
        then=lambda _: redirect("/staff/people", ok="saved"),
    )
