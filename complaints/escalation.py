"""Escalation: staff are told when a complaint nears its target and again when it passes it.

A pass (`escalate_due`) reads the open complaints whose clocks still run in one statement and
measures each running target in working time (`complaints/calendar.py`): once the share of the
working minutes between filing and the due time that has passed reaches ESCALATE_AT_PERCENT it
is a 'warning'; once the due time has passed, a 'breach'. The first response counts until it is
made, the resolution until the complaint is resolved; a complaint waiting for the customer is
left alone (its clock is paused). Each (complaint, target, kind) is recorded once in
`escalation`, by an insert that does nothing when the row exists, so two processes never tell
twice. The assignee (if any) and every supervisor are told: in the console, and on Telegram
when they linked a chat (`complaints/escalation_notify.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Row, and_, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from accounts.roles import OVERSIGHT, Role, allowed
from complaints.calendar import WorkingCalendar, working_calendar
from complaints.escalation_notify import queue_telegram
from core.settings import Settings
from db.models import Complaint, Escalation, Staff
from db.vocab import OPEN_COMPLAINT_STATUSES, ComplaintStatus

ESCALATION = Escalation.__table__
COMPLAINT = Complaint.__table__
STAFF = Staff.__table__
RUNNING = (ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)  # 'waiting' pauses the clock


class EscalationTarget(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class EscalationKind(StrEnum):
    WARNING = "warning"
    BREACH = "breach"


@dataclass(frozen=True, slots=True)
class Due:
    """One target of one complaint that has reached a kind of escalation."""

    complaint_id: int
    target: EscalationTarget
    kind: EscalationKind
    due_at: datetime
    assignee_id: int | None


@dataclass
class PassReport:
    """What one pass recorded and how many Telegram messages it queued."""

    escalations: list[Escalation] = field(default_factory=list)
    messages: int = 0


def _recorded(target: EscalationTarget, kind: EscalationKind) -> ColumnElement[bool]:
    return exists().where(
        ESCALATION.c.complaint_id == COMPLAINT.c.id,
        ESCALATION.c.target == str(target),
        ESCALATION.c.kind == str(kind),
    )


def _running(target: EscalationTarget) -> ColumnElement[bool]:
    """The target's clock still runs and its breach is not recorded yet."""
    if target == EscalationTarget.FIRST_RESPONSE:
        stopped_at, due = COMPLAINT.c.first_response_at, COMPLAINT.c.first_response_due_at
    else:
        stopped_at, due = COMPLAINT.c.resolved_at, COMPLAINT.c.resolution_due_at
    return and_(stopped_at.is_(None), due.is_not(None), ~_recorded(target, EscalationKind.BREACH))


FR, RES = EscalationTarget.FIRST_RESPONSE, EscalationTarget.RESOLUTION
CANDIDATES = (
    select(
        COMPLAINT.c.id, COMPLAINT.c.created_at, COMPLAINT.c.assignee_id,
        COMPLAINT.c.first_response_due_at, COMPLAINT.c.resolution_due_at,
        _running(FR).label("fr_running"), _running(RES).label("res_running"),
        _recorded(FR, EscalationKind.WARNING).label("fr_warned"),
        _recorded(RES, EscalationKind.WARNING).label("res_warned"),
    )
    .where(COMPLAINT.c.status.in_([str(status) for status in RUNNING]))
    .where(or_(_running(FR), _running(RES)))
    .order_by(COMPLAINT.c.id)
)  # fmt: skip


def reached(
    *, filed: datetime, due_at: datetime, now: datetime, percent: int, calendar: WorkingCalendar
) -> EscalationKind | None:
    """Which escalation a target filed at `filed` and due at `due_at` has reached at `now`."""
    if now >= due_at:
        return EscalationKind.BREACH
    total = calendar.working_minutes(filed, due_at)
    if total <= 0:
        return None
    elapsed = calendar.working_minutes(filed, now)
    return EscalationKind.WARNING if elapsed * 100 >= percent * total else None


def due_escalations(
    *, session: Session, now: datetime, percent: int, calendar: WorkingCalendar
) -> list[Due]:
    """The targets that reached a warning or a breach not yet recorded (one SELECT)."""
    found = []
    for row in session.connection().execute(CANDIDATES):
        for target, running, warned, due_at in _targets(row):
            if not running or due_at is None:
                continue
            kind = reached(
                filed=row.created_at, due_at=due_at, now=now, percent=percent, calendar=calendar
            )
            if kind is None or (kind == EscalationKind.WARNING and warned):
                continue
            found.append(Due(row.id, target, kind, due_at, row.assignee_id))
    return found


def _targets(
    row: Row[tuple[object, ...]],
) -> Sequence[tuple[EscalationTarget, bool, bool, datetime]]:
    return (
        (FR, row.fr_running, row.fr_warned, row.first_response_due_at),
        (RES, row.res_running, row.res_warned, row.resolution_due_at),
    )


def _told(session: Session, dues: Sequence[Due]) -> tuple[list[Staff], dict[int, Staff]]:
    """The active supervisors, and the active assignees of these complaints by id."""
    assignees = {due.assignee_id for due in dues if due.assignee_id is not None}
    statement = select(Staff).where(
        Staff.__table__.c.active.is_(True),
        or_(STAFF.c.role == str(Role.supervisor), STAFF.c.id.in_(assignees or {-1})),
    )
    people = list(session.scalars(statement))
    supervisors = [person for person in people if person.role == Role.supervisor]
    return supervisors, {person.id: person for person in people if person.id in assignees}


def _insert_if_absent(session: Session, due: Due, notified: str, now: datetime) -> int | None:
    """Record the escalation unless it is recorded already (by us or another process)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ESCALATION)
        .values(
            complaint_id=due.complaint_id, target=str(due.target), kind=str(due.kind),
            due_at=due.due_at, notified=notified, created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["complaint_id", "target", "kind"])
        .returning(ESCALATION.c.id)
    )  # fmt: skip
    return session.connection().execute(statement).scalar_one_or_none()


def escalate_due(
    *,
    session: Session,
    now: datetime,
    settings: Settings,
    calendar: WorkingCalendar | None = None,
) -> PassReport:
    """Record each warning and breach that fell due, once, and queue the staff's Telegram."""
    calendar = calendar or working_calendar(session=session, settings=settings)
    dues = due_escalations(
        session=session, now=now, percent=settings.escalate_at_percent, calendar=calendar
    )
    report = PassReport()
    if not dues:
        return report
    supervisors, assignees = _told(session, dues)
    for due in dues:
        assignee = assignees.get(due.assignee_id) if due.assignee_id is not None else None
        people = ([assignee] if assignee is not None else []) + [
            person for person in supervisors if person is not assignee
        ]
        notified = ",".join(person.username for person in people)
        new_id = _insert_if_absent(session, due, notified, now)
        if new_id is None:
            continue
        escalation = session.get_one(Escalation, new_id)
        report.escalations.append(escalation)
        report.messages += queue_telegram(
            session=session, escalation=escalation, people=people, settings=settings, now=now
        )
    session.flush()
    return report


def _live() -> ColumnElement[bool]:
    """The escalation's complaint is open and the escalated target has not been met yet."""
    first = and_(ESCALATION.c.target == str(FR), COMPLAINT.c.first_response_at.is_(None))
    return and_(
        COMPLAINT.c.status.in_([str(status) for status in OPEN_COMPLAINT_STATUSES]),
        or_(first, and_(ESCALATION.c.target == str(RES), COMPLAINT.c.resolved_at.is_(None))),
    )


def _seen_by(staff: Staff) -> ColumnElement[bool]:
    if allowed(staff.role, OVERSIGHT):
        return literal(True)
    return COMPLAINT.c.assignee_id == staff.id


def open_count(*, session: Session, staff: Staff) -> int:
    """How many live escalations the staff member should see (the console's badge)."""
    statement = (
        select(func.count())
        .select_from(ESCALATION.join(COMPLAINT, ESCALATION.c.complaint_id == COMPLAINT.c.id))
        .where(_live(), _seen_by(staff))
    )
    return int(session.connection().execute(statement).scalar_one())


def open_escalations(
    *, session: Session, staff: Staff, limit: int = 500
) -> list[tuple[Escalation, Complaint]]:
    """The live escalations the staff member should see, newest first (the console's list)."""
    statement = (
        select(Escalation, Complaint)
        .join(Complaint, ESCALATION.c.complaint_id == COMPLAINT.c.id)
        .where(_live(), _seen_by(staff))
        .order_by(ESCALATION.c.created_at.desc(), ESCALATION.c.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in session.execute(statement)]


def marks(*, session: Session, complaint_ids: Sequence[int]) -> dict[int, str]:
    """The gravest live escalation kind of each of these complaints (the inbox's mark)."""
    if not complaint_ids:
        return {}
    statement = (
        select(ESCALATION.c.complaint_id, ESCALATION.c.kind)
        .join(COMPLAINT, ESCALATION.c.complaint_id == COMPLAINT.c.id)
        .where(_live(), ESCALATION.c.complaint_id.in_(list(complaint_ids)))
    )
    found: dict[int, str] = {}
    for complaint_id, kind in session.connection().execute(statement):
        if found.get(complaint_id) != EscalationKind.BREACH:
            found[complaint_id] = kind
    return found
