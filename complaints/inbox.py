"""What staff look at: open complaints ordered by how close they are to their target."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, func
from sqlmodel import Session, col, select

from complaints.service import OPEN_STATUSES
from db.models import Complaint, ComplaintEvent, Contact, Message, ResponseTarget, ServiceArea

DEFAULT_TARGET = (24 * 60, 7 * 24 * 60)
_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")  # any select, any columns


@dataclass(frozen=True)
class Filters:
    status: str | None = None  # None: the open statuses
    category: str | None = None
    kecamatan: str | None = None
    channel: str | None = None
    assignee: str | None = None  # a staff id, "none" for unassigned


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
    """The next deadline: first response until there is one, then resolution."""
    first, full = table.get(complaint.category, DEFAULT_TARGET)
    if complaint.status not in OPEN_STATUSES:
        return complaint.created_at + timedelta(minutes=full), "none"
    if complaint.first_response_at is None:
        return complaint.created_at + timedelta(minutes=first), "first_response"
    return complaint.created_at + timedelta(minutes=full), "resolution"


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
    elif filters.assignee and filters.assignee.isdigit():
        query = query.where(col(Complaint.assignee_id) == int(filters.assignee))
    return query


def list_inbox(*, session: Session, filters: Filters, limit: int = 300) -> list[InboxRow]:
    """Complaints matching the filters, the most urgent first."""
    query = _filtered(select(Complaint, Contact), filters, with_status=True)
    query = query.join(Contact, col(Contact.id) == col(Complaint.contact_id))
    query = query.order_by(col(Complaint.created_at)).limit(limit)
    pairs = list(session.exec(query))
    table = targets(session=session)
    codes = {c.area_code for c, _ in pairs if c.area_code}
    areas = _areas(session, codes)
    rows = []
    for complaint, contact in pairs:
        due_at, kind = due(complaint, table)
        area = areas.get(complaint.area_code or "")
        kecamatan = areas.get(area.kecamatan_code or "") if area else None
        rows.append(InboxRow(complaint, contact, area, kecamatan, due_at, kind))
    rows.sort(key=lambda row: (row.due_kind == "none", row.due_at))
    return rows


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
