"""A conversation that listens: the examples of issue 11, as a customer would see them."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from channels.messages import Inbound, render_numbered
from db.models import Complaint, Contact, Subscription
from db.vocab import Channel

TICKET = re.compile(r"Nomor tiket: (ADU-\d{6})")
ENGLISH_TICKET = re.compile(r"Ticket number: (ADU-\d{6})")


def complaints(engine) -> list[Complaint]:
    with Session(engine) as session:
        return list(session.exec(select(Complaint)))


def contact(engine, customer) -> Contact:
    with Session(engine) as session:
        return session.exec(select(Contact).where(Contact.channel_user_id == customer.sender)).one()


# --- take what the customer already said ---------------------------------------------------------


def test_an_account_number_in_the_first_message_is_never_asked_again(customer, engine):
    answer = customer.say(
        "tagihan bulan ini mahal bgt padahal pemakaian biasa aja, no pelanggan 0123456789"
    )
    assert "kami catat: Tagihan" in answer
    assert "nomor pelanggan" not in answer.split("\n")[-1]  # the address question asks no number
    answer = customer.say("martapura")
    assert "alamat lengkap" in answer
    summary = customer.say("Jl. A. Yani km 39, depan toko Sinar")
    assert "No. pelanggan: 0123456789" in summary
    assert TICKET.search(customer.say("ya"))
    [complaint] = complaints(engine)
    assert (complaint.category, complaint.account_number) == ("billing", "0123456789")


def test_kan_sudah_saya_tulis_tadi_is_understood_as_the_account_number(customer, engine):
    customer.say("2")
    customer.say("6")  # Tagihan / rekening
    customer.say("gambut barat")
    assert "nomor sambungan" in customer.say("Jl. Gambut km 14 RT 3")
    summary = customer.say("kan sudah saya tulis tadi 0123456789")
    assert "Nomor pelanggan biasanya 5–15 angka" not in summary
    assert "Ceritakan masalahnya" in summary
    customer.say("tagihan naik tiga kali lipat")
    assert TICKET.search(customer.say("kirim"))
    assert complaints(engine)[0].account_number == "0123456789"


def test_skip_words_answer_an_optional_question(customer):
    for skip in ("-", "gak tau", "tidak punya", "kada tahu", "lewat"):
        customer.say("menu")
        customer.say("2")
        customer.say("5")  # Meteran
        customer.say("gambut barat")
        assert "nomor sambungan" in customer.say("Jl. Gambut km 14 RT 3")
        answer = customer.say(skip)
        assert "Ceritakan masalahnya" in answer, skip
        assert "5–15 angka" not in answer, skip


def test_a_complaint_naming_problem_and_area_takes_at_most_four_messages(customer, engine):
    first = customer.say("AIR MATI DI LOK BAINTAN SEJAK SUBUH")
    assert "alamat lengkap" in first
    summary = customer.say("Lok Baintan RT 2 dekat pasar terapung")
    assert "Kirim pengaduan ini?" in summary
    assert TICKET.search(customer.say("ya"))  # three messages

    customer.wait(days=2)
    answer = customer.say("air kecil di sei tabuk")  # the place needs one more answer
    assert "Kecamatan Sungai Tabuk" in answer
    assert "alamat lengkap" in customer.say("1")
    assert "Kirim pengaduan ini?" in customer.say("Jl. Sungai Tabuk RT 5")
    assert TICKET.search(customer.say("kirim"))  # four messages
    assert len(complaints(engine)) == 2


def test_daftar_info_gangguan_subscribes_at_once(customer, engine):
    answer = customer.say("daftar info gangguan kertak hanyar")
    assert "Anda berlangganan info gangguan untuk: Kecamatan Kertak Hanyar" in answer
    assert "Tulis nama desa" not in answer
    with Session(engine) as session:
        assert [s.area_code for s in session.exec(select(Subscription))] == ["63.03.02"]


# --- understand everyday messages ---------------------------------------------------------------


def test_thanks_and_goodbye_are_closed_warmly(customer):
    answer = customer.say("makasih")
    assert "Sama-sama" in answer and "belum mengerti" not in answer
    assert "Sampai jumpa" in customer.say("sudah itu aja")


def test_mau_buat_pengaduan_asks_what_the_problem_is(customer):
    answer = customer.say("mau buat pengaduan")
    assert "Apa masalah yang ingin Anda laporkan?" in answer
    assert "belum mengerti" not in answer


def test_a_jammed_meter_is_a_meter_problem(customer):
    answer = customer.say("meteran air saya macet ga muter")
    assert "kami catat: Meter air" in answer


def test_a_ruled_out_problem_is_not_the_one_noted(customer):
    answer = customer.say("mati total, bukan kecil lagi")
    assert "kami catat: Air tidak mengalir" in answer
    assert "Air kecil" not in answer


def test_cuma_nanya_is_not_a_complaint(customer, engine):
    customer.say("air mati di tatah bangkal")
    answer = customer.say("tidak, cuma nanya")
    assert "tidak kami buatkan pengaduan" in answer
    assert "Tatah Bangkal" in answer and "gangguan" in answer  # the area's news instead
    assert "Apa masalah yang ingin Anda laporkan?" not in answer
    assert complaints(engine) == []
    assert contact(engine, customer) is not None


def test_a_place_outside_the_service_area_is_named_with_its_utility(customer, engine):
    answer = customer.say("air mati di banjarmasin")
    assert "Kota Banjarmasin berada di luar wilayah layanan PTAM Intan Banjar" in answer
    assert "PTAM Bandarmasih" in answer
    assert "tidak kami temukan" not in answer
    assert "alamat lengkap" in customer.say("tatah bangkal")  # another area: on with the complaint
    assert "Kirim pengaduan ini?" in customer.say("Jl. Tatah Bangkal RT 3")
    assert TICKET.search(customer.say("ya"))
    assert complaints(engine)[0].area_code == "63.03.19.2001"


def test_a_neighbours_place_without_a_known_utility_says_the_local_pdam(customer):
    answer = customer.say("kapan air normal di handil bakti?")
    assert "Handil Bakti (Kabupaten Barito Kuala)" in answer
    assert "PDAM setempat" in answer


def test_a_name_on_both_sides_takes_the_served_one_and_mentions_the_other(customer):
    answer = customer.say("air keruh di sungai lulut")
    assert "Sungai Lulut (Kec. Sungai Tabuk)" in answer
    assert "Sungai Lulut di Kota Banjarmasin bukan wilayah kami" in answer
    assert "PTAM Bandarmasih" in answer


def test_a_served_town_alone_is_asked_by_its_kecamatan(customer):
    answer = customer.say("air di bjb mati semua kah?")
    assert "Pilih kecamatan" in answer
    assert "Kecamatan Banjarbaru Utara" in answer and "Kecamatan Aluh Aluh" not in answer


# --- language -----------------------------------------------------------------------------------


def test_sorry_i_dont_speak_indonesian_gets_english(customer, engine):
    answer = customer.say("sorry I don't speak Indonesian")
    assert "Language changed to English" in answer
    assert "File a complaint" in answer
    assert contact(engine, customer).language == "en"


def test_english_gets_english_and_it_is_remembered(customer, engine):
    answer = customer.say("there is no water in Martapura since this morning")
    assert "we noted: No water" in answer
    assert "Write your full address" in answer
    assert contact(engine, customer).language == "en"
    customer.say("Jl. A. Yani km 39")
    assert ENGLISH_TICKET.search(customer.say("yes"))
    answer = customer.say("air mati lagi di tatah bangkal")  # back to Indonesian
    assert "kami catat" in answer
    assert contact(engine, customer).language == "id"


def test_banjar_is_understood(customer):
    assert "kami catat: Air tidak mengalir" in customer.say("banyu kada kaluar hudah dua hari")
    customer.say("menu")
    assert "kami catat: Air keruh" in customer.say("banyu karuh banar di tambak anyar")


# --- courtesy -----------------------------------------------------------------------------------


def test_a_salam_is_answered_with_a_salam(customer):
    answer = customer.say("assalamualaikum")
    assert answer.startswith("Waalaikumsalam")
    assert "Halo!" not in answer
    answer = customer.say("Assalamualaikum, air di rumah kami tidak keluar di gambut barat")
    assert answer.startswith("Waalaikumsalam") and "kami catat" in answer


def test_greetings_get_the_menu(customer):
    for greeting in ("P", "min", "kak", "halo"):
        assert "Pilih layanan" in customer.say(greeting), greeting


def test_an_upset_customer_gets_an_apology(customer):
    answer = customer.say("SUDAH 3 HARI AIR MATI!!!")
    assert answer.startswith("Mohon maaf atas ketidaknyamanannya")
    assert "kami catat: Air tidak mengalir" in answer
    customer.say("menu")
    assert "Mohon maaf" not in customer.say("air mati di gambut barat")


def test_a_customer_is_addressed_by_a_sensible_name(conversation):
    inbound = Inbound(Channel.CONSOLE, "62812000077", "Halo", display_name="Hj. Rusmini")
    turn = conversation.handle(inbound, queue_replies=False)
    text = render_numbered(turn.replies[0])
    assert text.startswith("Halo Ibu Rusmini!")
    assert "Hj." not in text


# --- no traps -----------------------------------------------------------------------------------


def test_two_unusable_answers_offer_a_way_out(customer):
    customer.say("1")  # Cek gangguan
    first = customer.say("ga tau namanya")
    assert "tidak kami temukan" in first and "Labuan Tabu" not in first
    assert "Lok Tamu" not in first and "Bicara dengan petugas" not in first
    second = customer.say("pokoknya dekat pasar")
    assert "Pilih dari daftar kecamatan" in second
    assert "Bicara dengan petugas" in second and "Kembali ke menu" in second
    listed = customer.say("1")  # from the list
    assert "Kecamatan Aluh Aluh" in listed and "Kecamatan Tatah Makmur" in listed
    number = next(line for line in listed.splitlines() if "Tatah Makmur" in line).split(".")[0]
    assert "Tatah Makmur" in customer.say(number)


def test_the_way_out_reaches_a_person(customer, engine):
    customer.say("2")
    customer.say("huh")
    answer = customer.say("?")
    assert "Pilih layanan" in answer  # "?" is the menu, anywhere
    customer.say("2")
    customer.say("huh")
    answer = customer.say("entah")
    assert "Bicara dengan petugas" in answer
    number = next(line for line in answer.splitlines() if "Bicara dengan petugas" in line)
    assert "diteruskan ke petugas" in customer.say(number.split(".")[0])
    assert contact(engine, customer).needs_human is True
