from sqlmodel import Session, select

from complaints.calendar import ROUND_THE_CLOCK
from complaints.service import set_status
from db.models import Complaint, Contact, Subscription
from tests.bot.test_complaint_flow import TICKET, file_through_menu


def test_status_shows_the_history_to_the_customer_who_filed(customer, engine):
    ticket = TICKET.search(file_through_menu(customer)).group(1)
    with Session(engine) as session:
        complaint = session.exec(select(Complaint)).one()
        set_status(session=session, complaint=complaint, status="in_progress", now=customer.now,
                   calendar=ROUND_THE_CLOCK, text="Petugas menuju lokasi")  # fmt: skip
        session.commit()
    answer = customer.say(f"status {ticket}")
    assert f"Tiket {ticket} — Air tidak mengalir" in answer
    assert "Status: Sedang ditangani" in answer
    assert "Pengaduan diterima" in answer
    assert "Status: Sedang ditangani – Petugas menuju lokasi" in answer


def test_status_from_the_menu_lists_own_tickets(customer):
    ticket = TICKET.search(file_through_menu(customer)).group(1)
    answer = customer.say("3")
    assert f"1. {ticket} – Air tidak mengalir" in answer
    assert f"Tiket {ticket}" in customer.say("1")


def test_status_accepts_a_loosely_typed_ticket(customer):
    file_through_menu(customer)
    assert "Tiket ADU-000001" in customer.say("cek status adu 1 dong")


def test_someone_elses_ticket_reads_like_an_unknown_one(customer, other_customer):
    ticket = TICKET.search(file_through_menu(customer)).group(1)
    theirs = other_customer.say(f"status {ticket}")
    unknown = other_customer.say("status ADU-999999")
    assert f"Tiket {ticket} tidak ditemukan untuk akun Anda" in theirs
    assert "Tiket ADU-999999 tidak ditemukan untuk akun Anda" in unknown
    assert "Jl. Tatah Bangkal" not in theirs


def test_status_without_complaints_says_so(customer):
    assert "Belum ada pengaduan" in customer.say("3")


def test_subscribe_to_several_areas_then_stop_and_resume(customer, engine):
    customer.say("4")
    answer = customer.say("aluh2")
    assert "Anda berlangganan info gangguan untuk: Kecamatan Aluh Aluh" in answer
    customer.say("1")  # Tambah daerah
    answer = customer.say("tatah bangkal")
    assert "Kecamatan Aluh Aluh, Tatah Bangkal (Kec. Tatah Makmur)" in answer
    assert "sudah berlangganan" in customer.say("langganan") + customer.say("tatah bangkal")

    assert "tidak akan menerima info gangguan lagi" in customer.say("STOP")
    with Session(engine) as session:
        contact = session.exec(select(Contact)).one()
        assert contact.opted_out is True
        assert len(session.exec(select(Subscription)).all()) == 2

    answer = customer.say("MULAI")
    assert "Selamat datang kembali" in answer
    assert "Kecamatan Aluh Aluh" in answer
    with Session(engine) as session:
        assert session.exec(select(Contact)).one().opted_out is False


def test_berhenti_works_in_the_middle_of_a_flow(customer, engine):
    customer.say("2")
    assert "tidak akan menerima info" in customer.say("berhenti")
    with Session(engine) as session:
        assert session.exec(select(Contact)).one().opted_out is True
