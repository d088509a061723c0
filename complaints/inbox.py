"""What staff look at: open complaints ordered by how close they are to their target."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_
from sqlmodel import Session, col, select

from complaints.service import OPEN_STATUSES
from core.http_limits import row_id
from db.models import (
    Complaint,
    ComplaintEvent,
    Contact,
    Escalation,
    Message,
    ResponseTarget,
    ServiceArea,
)

DEFAULT_TARGET = (24 * 60, 7 * 24 * 60)
SORT_CAP = 2000  # the most complaints the inbox sorts by deadline at once
MIN_PHONE_DIGITS = 4
_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")  # any select, any columns


@dataclass(frozen=True)
class Filters:
    status: str | None = None  # None: the open statuses
    category: str | None = None
    kecamatan: str | None = None
    channel: str | None = None
    assignee: str | None = None  # a staff id, "none" for unassigned
    q: str | None = None  # ticket, customer name, phone digits or words of a message


@dataclass(frozen=True)
class InboxPage:
    rows: list[InboxRow]
    total: int  # matching complaints (up to SORT_CAP)
    page: int
    pages: int


@dataclass(frozen=True)
class InboxRow:
    complaint: Complaint
    contact: Contact
    area: ServiceArea | None
    kecamatan: ServiceArea | None
    due_at: datetime
    due_kind: str  # first_response | resolution | none


def targets(*, session: Session) -> dict[str, tuple[int, int]]:
    rows = session.exec(select(ResponseTarget))
    return {row.category: (row.first_response_minutes, row.resolution_minutes) for row in rows}


def due(complaint: Complaint, table: dict[str, tuple[int, int]]) -> tuple[datetime, str]:
    """The next deadline: first response until there is one, then resolution.

    The due times promised at filing (in working time) count; `table` only stands in for a
    complaint that has none.
    """
    first, full = table.get(complaint.category, DEFAULT_TARGET)
    first_due = complaint.first_response_due_at or complaint.created_at + timedelta(minutes=first)
    full_due = complaint.resolution_due_at or complaint.created_at + timedelta(minutes=full)
    if complaint.status not in OPEN_STATUSES:
        return full_due, "none"
    if complaint.first_response_at is None:
        return first_due, "first_response"
    return full_due, "resolution"


def _filtered(query: _Query, filters: Filters, *, with_status: bool) -> _Query:
    if with_status:
        if filters.status:
            query = query.where(col(Complaint.status) == filters.status)
        else:
            query = query.where(col(Complaint.status).in_(OPEN_STATUSES))
    if filters.category:
        query = query.where(col(Complaint.category) == filters.category)
    if filters.channel:
        query = query.where(col(Complaint.channel) == filters.channel)
    if filters.kecamatan:
        areas = select(col(ServiceArea.code)).where(
            col(ServiceArea.kecamatan_code) == filters.kecamatan
        )
        query = query.where(col(Complaint.area_code).in_(areas))
    if filters.assignee == "none":
        query = query.where(col(Complaint.assignee_id).is_(None))
    elif (assignee := row_id(filters.assignee)) is not None:
        query = query.where(col(Complaint.assignee_id) == assignee)
    if filters.q and filters.q.strip():
        query = query.where(_matches(filters.q.strip()))
    return query


def _matches(text: str) -> ColumnElement[bool]:
    """A complaint the words find: its ticket, description, customer's name or phone, or
    anything the customer wrote to us."""
    people = [col(Contact.display_name).icontains(text, autoescape=True)]
    digits = re.sub(r"\D", "", text)
    local = digits.removeprefix("62") if digits.startswith("62") else digits.lstrip("0")
    if len(local) >= MIN_PHONE_DIGITS and not re.search(r"[^\d\s()+.-]", text):  # a number
        people.append(col(Contact.phone).contains(local, autoescape=True))
        people.append(col(Contact.channel_user_id).contains(local, autoescape=True))
    said = select(col(Message.contact_id)).where(
        col(Message.direction) == "in", col(Message.text).icontains(text, autoescape=True)
    )
    return or_(
        col(Complaint.ticket_number).icontains(text, autoescape=True),
        col(Complaint.description).icontains(text, autoescape=True),
        col(Complaint.contact_id).in_(select(col(Contact.id)).where(or_(*people))),
        col(Complaint.contact_id).in_(said),
    )


def list_inbox(
    *, session: Session, filters: Filters, page: int = 1, per_page: int = 50
) -> InboxPage:
    """One page of the complaints matching the filters, the most urgent first."""
    query = _filtered(select(Complaint, Contact), filters, with_status=True)
    query = query.join(Contact, col(Contact.id) == col(Complaint.contact_id))
    query = query.order_by(col(Complaint.created_at)).limit(SORT_CAP)
    pairs = list(session.exec(query))
    table = targets(session=session)
    dated = [(complaint, contact, *due(complaint, table)) for complaint, contact in pairs]
    dated.sort(key=lambda item: (item[3] == "none", item[2]))
    pages = max(1, -(-len(dated) // per_page))
    page = min(max(1, page), pages)
    shown = dated[(page - 1) * per_page : page * per_page]
    areas = _areas(session, {c.area_code for c, *_ in shown if c.area_code})
    rows = []
    for complaint, contact, due_at, kind in shown:
        area = areas.get(complaint.area_code or "")
        kecamatan = areas.get(area.kecamatan_code or "") if area else None
        rows.append(InboxRow(complaint, contact, area, kecamatan, due_at, kind))
    return InboxPage(rows, len(dated), page, pages)


def stamp(*, session: Session) -> str:
    """Changes whenever the inbox may look different: a new complaint, customer message,
    event (status, reply, note, assignment) or escalation (its mark on the list); the page's
    script polls it."""
    newest = select(
        select(func.max(col(Complaint.id))).scalar_subquery(),
        select(func.max(col(Message.id))).where(col(Message.direction) == "in").scalar_subquery(),
        select(func.max(col(ComplaintEvent.id))).scalar_subquery(),
        select(func.max(col(Escalation.id))).scalar_subquery(),
    )
    return "-".join(str(value or 0) for value in session.exec(newest).one())


def _areas(session: Session, codes: set[str]) -> dict[str, ServiceArea]:
    if not codes:
        return {}
    found = {
        a.code: a for a in session.exec(select(ServiceArea).where(col(ServiceArea.code).in_(codes)))
    }
    parents = {a.kecamatan_code for a in found.values() if a.kecamatan_code} - set(found)
    if parents:
        query = select(ServiceArea).where(col(ServiceArea.code).in_(parents))
        found.update({a.code: a for a in session.exec(query)})
    return found


def status_counts(*, session: Session, filters: Filters) -> dict[str, int]:
    """How many complaints per status under the same filters (status filter aside)."""
    query = _filtered(
        select(col(Complaint.status), func.count()).group_by(col(Complaint.status)),
        filters,
        with_status=False,
    )
    return {status: count for status, count in session.exec(query)}


def kecamatan_choices(*, session: Session) -> list[ServiceArea]:
    query = (
        select(ServiceArea)
        .where(col(ServiceArea.level) == "district")
        .order_by(col(ServiceArea.name))
    )
    return list(session.exec(query))


def conversation(*, session: Session, contact_id: int, limit: int = 500) -> list[Message]:
    """The customer's whole conversation with us, oldest first (the last `limit` messages)."""
    query = (
        select(Message)
        .where(col(Message.contact_id) == contact_id)
        .order_by(col(Message.id).desc())
        .limit(limit)
    )
    return list(reversed(list(session.exec(query))))


def history(*, session: Session, complaint_id: int) -> list[ComplaintEvent]:
    """Everything that happened to a complaint, internal notes included, oldest first."""
    query = (
        select(ComplaintEvent)
        .where(col(ComplaintEvent.complaint_id) == complaint_id)
        .order_by(col(ComplaintEvent.id))
    )
    return list(session.exec(query))
