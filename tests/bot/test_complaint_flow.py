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
    assert "nomor pelanggan" in customer.say("Tatah Bangkal")  # the address, with the number
    assert "Ceritakan masalahnya" in customer.say(
        "Jl. Tatah Bangkal RT 3, dekat langgar, no pel 0123 4567"
    )
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
    assert complaint.description == "Sejak subuh air tidak keluar sama sekali"
    assert complaint.status == "received"
    assert complaint.created_at.tzinfo is not None


def test_one_free_text_message_prefills_category_and_area(customer, engine):
    answer = customer.say("banyu kada mengalir di lok baintan dari kemarin")
    assert "kami catat: Air tidak mengalir di Lok Baintan (Kec. Sungai Tabuk)" in answer
    assert "alamat lengkap" in answer  # only what is missing is asked
    summary = customer.say("Desa Lok Baintan RT 02 dekat pasar terapung")
    assert "Keterangan: banyu kada mengalir di lok baintan dari kemarin" in summary
    assert TICKET.search(customer.say("kirim"))
    [complaint] = complaints(engine)
    assert (complaint.category, complaint.area_code) == ("no_water", "63.03.04.2004")
    assert complaint.account_number is None
    assert complaint.description == "banyu kada mengalir di lok baintan dari kemarin"


def test_an_ambiguous_place_in_the_sentence_is_asked_at_once(customer):
    answer = customer.say("banyu kada mengalir di sei tabuk dari kemarin")
    assert "Kecamatan Sungai Tabuk" in answer
    assert "Sungai Tabuk (Kec. Simpang Empat)" in answer
    assert "alamat lengkap" in customer.say("1")


def test_a_wrong_guess_is_corrected_in_words(customer, engine):
    customer.say("air mati di tatah bangkal")
    answer = customer.say("eh maksudnya air kecil, bukan mati")
    assert "kami ubah: Air kecil / tekanan lemah di Tatah Bangkal" in answer
    assert "alamat lengkap" in answer
    customer.say("Jl. Tatah Bangkal RT 3 dekat langgar")
    assert "Masalah: Air keruh / berbau" in customer.say("bukan kecil tapi keruh")
    assert TICKET.search(customer.say("ya"))
    [complaint] = complaints(engine)
    assert complaint.category == "quality"


def test_saying_no_to_the_summary_starts_again(customer):
    customer.say("air keruh di gambut")
    customer.say("1")
    customer.say("Jl. Gambut km 14 dekat masjid")
    assert "Apa masalah yang ingin Anda laporkan?" in customer.say("tidak")


def test_a_bad_account_number_is_asked_again_then_a_way_out_is_offered(customer):
    customer.say("2")
    customer.say("6")  # Tagihan / rekening: the account number is asked for
    customer.say("Martapura")
    customer.say("Jl. A. Yani km 39 depan toko")
    first = customer.say("abc")
    assert "5–15 angka" in first and "Bicara dengan petugas" not in first
    second = customer.say("nggak ngerti")
    assert "Bicara dengan petugas" in second and "Kembali ke menu" in second
    assert "Ceritakan masalahnya" in customer.say("1")  # Lewati


def test_a_photo_is_kept_with_the_complaint_on_channels_that_have_photos(conversation, engine):
    from tests.bot.conftest import Customer

    telegram = Customer(conversation, "5551234", channel="telegram")
    telegram.say("2")
    telegram.say("4")  # Pipa bocor
    telegram.say("landasan ulin timur")
    assert "mengirim foto" in telegram.say("Jl. Golf ujung, depan gapura")
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
    customer.say("Lok Baintan RT 1")
    answer = customer.say("kirim")
    assert "sedang mengalami gangguan yang sudah kami ketahui" in answer
    assert "Gangguan pompa IPA Sungai Tabuk" in answer
    assert "Rabu, 2 Des 2026 pukul 15.00 WITA" in answer
    assert "Langganan info Lok Baintan" in answer
    [complaint] = complaints(engine)
    assert complaint.notice_id == notice_id
    assert "Anda berlangganan info gangguan untuk: Lok Baintan" in customer.say("1")


def test_the_same_delivery_twice_files_one_complaint(customer, engine):
    assert "Kecamatan Gambut" in customer.say("air keruh di gambut", raw_id="u1")
    assert "alamat lengkap" in customer.say("1", raw_id="u2")
    assert "Kirim pengaduan ini?" in customer.say("Gambut km 14", raw_id="u3")
    assert TICKET.search(customer.say("kirim", raw_id="u6"))
    assert customer.say("kirim", raw_id="u6") == ""
    assert len(complaints(engine)) == 1
    with Session(engine) as session:
        events = session.exec(select(ComplaintEvent)).all()
    assert len(events) == 1
