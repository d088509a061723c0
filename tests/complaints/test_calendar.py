"""The working calendar: complaint clocks count opening hours only, minus holidays and closures."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from complaints import workflow
from complaints.calendar import WorkingCalendar, add_closure, working_calendar
from complaints.cli import build_cli
from complaints.service import create_complaint
from core.hours import parse_working_hours
from db.models import Complaint, Contact
from db.vocab import Channel, ComplaintCategory
from tests.staff.factories import add_staff

WITA = ZoneInfo("Asia/Makassar")
FRIDAY_BREAK = "Mon-Thu 08:00-16:00; Fri 08:00-11:30,13:30-16:00"


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


def default_calendar() -> WorkingCalendar:
    return WorkingCalendar(week=parse_working_hours("Mon-Fri 08:00-16:00"), tz=WITA)


def test_the_acceptance_example_on_the_command_line(engine, settings):
    app = build_cli(lambda: engine, lambda: settings)
    result = CliRunner().invoke(app, ["due", "2026-12-23T15:30", "4"])
    assert result.exit_code == 0, result.output
    assert result.output == "2026-12-28T11:30\n"  # cuti bersama 24th, Christmas, the weekend


def test_the_month_shows_holidays_by_their_indonesian_names_and_local_closures(engine, settings):
    app = build_cli(lambda: engine, lambda: settings)
    closed = CliRunner().invoke(app, ["close", "2026-12-30", "--reason", "Banjir di kantor"])
    assert closed.exit_code == 0, closed.output
    lines = CliRunner().invoke(app, ["show", "2026-12"]).output.splitlines()
    assert len(lines) == 31
    assert lines[22] == "2026-12-23  Rabu 23 Des  buka 08.00–16.00"
    assert lines[23] == "2026-12-24  Kamis 24 Des  tutup: Cuti Bersama Hari Raya Natal"
    assert lines[24] == "2026-12-25  Jumat 25 Des  tutup: Hari Raya Natal"
    assert lines[25] == "2026-12-26  Sabtu 26 Des  tutup"
    assert lines[29] == "2026-12-30  Rabu 30 Des  tutup: Banjir di kantor"
    reopened = CliRunner().invoke(app, ["open", "2026-12-30"])
    assert reopened.output.strip() == "2026-12-30  Rabu 30 Des  buka 08.00–16.00"


def test_friday_prayer_break_is_not_working_time():
    calendar = WorkingCalendar(week=parse_working_hours(FRIDAY_BREAK), tz=WITA)
    # Friday 2026-12-04 11:00: 30 minutes before the break, then 90 after it
    due = calendar.add(local(2026, 12, 4, 11, 0), 120)
    assert due == local(2026, 12, 4, 15, 0)
    assert calendar.working_minutes(local(2026, 12, 4, 11, 0), due) == 120
    assert calendar.next_open(local(2026, 12, 4, 12, 0)) == local(2026, 12, 4, 13, 30)
    assert calendar.next_open(local(2026, 12, 4, 14, 0)) is None


def test_a_target_spanning_the_month_end_skips_new_year(engine):
    # Thursday 31 Dec 15:00 + 3 h: 1 h on the 31st, New Year's Day closed, then the weekend
    due = default_calendar().add(local(2026, 12, 31, 15, 0), 180)
    assert due == local(2027, 1, 4, 10, 0)


def file(session: Session, settings, category: str, at: datetime, user: str) -> Complaint:
    contact = Contact(channel="telegram", channel_user_id=user)
    session.add(contact)
    session.flush()
    assert contact.id is not None
    return create_complaint(
        session=session,
        contact_id=contact.id,
        channel=Channel.TELEGRAM,
        category=ComplaintCategory(category),
        area_code=None,
        address="",
        account_number=None,
        description="air",
        media_ref=None,
        ticket_prefix="ADU",
        now=at,
        calendar=working_calendar(session=session, settings=settings),
    )


def test_a_local_closure_stops_the_clock_for_complaints_filed_before_it(engine, settings):
    with Session(engine) as session:
        add_closure(
            session=session,
            day=date(2026, 12, 2),
            reason="Banjir",
            staff_id=None,
            now=datetime.now(UTC),
        )
        workflow.set_target(
            session=session, category="leak", first_response_minutes=60, resolution_minutes=960
        )
        complaint = file(session, settings, "leak", local(2026, 12, 1, 15, 30), "77")
        # 30 min on Tuesday, Wednesday closed, 30 min on Thursday
        assert complaint.first_response_due_at == local(2026, 12, 3, 8, 30)
        # two working days: 30 min on Tuesday, 8 h on Thursday, 7 h 30 min on Friday
        assert complaint.resolution_due_at == local(2026, 12, 4, 15, 30)


def test_the_clock_pauses_while_the_complaint_waits_for_the_customer(engine, settings):
    agent = add_staff(engine, "siti", "agent")
    with Session(engine) as session:
        workflow.set_target(
            session=session, category="other", first_response_minutes=480, resolution_minutes=2400
        )
        complaint = file(session, settings, "other", local(2026, 12, 7, 9, 0), "78")
        assert complaint.resolution_due_at == local(2026, 12, 14, 9, 0)  # five working days
        calendar = working_calendar(session=session, settings=settings)
        for status, at in (
            ("waiting", local(2026, 12, 7, 10, 0)),
            ("in_progress", local(2026, 12, 8, 10, 0)),
        ):
            workflow.change_status(
                session=session,
                complaint=complaint,
                staff=agent,
                status=status,
                now=at,
                calendar=calendar,
            )
        session.commit()
        session.refresh(complaint)
        assert complaint.status == "in_progress"
        # it waited one working day (8 h): the promise moves on by that much
        assert complaint.resolution_due_at == local(2026, 12, 15, 9, 0)


@pytest.mark.parametrize("text", ["Mon-Fri 16:00-08:00", "Mon-Fry 08:00-16:00", "Fri 8-16"])
def test_opening_hours_that_do_not_read_are_refused(text):
    with pytest.raises(ValueError):
        parse_working_hours(text)


def test_stored_due_times_do_not_move_when_the_target_changes(engine, settings):
    with Session(engine) as session:
        filed = file(session, settings, "billing", local(2026, 12, 7, 9, 0), "79")
        before = filed.first_response_due_at
        workflow.set_target(
            session=session, category="billing", first_response_minutes=30, resolution_minutes=60
        )
        session.commit()
        assert session.get(Complaint, filed.id).first_response_due_at == before
