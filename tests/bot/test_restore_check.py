from sqlmodel import Session, select

from db.models import Complaint, ConversationState
from tests.bot.test_complaint_flow import file_through_menu


def ask_after_restoration(engine, complaint_status: str) -> None:
    """What the notice part does on restoration, per the state contract."""
    with Session(engine) as session:
        complaint = session.exec(select(Complaint)).one()
        complaint.status = complaint_status
        state = session.get(ConversationState, complaint.contact_id)
        assert state is not None
        state.flow, state.step = "restore_check", "ask"
        state.data = {"complaint_ids": [complaint.id], "notice_id": None}
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
