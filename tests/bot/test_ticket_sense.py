"""An open complaint comes before a new one; 'sudah lapor, belum ada petugas' shows it."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, col, select

from areas.reference import load_area_index
from bot.engine import ConversationEngine
from db.models import Complaint, ComplaintEvent, Contact
from tests.bot.conftest import Customer

TICKET = re.compile(r"ADU-\d{6}")
OFFER = "Anda sudah melaporkan masalah yang sama"
ANSWERS = (  # what a customer answers to each question of the complaint flow
    ("Anda ingin melaporkan", "ya"),
    ("Tulis alamat", "Jl. Gambut km 14 RT 3, dekat masjid"),
    ("nomor sambungan", "lewati"),
    ("Ceritakan masalahnya", "sejak pagi tidak keluar sama sekali"),
    ("Kirim pengaduan ini?", "kirim"),
)


def complain(customer: Customer, first: str) -> str:
    """Say `first`, then answer the flow's questions until a ticket or an offer comes back."""
    answer = customer.say(first)
    for _ in range(8):
        if "Nomor tiket" in answer or OFFER in answer:
            return answer
        reply = next((said for asked, said in ANSWERS if asked in answer), None)
        assert reply is not None, answer
        answer = customer.say(reply)
    raise AssertionError(answer)


def complaints_of(engine, customer: Customer) -> list[Complaint]:
    with Session(engine) as session:
        contact = session.exec(
            select(Contact).where(Contact.channel_user_id == customer.sender)
        ).one()
        query = select(Complaint).where(Complaint.contact_id == contact.id)
        return list(session.exec(query.order_by(col(Complaint.id))))


def events_of(engine, complaint_id: int, kind: str = "customer") -> list[str]:
    with Session(engine) as session:
        query = select(ComplaintEvent.text).where(
            ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.kind == kind
        )
        return list(session.exec(query.order_by(col(ComplaintEvent.id))))


def test_the_same_complaint_twice_within_a_minute_is_offered_not_doubled(customer, engine):
    assert "Nomor tiket: ADU-000001" in complain(customer, "air mati di tatah bangkal")
    offer = complain(customer, "air mati di tatah bangkal")
    assert OFFER in offer
    assert "ADU-000001" in offer and "Air tidak mengalir" in offer and "Diterima" in offer
    added = customer.say("1")  # Ya, tambahkan ke tiket itu
    assert "sudah kami tambahkan ke tiket ADU-000001" in added
    complaints = complaints_of(engine, customer)
    assert len(complaints) == 1
    assert events_of(engine, complaints[0].id) == ["air mati di tatah bangkal"]
    history = customer.say("status ADU-000001")
    assert "Pesan Anda: air mati di tatah bangkal" in history


def test_a_customer_who_says_it_is_another_problem_gets_a_new_ticket(customer, engine):
    complain(customer, "air mati di tatah bangkal")
    assert OFFER in complain(customer, "air mati di tatah bangkal")
    answer = customer.say("2")  # Bukan, ini masalah lain
    assert "Tulis alamat" in answer
    for reply in ("Jl. Gambut km 15, rumah kedua", "lewati", "di rumah kedua juga mati"):
        answer = customer.say(reply)
    assert "Kirim pengaduan ini?" in answer
    assert "Nomor tiket: ADU-000002" in customer.say("kirim")
    assert len(complaints_of(engine, customer)) == 2


def test_only_the_same_category_and_area_while_open_and_recent_is_offered(customer, engine):
    complain(customer, "air mati di tatah bangkal")
    assert "Nomor tiket: ADU-000002" in complain(customer, "pipa bocor di tatah bangkal")
    assert "Nomor tiket: ADU-000003" in complain(customer, "air mati di lok baintan")
    customer.wait(hours=25)  # DUPLICATE_COMPLAINT_HOURS is 24
    assert "Nomor tiket: ADU-000004" in complain(customer, "air mati di tatah bangkal")


def test_a_closed_complaint_is_not_offered(customer, engine):
    complain(customer, "air mati di tatah bangkal")
    with Session(engine) as session:
        complaint = session.exec(select(Complaint)).one()
        complaint.status = "resolved"
        session.add(complaint)
        session.commit()
    assert "Nomor tiket: ADU-000002" in complain(customer, "air mati di tatah bangkal")


def test_the_window_is_a_setting(engine, settings):
    conversation = ConversationEngine(
        engine=engine,
        settings=settings.model_copy(update={"duplicate_complaint_hours": 1}),
        areas=load_area_index(engine),
    )
    customer = Customer(conversation, "62812000009")
    complain(customer, "air mati di tatah bangkal")
    customer.wait(minutes=30)
    assert OFFER in complain(customer, "air mati di tatah bangkal")
    customer.say("batal")
    customer.wait(minutes=40)
    assert "Nomor tiket: ADU-000002" in complain(customer, "air mati di tatah bangkal")


def test_another_customers_complaint_is_never_offered(customer, other_customer, engine):
    complain(customer, "air mati di tatah bangkal")
    assert "Nomor tiket: ADU-000002" in complain(other_customer, "air mati di tatah bangkal")


@pytest.mark.parametrize(
    "chase",
    ["sudah lapor kemarin tapi belum ada petugas datang", "belum ada petugas"],
)
def test_a_customer_chasing_a_report_sees_the_open_tickets(customer, engine, chase):
    complain(customer, "air mati di tatah bangkal")
    customer.wait(hours=20)
    answer = customer.say(chase)
    assert "ADU-000001" in answer and "Air tidak mengalir" in answer
    assert "status: Diterima" in answer
    assert "diteruskan ke petugas" not in answer  # shown the ticket, not just handed over
    complaint = complaints_of(engine, customer)[0]
    assert events_of(engine, complaint.id) == [chase]
    assert "1. Bicara dengan petugas" in answer


def test_a_chase_without_an_open_ticket_says_so_and_offers_the_ways_on(customer):
    answer = customer.say("sudah lapor kemarin tapi belum ada petugas datang")
    assert "tidak menemukan pengaduan yang masih terbuka" in answer
    assert "Buat pengaduan" in answer and "Bicara dengan petugas" in answer


def test_the_staff_complaint_page_shows_the_customers_added_message(customer, engine, settings):
    from tests.staff.factories import console_app, signed_in

    complain(customer, "air mati di tatah bangkal")
    complain(customer, "air mati di tatah bangkal")
    customer.say("1")
    complaint = complaints_of(engine, customer)[0]
    client = signed_in(console_app(settings, engine), engine, "agus", "agent")
    page = client.get(f"/staff/complaints/{complaint.id}")
    assert 'data-event="customer"' in page.text and "Pesan pelanggan" in page.text


def test_a_second_complaint_later_in_the_day_is_offered_too(customer):
    complain(customer, "air mati di tatah bangkal")
    customer.wait(hours=6)
    assert OFFER in complain(customer, "air mati di tatah bangkal")


def test_an_offer_answered_twice_with_something_unusable_shows_the_ways_out(customer, engine):
    complain(customer, "air mati di tatah bangkal")
    assert OFFER in complain(customer, "air mati di tatah bangkal")
    first = customer.say("hmm entahlah")
    assert OFFER in first and "Bicara dengan petugas" not in first
    second = customer.say("maksudnya apa ya")
    assert OFFER in second
    assert "3. Bicara dengan petugas" in second and "4. Kembali ke menu" in second
    assert "Pilih layanan" in customer.say("4")
    assert len(complaints_of(engine, customer)) == 1, "nothing was filed twice on the way out"
