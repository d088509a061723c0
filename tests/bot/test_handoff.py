"""A real hand-off: after 'bicara dengan petugas' the customer's messages are for staff."""

from __future__ import annotations

from sqlmodel import Session, col, select

from db.models import Complaint, Contact, Message
from subscriptions.preferences import person_answered


def contact_of(engine, customer) -> Contact:
    with Session(engine) as session:
        return session.exec(select(Contact).where(Contact.channel_user_id == customer.sender)).one()


def said_by(engine, customer) -> list[str]:
    contact = contact_of(engine, customer)
    with Session(engine) as session:
        query = select(Message.text).where(
            Message.contact_id == contact.id, Message.direction == "in"
        )
        return list(session.exec(query.order_by(col(Message.id))))


def test_after_asking_for_a_person_the_next_messages_are_not_taken_by_the_bot(customer, engine):
    assert "diteruskan ke petugas" in customer.say("bicara dengan petugas")
    answer = customer.say("tagihan saya bulan ini mahal sekali, no pelanggan 0123456789")
    assert "kami catat" not in answer
    assert "sudah kami teruskan ke petugas" in answer
    assert "Ketik MENU" in answer
    assert customer.say("halo? ada orang?") == ""  # one acknowledgement for a burst
    customer.wait(minutes=5)
    answer = customer.say("air mati juga dari pagi")
    assert "sudah kami teruskan ke petugas" in answer and "belum mengerti" not in answer
    assert contact_of(engine, customer).needs_human is True
    with Session(engine) as session:
        assert session.exec(select(Complaint)).all() == []
    assert said_by(engine, customer)[-3:] == [
        "tagihan saya bulan ini mahal sekali, no pelanggan 0123456789",
        "halo? ada orang?",
        "air mati juga dari pagi",
    ]


def test_outside_office_hours_the_acknowledgement_says_when_staff_are_back(customer):
    customer.now = customer.now.replace(hour=14)  # 22:00 WITA on Wednesday
    customer.say("5")
    answer = customer.say("tolong cek meteran saya")
    assert "di luar jam layanan" in answer
    assert "Kamis, 3 Des 2026 pukul 08.00 WITA" in answer


def test_menu_takes_the_customer_back_to_the_bot(customer, engine):
    customer.say("bicara dengan petugas")
    customer.say("sudah dua hari air keruh")
    answer = customer.say("menu")
    assert "kembali ke layanan otomatis" in answer and "2. Buat pengaduan" in answer
    assert contact_of(engine, customer).needs_human is False
    assert "kami catat" in customer.say("air keruh di tatah bangkal")


def test_the_button_back_to_the_bot_works_as_a_number_too(customer, engine):
    customer.say("bicara dengan petugas")
    assert "1. Kembali ke layanan otomatis" in customer.say("masih lama?")
    assert "Buat pengaduan" in customer.say("1")
    assert contact_of(engine, customer).needs_human is False


def test_when_staff_settle_the_conversation_the_bot_answers_again(customer, engine):
    customer.say("bicara dengan petugas")
    customer.say("saya mau tanya soal tagihan")
    with Session(engine) as session:
        contact = session.get(Contact, contact_of(engine, customer).id)
        person_answered(session=session, contact=contact)
        session.commit()
    assert "kami catat" in customer.say("air mati di tatah bangkal")


def test_stop_still_works_while_waiting_for_a_person(customer, engine):
    customer.say("bicara dengan petugas")
    assert "tidak akan menerima info gangguan" in customer.say("STOP")
    assert contact_of(engine, customer).opted_out is True


def test_staff_see_the_waiting_customers_last_words(customer, engine, settings):
    from tests.staff.factories import console_app, signed_in

    customer.say("bicara dengan petugas")
    customer.say("meteran saya dicabut orang, tolong dibantu")
    client = signed_in(console_app(settings, engine), engine, "agus", "agent")
    people = client.get("/staff/people")
    assert "meteran saya dicabut orang, tolong dibantu" in people.text
    contact = contact_of(engine, customer)
    page = client.get(f"/staff/people/{contact.id}")
    assert "meteran saya dicabut orang, tolong dibantu" in page.text


def test_a_change_of_language_works_and_a_service_picked_from_the_menu_ends_the_wait(
    customer, engine
):
    customer.say("bicara dengan petugas")
    assert "Language changed to English" in customer.say("english")
    assert contact_of(engine, customer).needs_human is True
    assert "What problem do you want to report?" in customer.say("2")  # File a complaint
    assert contact_of(engine, customer).needs_human is False
