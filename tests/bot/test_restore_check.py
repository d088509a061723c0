from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from db.models import Complaint, ConversationState
from tests.bot.test_complaint_flow import file_through_menu

WITA = ZoneInfo("Asia/Makassar")


def ask_after_restoration(engine, complaint_status: str, at: datetime | None = None) -> None:
    """What the notice part does on restoration (at `at`), per the state contract."""
    with Session(engine) as session:
        complaint = session.exec(select(Complaint)).one()
        complaint.status = complaint_status
        state = session.get(ConversationState, complaint.contact_id)
        assert state is not None
        state.flow, state.step = "restore_check", "ask"
        state.data = {"complaint_ids": [complaint.id], "notice_id": None}
        state.updated_at = at or state.updated_at
        session.add_all([complaint, state])
        session.commit()


def status_of_complaint(engine) -> str:
    with Session(engine) as session:
        return session.exec(select(Complaint)).one().status


def test_water_not_back_reopens_the_complaint(customer, engine):
    file_through_menu(customer)
    ask_after_restoration(engine, "resolved")
    assert "kami buka kembali" in customer.say("belum, masih mati")
    assert status_of_complaint(engine) == "in_progress"


def test_water_back_resolves_the_complaint(customer, engine):
    file_through_menu(customer)
    ask_after_restoration(engine, "received")
    assert "sudah kembali normal" in customer.say("sudah mengalir, terima kasih")
    assert status_of_complaint(engine) == "resolved"


def test_an_unclear_answer_is_asked_again(customer, engine):
    file_through_menu(customer)
    ask_after_restoration(engine, "resolved")
    assert "sudah mengalir kembali?" in customer.say("hmm")


def clocks_of(engine) -> tuple[int | None, int | None]:
    with Session(engine) as session:
        complaint = session.exec(select(Complaint)).one()
        return complaint.resolution_work_minutes, complaint.first_response_work_minutes


def test_water_back_stops_the_resolution_clock_in_working_time(customer, engine):
    file_through_menu(customer)  # Wednesday 2 Dec, about 10:02 WITA
    with Session(engine) as session:
        filed = session.exec(select(Complaint)).one().created_at.astimezone(WITA)
    customer.now = datetime(2026, 12, 3, 9, 0, tzinfo=WITA) - timedelta(seconds=20)
    ask_after_restoration(engine, "received", at=customer.now)
    assert "sudah kembali normal" in customer.say("sudah")  # Thursday 09:00 WITA
    # the rest of Wednesday to 16:00, and Thursday 08:00-09:00; not the night (23 h by the wall)
    rest_of_wednesday = datetime(2026, 12, 2, 16, 0, tzinfo=WITA) - filed
    assert clocks_of(engine) == (round(rest_of_wednesday.total_seconds() / 60 + 60), None)


def test_water_not_back_clears_the_stored_resolution_clock(customer, engine):
    file_through_menu(customer)
    with Session(engine) as session:
        complaint = session.exec(select(Complaint)).one()
        complaint.resolved_at, complaint.resolution_work_minutes = customer.now, 5
        session.add(complaint)
        session.commit()
    ask_after_restoration(engine, "resolved")
    assert "kami buka kembali" in customer.say("belum")
    assert clocks_of(engine) == (None, None)  # reopened: the resolution clock runs again
