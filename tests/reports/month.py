"""A known month of complaints (November 2026, WITA): every report figure worked out by hand.

Targets at filing: no_water 60 min / 24 h, billing 24 h / 7 days, quality 2 h / 2 days; on
15 Nov no_water's first-response target is cut to 30 min (complaints filed before keep 60).
The report is asked for at `NOW`, 30 Nov 20:00 WITA. Minutes count from filing; the clocks
the report aggregates are working minutes (`CALENDAR`: Mon–Fri 08:00–16:00 WITA, no holiday in
November 2026), so a step after 16:00 counts only to 16:00 and the night does not count.

- A  Mon 2 Nov 09:00, no_water, Tatah Makmur, telegram, sari: answered +30, resolved +300,
     rated 5. Working minutes: first 30, resolution 300 (09:00-14:00).
- E  Thu 5 Nov 09:00, billing, no area, whatsapp: never answered, past both targets.
- B  Tue 10 Nov 10:00, no_water, Tatah Makmur, whatsapp, sari: +45 (in time: 60 promised),
     resolved +600, reopened +700, resolved +2000 (late), rated 3. Working minutes: first 45;
     resolved Wed 11 Nov 19:20, so Tue 10:00-16:00 (360) + Wed 08:00-16:00 (480) = 840.
- C  Fri 20 Nov 08:00, no_water, Gambut, telegram, budi: +45 (late: 30 promised), still open
     past its resolution time, linked to a disruption.
- F  Wed 25 Nov 09:00, quality, Tatah Makmur, telegram: rejected +60 (its first response).
- D  Mon 30 Nov 06:00, billing, Gambut, console: unanswered, due 1 Dec 06:00: not yet due.

Outside the month: one filed 31 Oct 23:30 WITA, one 1 Dec 00:10 WITA.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from complaints import workflow
from complaints.calendar import WorkingCalendar
from core.hours import parse_working_hours
from db.models import Complaint, Notice, ServiceArea, Staff
from tests.staff.factories import add_complaint, add_staff

WITA = ZoneInfo("Asia/Makassar")
START = datetime(2026, 11, 1, tzinfo=WITA)
END = datetime(2026, 12, 1, tzinfo=WITA)
NOW = datetime(2026, 11, 30, 20, 0, tzinfo=WITA)
CALENDAR = WorkingCalendar(week=parse_working_hours("Mon-Fri 08:00-16:00"), tz=WITA)


def wita(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WITA)


@dataclass
class Month:
    tickets: dict[str, str]  # letter -> ticket number
    sari: Staff
    budi: Staff
    notice_id: int


def _code(session: Session, name: str) -> str:
    code = session.exec(select(ServiceArea.code).where(ServiceArea.name == name)).first()
    assert code
    return code


def _file(engine, letter: str, category: str, area: str | None, channel: str, at: datetime):
    with Session(engine) as session:
        code = _code(session, area) if area else None
    user = f"whatsapp:+62812000{ord(letter):04d}" if channel == "whatsapp" else f"u-{letter}"
    return add_complaint(
        engine, channel=channel, user_id=user, category=category, area_code=code, now=at
    )


def _work(engine, complaint_id, staff_id, steps):
    """Replies and status changes at the given moments, as the console would make them."""
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint_id)
        staff = session.get(Staff, staff_id)
        for minutes, action, value in steps:
            now = complaint.created_at + timedelta(minutes=minutes)
            if action == "reply":
                workflow.reply(
                    session=session,
                    complaint=complaint,
                    staff=staff,
                    text=value,
                    now=now,
                    calendar=CALENDAR,
                )
            elif action == "assign":
                workflow.assign(
                    session=session, complaint=complaint, staff=staff, assignee_id=value, now=now
                )
            elif action == "rating":
                complaint.rating, complaint.rated_at = value, now
                complaint.rating_comment = "cepat" if value == 5 else None
            else:
                workflow.change_status(
                    session=session,
                    complaint=complaint,
                    staff=staff,
                    status=value,
                    now=now,
                    reason="bukan wewenang PTAM" if value == "rejected" else "",
                    calendar=CALENDAR,
                )
        session.add(complaint)
        session.commit()


def _set_target(engine, category, first, full):
    with Session(engine) as session:
        workflow.set_target(
            session=session,
            category=category,
            first_response_minutes=first,
            resolution_minutes=full,
        )
        session.commit()


def build_month(engine):
    sari = add_staff(engine, "sari", "agent")
    budi = add_staff(engine, "budi", "agent")
    _set_target(engine, "no_water", 60, 24 * 60)
    _set_target(engine, "billing", 24 * 60, 7 * 24 * 60)
    _set_target(engine, "quality", 2 * 60, 2 * 24 * 60)
    _file(engine, "X", "no_water", None, "telegram", wita(31, 23, 30, month=10))
    a = _file(engine, "A", "no_water", "Tatah Bangkal", "telegram", wita(2, 9))
    e = _file(engine, "E", "billing", None, "whatsapp", wita(5, 9))
    b = _file(engine, "B", "no_water", "Tatah Bangkal", "whatsapp", wita(10, 10))
    _set_target(engine, "no_water", 30, 24 * 60)  # 15 Nov: applies to complaints filed later
    c = _file(engine, "C", "no_water", "Gambut", "telegram", wita(20, 8))
    f = _file(engine, "F", "quality", "Tatah Bangkal", "telegram", wita(25, 9))
    d = _file(engine, "D", "billing", "Gambut", "console", wita(30, 6))
    _file(engine, "Y", "no_water", None, "telegram", wita(1, 0, 10, month=12))
    _work(
        engine,
        a.id,
        sari.id,
        [
            (5, "assign", sari.id),
            (30, "reply", "Petugas menuju lokasi"),
            (300, "status", "resolved"),
            (400, "rating", 5),
        ],
    )
    _work(
        engine,
        b.id,
        sari.id,
        [
            (10, "assign", sari.id),
            (45, "status", "in_progress"),
            (600, "status", "resolved"),
            (700, "status", "in_progress"),
            (2000, "status", "resolved"),
            (2100, "rating", 3),
        ],
    )
    _work(engine, c.id, budi.id, [(20, "assign", budi.id), (45, "reply", "Sedang dicek")])
    _work(engine, f.id, sari.id, [(60, "status", "rejected")])
    with Session(engine) as session:
        notice_id = _disruptions(session)
        complaint = session.get(Complaint, c.id)
        complaint.notice_id = notice_id
        session.add(complaint)
        session.commit()
    tickets = {k: v.ticket_number for k, v in zip("ABCDEF", (a, b, c, d, e, f), strict=True)}
    return Month(tickets=tickets, sari=sari, budi=budi, notice_id=notice_id)


def _disruptions(session):
    """Published 3 Nov with one day's notice (short), 28 Nov for 2 Dec, and 30 Oct for 2 Nov."""
    rows = [
        ("Ganti pipa Gambut", wita(3, 10), wita(4, 9), True),
        ("Sambung pipa Kertak Hanyar", wita(28, 10), wita(2, 9, month=12), False),
        ("Pekerjaan Oktober", wita(30, 10, month=10), wita(2, 8), True),
    ]
    ids = []
    for title, published, starts, short in rows:
        notice = Notice(
            kind="planned",
            title=title,
            status="scheduled",
            starts_at=starts,
            published_at=published,
            short_notice=short,
        )
        session.add(notice)
        session.flush()
        ids.append(notice.id)
    return ids[0]
