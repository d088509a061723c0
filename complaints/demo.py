"""Clearly marked demo history, so a newcomer's reports are not empty (`kabar-air demo --history`).

Demo complaints are filed over the last DAYS days at all hours (more by day, some at night and
at weekends), answered and resolved at realistic times by demo agents, some rejected, a few
reopened, many rated. Everything is marked: `complaint.is_demo`, '[DEMO]' in the description
and in the names of the contacts and agents. Demo contacts are on the console channel and no
message is written for them, so nobody is ever sent anything. Demo agents are inactive
accounts with a random password nobody knows: they cannot sign in.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session, col

from accounts.service import hash_password
from complaints.calendar import WorkingCalendar
from complaints.clocks import work_minutes
from complaints.service import create_complaint
from core.hours import parse_working_hours
from db.models import Complaint, ComplaintEvent, Contact, ServiceArea, Staff
from db.rows import saved_id
from db.vocab import Channel, ComplaintCategory, ComplaintStatus

PREFIX = "[DEMO] "
AGENTS = (("demo-rina", "Rina"), ("demo-agus", "Agus"), ("demo-dewi", "Dewi"))
CUSTOMERS = ("Ibu Siti", "Pak Rahmat", "Ibu Aisyah", "Pak Yusuf", "Ibu Nur", "Pak Hasan")
CATEGORY_WEIGHTS = {
    ComplaintCategory.NO_WATER: 30,
    ComplaintCategory.LOW_PRESSURE: 20,
    ComplaintCategory.LEAK: 15,
    ComplaintCategory.QUALITY: 10,
    ComplaintCategory.BILLING: 12,
    ComplaintCategory.METER: 8,
    ComplaintCategory.OTHER: 5,
}
CHANNEL_WEIGHTS = {Channel.WHATSAPP: 55, Channel.TELEGRAM: 35, Channel.CONSOLE: 10}
OPENS, CLOSES = time(8), time(16)  # the office hours the demo agents keep


@dataclass
class _Demo:
    session: Session
    rng: random.Random
    tz: ZoneInfo
    now: datetime
    agents: list[Staff]
    contacts: list[Contact]
    areas: list[str]
    ticket_prefix: str
    calendar: WorkingCalendar  # for the clocks' working minutes


def seed_history(
    *, session: Session, days: int, now: datetime, tz: ZoneInfo, ticket_prefix: str
) -> int:
    """Add the demo complaints of the last `days` days unless there are some; returns how many."""
    if session.scalar(select(func.count()).where(col(Complaint.is_demo).is_(True))):
        return 0
    demo = _Demo(
        session=session,
        rng=random.Random(days),  # the same history for the same number of days
        tz=tz,
        now=now,
        agents=_agents(session),
        contacts=_contacts(session),
        areas=list(
            session.scalars(
                select(col(ServiceArea.code))
                .where(col(ServiceArea.level).in_(("desa", "kelurahan")))
                .order_by(col(ServiceArea.code))
            )
        ),
        ticket_prefix=ticket_prefix,
        calendar=WorkingCalendar(
            week=parse_working_hours(f"Mon-Fri {OPENS:%H:%M}-{CLOSES:%H:%M}"), tz=tz
        ),
    )
    count = 0
    today = now.astimezone(tz).date()
    for back in range(days, -1, -1):
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        for _ in range(demo.rng.randint(1, 4) if weekend else demo.rng.randint(3, 9)):
            filed = datetime.combine(day, _hour(demo.rng), tz)
            if filed < now:
                _complaint(demo, filed)
                count += 1
    session.flush()
    return count


def _hour(rng: random.Random) -> time:
    """Mostly by day, some in the evening, a few at night."""
    hour = int(rng.choices(range(24), weights=[1] * 6 + [4] * 3 + [8] * 8 + [4] * 4 + [2] * 3)[0])
    return time(hour, rng.randrange(60))


def _agents(session: Session) -> list[Staff]:
    agents = []
    for username, name in AGENTS:
        staff = session.scalars(select(Staff).where(col(Staff.username) == username)).first()
        if staff is None:
            staff = Staff(
                username=username,
                full_name=PREFIX + name,
                role="agent",
                password_hash=hash_password(secrets.token_urlsafe(32)),
                active=False,  # cannot sign in
            )
            session.add(staff)
            session.flush()
        agents.append(staff)
    return agents


def _contacts(session: Session) -> list[Contact]:
    contacts = []
    for number, name in enumerate(CUSTOMERS, start=1):
        sender = f"demo-{number:03d}"
        contact = session.scalars(
            select(Contact).where(
                col(Contact.channel) == Channel.CONSOLE, col(Contact.channel_user_id) == sender
            )
        ).first()
        if contact is None:
            contact = Contact(
                channel=Channel.CONSOLE, channel_user_id=sender, display_name=PREFIX + name
            )
            session.add(contact)
            session.flush()
        contacts.append(contact)
    return contacts


def _next_office_moment(moment: datetime, tz: ZoneInfo) -> datetime:
    """The moment itself in office hours, else the next opening (weekends skipped)."""
    local = moment.astimezone(tz)
    if local.weekday() < 5 and OPENS <= local.time() < CLOSES:
        return moment
    day = local.date() if local.time() < OPENS else local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, OPENS, tz)


def _complaint(demo: _Demo, filed: datetime) -> None:
    rng = demo.rng
    complaint = create_complaint(
        session=demo.session,
        contact_id=saved_id(rng.choice(demo.contacts)),
        channel=rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0],
        category=rng.choices(list(CATEGORY_WEIGHTS), weights=list(CATEGORY_WEIGHTS.values()))[0],
        area_code=rng.choice(demo.areas) if demo.areas else None,
        address=PREFIX + "Jl. Contoh",
        account_number=None,
        description=PREFIX + "Pengaduan contoh untuk mengisi laporan",
        media_ref=None,
        ticket_prefix=demo.ticket_prefix,
        now=filed,
    )
    complaint.is_demo = True
    agent = rng.choice(demo.agents)
    answered = _next_office_moment(filed, demo.tz) + timedelta(minutes=rng.randint(10, 150))
    if answered >= demo.now:
        return  # not answered yet
    complaint.assignee_id = complaint.first_response_by = agent.id
    complaint.first_response_at = answered
    complaint.first_response_work_minutes = _worked(demo, complaint, answered)
    _event(demo, complaint, answered, agent, kind="reply", text="Petugas sedang memeriksa.")
    _work(demo, complaint, agent, answered)
    demo.session.add(complaint)


def _work(demo: _Demo, complaint: Complaint, agent: Staff, answered: datetime) -> None:
    """After the first response: rejected, or resolved (a few reopened), or still in work."""
    rng = demo.rng
    if rng.random() < 0.07:
        _status(demo, complaint, answered, agent, ComplaintStatus.REJECTED)
        return
    _status(demo, complaint, answered, agent, ComplaintStatus.IN_PROGRESS)
    done = _next_office_moment(answered + timedelta(hours=rng.lognormvariate(2.3, 0.9)), demo.tz)
    if done >= demo.now:
        return
    _status(demo, complaint, done, agent, ComplaintStatus.RESOLVED)
    if rng.random() < 0.05:
        again = done + timedelta(hours=rng.randint(4, 30))
        fixed = _next_office_moment(again + timedelta(hours=rng.randint(2, 20)), demo.tz)
        if fixed >= demo.now:
            return
        _status(demo, complaint, again, None, ComplaintStatus.IN_PROGRESS)
        _status(demo, complaint, fixed, agent, ComplaintStatus.RESOLVED)
        done = fixed
    rated = done + timedelta(hours=rng.randint(1, 8))
    if rng.random() < 0.6 and rated < demo.now:
        complaint.rating = rng.choices((1, 2, 3, 4, 5), weights=(3, 5, 12, 40, 40))[0]
        complaint.rated_at = rated


def _status(
    demo: _Demo, complaint: Complaint, at: datetime, agent: Staff | None, status: ComplaintStatus
) -> None:
    _event(demo, complaint, at, agent, kind="status", to_status=status)
    complaint.status = status
    complaint.updated_at = at
    if status == ComplaintStatus.RESOLVED:
        complaint.resolved_at = at
        complaint.resolution_work_minutes = _worked(demo, complaint, at)
    elif status == ComplaintStatus.IN_PROGRESS:
        complaint.resolved_at = None
        complaint.resolution_work_minutes = None


def _worked(demo: _Demo, complaint: Complaint, until: datetime) -> int:
    """The clock in working minutes (demo complaints never wait for the customer)."""
    return work_minutes(
        created_at=complaint.created_at, until=until, steps=(), calendar=demo.calendar
    )


def _event(
    demo: _Demo,
    complaint: Complaint,
    at: datetime,
    agent: Staff | None,
    *,
    kind: str,
    text: str = "",
    to_status: ComplaintStatus | None = None,
) -> None:
    demo.session.add(
        ComplaintEvent(
            complaint_id=saved_id(complaint),
            kind=kind,
            from_status=complaint.status if to_status else None,
            to_status=to_status,
            text=text,
            staff_id=agent.id if agent else None,
            created_at=at,
        )
    )
