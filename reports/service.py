"""Response-time figures for management and the Ombudsman: per category and per kecamatan."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from complaints.inbox import DEFAULT_TARGET, targets
from complaints.service import OPEN_STATUSES
from db.models import Complaint, Contact, Notice, ServiceArea


@dataclass
class Group:
    """The figures for one row of the report (a category or a kecamatan)."""

    key: str
    label: str
    count: int = 0
    open: int = 0
    open_past_target: int = 0
    answered: int = 0
    within_target: int = 0
    first_minutes: list[float] = field(default_factory=list)
    resolution_minutes: list[float] = field(default_factory=list)

    @property
    def pct_within_target(self) -> float | None:
        return round(100 * self.within_target / self.count, 1) if self.count else None

    def first_median(self) -> float | None:
        return _median(self.first_minutes)

    def first_p90(self) -> float | None:
        return _p90(self.first_minutes)

    def resolution_median(self) -> float | None:
        return _median(self.resolution_minutes)

    def resolution_p90(self) -> float | None:
        return _p90(self.resolution_minutes)


@dataclass
class ComplaintLine:
    complaint: Complaint
    contact: Contact
    kecamatan: str
    area: str
    first_minutes: float | None
    resolution_minutes: float | None
    within_target: bool


@dataclass
class Report:
    start: datetime
    end: datetime
    by_category: list[Group]
    by_kecamatan: list[Group]
    total: Group
    lines: list[ComplaintLine]
    short_notice: list[Notice]


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered) + 0.5) - 1)], 1)


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 60, 1)


def _line(
    complaint: Complaint,
    contact: Contact,
    areas: dict[str, ServiceArea],
    table: dict[str, tuple[int, int]],
) -> ComplaintLine:
    first_target, _ = table.get(complaint.category, DEFAULT_TARGET)
    area = areas.get(complaint.area_code or "")
    kecamatan = areas.get(area.kecamatan_code or "") if area else None
    first = _minutes(complaint.created_at, complaint.first_response_at)
    # Within target: answered in time; unanswered counts as missed once the target has passed.
    within = first is not None and first <= first_target
    return ComplaintLine(
        complaint=complaint,
        contact=contact,
        kecamatan=kecamatan.name if kecamatan else "-",
        area=area.name if area else "-",
        first_minutes=first,
        resolution_minutes=_minutes(complaint.created_at, complaint.resolved_at),
        within_target=within,
    )


def _add(
    group: Group, line: ComplaintLine, table: dict[str, tuple[int, int]], now: datetime
) -> None:
    complaint = line.complaint
    first_target, full_target = table.get(complaint.category, DEFAULT_TARGET)
    group.count += 1
    group.within_target += line.within_target
    if line.first_minutes is not None:
        group.answered += 1
        group.first_minutes.append(line.first_minutes)
    if line.resolution_minutes is not None:
        group.resolution_minutes.append(line.resolution_minutes)
    if complaint.status in OPEN_STATUSES:
        group.open += 1
        limit = first_target if complaint.first_response_at is None else full_target
        if now > complaint.created_at + timedelta(minutes=limit):
            group.open_past_target += 1


def build(*, session: Session, start: datetime, end: datetime, now: datetime) -> Report:
    """Figures for complaints filed in [start, end); `now` decides what is past its target."""
    query = (
        select(Complaint, Contact)
        .join(Contact, col(Contact.id) == col(Complaint.contact_id))
        .where(col(Complaint.created_at) >= start, col(Complaint.created_at) < end)
        .order_by(col(Complaint.id))
    )
    pairs = list(session.exec(query))
    areas = {a.code: a for a in session.exec(select(ServiceArea))}
    table = targets(session=session)
    categories: dict[str, Group] = {}
    kecamatans: dict[str, Group] = defaultdict(lambda: Group("", ""))
    total = Group("total", "total")
    lines = []
    for complaint, contact in pairs:
        line = _line(complaint, contact, areas, table)
        lines.append(line)
        category = categories.setdefault(
            complaint.category, Group(complaint.category, complaint.category)
        )
        kecamatan = kecamatans[line.kecamatan]
        kecamatan.key = kecamatan.label = line.kecamatan
        for group in (category, kecamatan, total):
            _add(group, line, table, now)
    return Report(
        start=start,
        end=end,
        by_category=sorted(categories.values(), key=lambda g: -g.count),
        by_kecamatan=sorted(kecamatans.values(), key=lambda g: (-g.count, g.label)),
        total=total,
        lines=lines,
        short_notice=_short_notice(session, start, end),
    )


def _short_notice(session: Session, start: datetime, end: datetime) -> list[Notice]:
    """Planned disruptions published with less notice than the service standard."""
    query = (
        select(Notice)
        .where(col(Notice.short_notice) == True, col(Notice.kind) == "planned")  # noqa: E712
        .where(col(Notice.starts_at) >= start, col(Notice.starts_at) < end)
        .order_by(col(Notice.starts_at))
    )
    return list(session.exec(query))
