"""After a resolution the customer is asked for a rating; the answer reaches the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from complaints import satisfaction, workflow
from complaints.calendar import WorkingCalendar
from core.hours import parse_working_hours
from db.models import Complaint, ConversationState, Staff
from db.types import utcnow
from reports import service as reports
from tests.bot.conftest import WEDNESDAY_10_WITA, Customer, conversation  # noqa: F401
from tests.channels.conftest import (  # noqa: F401
    TelegramCustomer,
    WhatsAppCustomer,
    make_service,
    service,
)
from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401
from tests.staff.factories import add_complaint, add_staff

WITA = ZoneInfo("Asia/Makassar")
TEMPLATE_SATISFACTION = "HX00000000000000000000000satisfaction"
TEMPLATE_UPDATE = "HX000000000000000000000complaintupdate"
SITI = "+6281234567890"
CALENDAR = WorkingCalendar(week=parse_working_hours("Mon-Fri 08:00-16:00"), tz=WITA)


def resolve(engine, complaint_id: int, now: datetime, *, status: str = "resolved") -> None:
    """What the console does when an agent marks the complaint resolved."""
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint_id)
        assert complaint is not None
        staff = session.exec(select(Staff).where(Staff.username == "sari")).one()
        workflow.change_status(
            session=session, complaint=complaint, staff=staff, status=status, now=now
        )
        session.commit()


def stored(engine, complaint_id: int) -> Complaint:
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint_id)
        assert complaint is not None
        return complaint


@pytest.fixture
def sari(engine):
    return add_staff(engine, "sari", "agent")


def test_telegram_customer_rates_five_and_comments(service, sari):  # noqa: F811
    complaint = add_complaint(
        service.engine, channel="telegram", user_id="4242", now=utcnow() - timedelta(hours=3)
    )
    resolve(service.engine, complaint.id, utcnow() - timedelta(minutes=5))
    service.settle()
    customer = TelegramCustomer(service, 4242)
    shown = customer.read()
    assert f"Bagaimana penanganan pengaduan {complaint.ticket_number}?" in shown
    assert "Balas angka 1–5 (1 sangat buruk … 5 sangat baik)" in shown
    asked = service.tg.sent_messages(4242)[-1]
    assert asked["button_labels"][-5:] == ["1", "2", "3", "4", "5"]
    assert "nilai 5" in customer.say("5")
    assert "sudah kami catat" in customer.say("Petugasnya cepat, terima kasih")
    rated = stored(service.engine, complaint.id)
    assert (rated.rating, rated.rating_comment) == (5, "Petugasnya cepat, terima kasih")
    assert rated.rated_at is not None


def test_whatsapp_answer_outside_the_window_reaches_the_report(make_service, sari):  # noqa: F811
    service = make_service(  # noqa: F811
        twilio_template_satisfaction_sid=TEMPLATE_SATISFACTION,
        twilio_template_complaint_update_sid=TEMPLATE_UPDATE,
    )
    filed = utcnow() - timedelta(days=2)  # the customer's last message is 2 days old
    complaint = add_complaint(
        service.engine, channel="whatsapp", user_id=f"whatsapp:{SITI}", now=filed
    )
    resolve(service.engine, complaint.id, utcnow() - timedelta(minutes=5))
    service.settle()
    resolved, asked = service.tw.sent_messages(to=f"whatsapp:{SITI}")
    assert resolved["content_sid"] == TEMPLATE_UPDATE
    assert asked["content_sid"] == TEMPLATE_SATISFACTION
    assert asked["content_variables"] == {"1": complaint.ticket_number}
    assert asked["body"] is None
    customer = WhatsAppCustomer(service, SITI)
    customer.read()
    assert "nilai 4" in customer.say("4")  # through Twilio's signed webhook
    assert "sudah kami catat" in customer.say("lewati")
    rated = stored(service.engine, complaint.id)
    assert (rated.rating, rated.rating_comment) == (4, None)
    with Session(service.engine) as session:
        report = reports.build(
            session=session,
            start=filed - timedelta(days=1),
            end=utcnow() + timedelta(days=1),
            now=utcnow(),
            tz=WITA,
        )
    total = report.total
    assert (total.rated, total.rating_average, total.rating_response_rate) == (1, 4.0, 100.0)


@pytest.fixture
def asked(engine, sari):
    """A console customer whose complaint was resolved a minute before they write."""
    complaint = add_complaint(
        engine, channel="console", user_id="62812000001", now=WEDNESDAY_10_WITA - timedelta(hours=2)
    )
    resolve(engine, complaint.id, WEDNESDAY_10_WITA - timedelta(minutes=1))
    return complaint


@pytest.mark.parametrize(
    ("said", "rating"), [("4 bagus", 4), ("mantap 5", 5), ("lima", 5), ("1", 1), ("3/5", None)]
)
def test_ways_of_giving_a_rating(conversation, asked, said, rating):  # noqa: F811
    customer = Customer(conversation, "62812000001")
    customer.now = WEDNESDAY_10_WITA
    customer.say(said)
    assert stored(conversation.engine, asked.id).rating == rating


def test_the_rating_question_traps_nobody(conversation, asked):  # noqa: F811
    customer = Customer(conversation, "62812000001")
    customer.now = WEDNESDAY_10_WITA
    assert "Cek status pengaduan" in customer.say("menu")
    customer.say("5")  # now a pick from the menu, not a rating
    assert stored(conversation.engine, asked.id).rating is None


def test_status_or_a_new_complaint_ends_the_wait(conversation, asked):  # noqa: F811
    customer = Customer(conversation, "62812000001")
    customer.now = WEDNESDAY_10_WITA
    answer = customer.say("air mati lagi sudah dua hari")
    assert "nilai" not in answer
    assert stored(conversation.engine, asked.id).rating is None
    with Session(conversation.engine) as session:
        state = session.get(ConversationState, asked.contact_id)
        assert state is not None and state.flow == "complaint"


def test_the_wait_ends_after_three_days(conversation, asked):  # noqa: F811
    customer = Customer(conversation, "62812000001")
    customer.now = WEDNESDAY_10_WITA + satisfaction.WAIT + timedelta(minutes=1)
    customer.say("5")
    assert stored(conversation.engine, asked.id).rating is None


def test_one_rating_per_complaint_and_only_its_customer(engine, sari):
    complaint = add_complaint(engine, channel="telegram", user_id="1", now=WEDNESDAY_10_WITA)
    other = add_complaint(engine, channel="telegram", user_id="2", now=WEDNESDAY_10_WITA)
    resolve(engine, complaint.id, WEDNESDAY_10_WITA + timedelta(hours=1))
    later = WEDNESDAY_10_WITA + timedelta(hours=2)
    with Session(engine) as session:
        record = {"session": session, "complaint_id": complaint.id, "now": later}
        assert satisfaction.record(**record, contact_id=other.contact_id, rating=1) == "refused"
        assert satisfaction.record(**record, contact_id=complaint.contact_id, rating=4) == "saved"
        assert satisfaction.record(**record, contact_id=complaint.contact_id, rating=2) == "already"
        session.commit()
    assert stored(engine, complaint.id).rating == 4
    # resolved again after a reopening: the customer is not asked a second time
    resolve(engine, complaint.id, later, status="in_progress")
    with Session(engine) as session:
        state = session.get(ConversationState, complaint.contact_id)
        assert state is not None
        state.flow = None
        session.add(state)
        session.commit()
    resolve(engine, complaint.id, later + timedelta(hours=1))
    with Session(engine) as session:
        assert session.get(ConversationState, complaint.contact_id).flow is None


def test_clocks_are_stored_in_working_minutes_less_waiting(engine, sari):
    """Filed Fri 27 Nov 15:00 WITA; answered Mon 30 Nov 08:30 (90 working minutes: 60 on
    Friday, 30 on Monday); waiting for the customer Mon 09:00-11:00 (120 minutes paused);
    resolved Mon 12:00: 60 + 240 - 120 = 180 working minutes."""
    filed = datetime(2026, 11, 27, 15, 0, tzinfo=WITA)
    complaint = add_complaint(engine, now=filed)

    def step(action: str, value: str, at: datetime) -> None:
        with Session(engine) as session:
            row, staff = session.get(Complaint, complaint.id), session.get(Staff, sari.id)
            assert row is not None and staff is not None
            common: dict[str, Any] = {
                "session": session,
                "complaint": row,
                "staff": staff,
                "calendar": CALENDAR,
            }
            if action == "reply":
                workflow.reply(**common, text=value, now=at.astimezone(UTC))
            else:
                workflow.change_status(**common, status=value, now=at.astimezone(UTC))
            session.commit()

    monday = datetime(2026, 11, 30, tzinfo=WITA)
    step("reply", "Kami cek", monday.replace(hour=8, minute=30))
    step("status", "waiting", monday.replace(hour=9))
    step("status", "in_progress", monday.replace(hour=11))
    step("status", "resolved", monday.replace(hour=12))
    done = stored(engine, complaint.id)
    assert (done.first_response_work_minutes, done.resolution_work_minutes) == (90, 180)
    step("status", "in_progress", monday.replace(hour=13))
    assert stored(engine, complaint.id).resolution_work_minutes is None
    step("status", "resolved", monday.replace(hour=15))
    # reopened 13:00, resolved 15:00: 60 (Fri) + 420 (Mon 08:00-15:00) - 120 waiting
    assert stored(engine, complaint.id).resolution_work_minutes == 360
