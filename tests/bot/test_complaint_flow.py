import re
from datetime import timedelta

from sqlmodel import Session, select

from db.models import Complaint, ComplaintEvent
from tests.bot.builders import add_notice
from tests.bot.conftest import WEDNESDAY_10_WITA

TICKET = re.compile(r"Nomor tiket: (ADU-\d{6})")


def complaints(engine) -> list[Complaint]:
    with Session(engine) as session:
        return list(session.exec(select(Complaint)))


def file_through_menu(customer) -> str:
    customer.say("menu")
    customer.say("2")
    assert "Tulis nama desa" in customer.say("1")  # Air tidak mengalir
    assert "alamat lengkap" in customer.say("Tatah Bangkal")
    assert "nomor sambungan" in customer.say("Jl. Tatah Bangkal RT 3, dekat langgar")
    assert "Ceritakan masalahnya" in customer.say("0123 4567")
    summary = customer.say("Sejak subuh air tidak keluar sama sekali")
    assert "Masalah: Air tidak mengalir" in summary
    assert "Daerah: Tatah Bangkal (Kec. Tatah Makmur)" in summary
    assert "No. pelanggan: 01234567" in summary
    return customer.say("1")  # Kirim


def test_a_complaint_through_the_menu_gets_a_ticket_and_a_response_target(customer, engine):
    answer = file_through_menu(customer)
    ticket = TICKET.search(answer).group(1)
    assert ticket == "ADU-000001"
    assert "Target tanggapan pertama: paling lambat Rabu, 2 Des 2026 pukul 11.02 WITA" in answer
    [complaint] = complaints(engine)
    assert complaint.ticket_number == ticket
    assert complaint.category == "no_water"
    assert complaint.area_code == "63.03.19.2001"
    assert complaint.address == "Jl. Tatah Bangkal RT 3, dekat langgar"
    assert complaint.account_number == "01234567"
    assert complaint.status == "received"
    assert complaint.created_at.tzinfo is not None


def test_one_free_text_message_prefills_category_and_area(customer, engine):
    answer = customer.say("banyu kada mengalir di lok baintan dari kemarin")
    assert 'melaporkan "Air tidak mengalir" di Lok Baintan (Kec. Sungai Tabuk)' in answer
    assert "alamat lengkap" in customer.say("ya")
    customer.say("Desa Lok Baintan RT 02 dekat pasar terapung")
    customer.say("lewati")
    customer.say("sudah dua hari")
    assert TICKET.search(customer.say("kirim"))
    [complaint] = complaints(engine)
    assert (complaint.category, complaint.area_code) == ("no_water", "63.03.04.2004")
    assert complaint.account_number is None


def test_an_ambiguous_place_in_the_sentence_is_asked_after_confirming(customer):
    customer.say("banyu kada mengalir di sei tabuk dari kemarin")
    answer = customer.say("ya")
    assert "Kecamatan Sungai Tabuk" in answer
    assert "Sungai Tabuk (Kec. Simpang Empat)" in answer
    assert "alamat lengkap" in customer.say("1")


def test_saying_no_to_the_guess_asks_for_the_category(customer):
    customer.say("air keruh di gambut")
    assert "Apa masalah yang ingin Anda laporkan?" in customer.say("tidak")


def test_a_bad_account_number_is_asked_again(customer):
    customer.say("2")
    customer.say("4")
    customer.say("Martapura")
    customer.say("Jl. A. Yani km 39 depan toko")
    assert "5–15 angka" in customer.say("abc")
    assert "Ceritakan masalahnya" in customer.say("skip")


def test_a_photo_is_kept_with_the_complaint_on_channels_that_have_photos(conversation, engine):
    from tests.bot.conftest import Customer

    telegram = Customer(conversation, "5551234", channel="telegram")
    telegram.say("pipa bocor di landasan ulin timur")
    telegram.say("ya")
    telegram.say("Jl. Golf ujung, depan gapura")
    assert "mengirim foto" in telegram.say("lewati")
    summary = telegram.say("", media=("AgACAgUAAxkBAAIB-photo-file-id",))
    assert "Foto: terlampir" in summary
    telegram.say("ya")
    [complaint] = complaints(engine)
    assert complaint.media_ref == "AgACAgUAAxkBAAIB-photo-file-id"
    assert complaint.category == "leak"


def test_start_over_and_cancel(customer, engine):
    customer.say("2")
    customer.say("3")
    assert "Baik, dibatalkan." in customer.say("batal")
    assert complaints(engine) == []


def test_a_no_water_complaint_under_a_known_disruption_is_linked_and_told(customer, engine):
    notice_id = add_notice(
        engine,
        title="Gangguan pompa IPA Sungai Tabuk",
        area_codes=["63.03.04"],
        starts_at=WEDNESDAY_10_WITA - timedelta(hours=1),
        expected_end_at=WEDNESDAY_10_WITA + timedelta(hours=5),
    )
    customer.say("air mati di lok baintan")
    customer.say("ya")
    customer.say("Lok Baintan RT 1")
    customer.say("lewati")
    customer.say("mati total")
    answer = customer.say("kirim")
    assert "sedang mengalami gangguan yang sudah kami ketahui" in answer
    assert "Gangguan pompa IPA Sungai Tabuk" in answer
    assert "Rabu, 2 Des 2026 pukul 15.00 WITA" in answer
    assert "Langganan info Lok Baintan" in answer
    [complaint] = complaints(engine)
    assert complaint.notice_id == notice_id
    assert "Anda berlangganan info gangguan untuk: Lok Baintan" in customer.say("1")


def test_the_same_delivery_twice_files_one_complaint(customer, engine):
    customer.say("air keruh di gambut", raw_id="u1")
    assert "Kecamatan Gambut" in customer.say("ya", raw_id="u2")
    assert "alamat lengkap" in customer.say("1", raw_id="u2b")
    customer.say("Gambut km 14", raw_id="u3")
    customer.say("lewati", raw_id="u4")
    customer.say("keruh sekali", raw_id="u5")
    assert TICKET.search(customer.say("kirim", raw_id="u6"))
    assert customer.say("kirim", raw_id="u6") == ""
    assert len(complaints(engine)) == 1
    with Session(engine) as session:
        events = session.exec(select(ComplaintEvent)).all()
    assert len(events) == 1
