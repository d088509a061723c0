"""Photos, voice notes and locations end to end: the providers' webhooks, the conversation, the
downloader fetching from the fake APIs, and the complaint page and media route staff use."""

from __future__ import annotations

import re
import struct
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from channels.media import MEGABYTE
from complaints.attachments import refusal_words
from db.models import Attachment, Complaint
from staff.web import LANG_COOKIE
from tests.channels.conftest import (  # noqa: F401
    TelegramCustomer,
    WhatsAppCustomer,
    make_service,
    wait_until,
)
from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401
from tests.staff.factories import add_staff, console_app, login


def ogg_opus() -> bytes:
    """The first Ogg page of an Opus voice note (what Telegram and WhatsApp record), then audio."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, 312, 48000, 0, 0)
    page = b"OggS" + struct.pack("<BBqIIIB", 0, 2, 0, 0x4B41, 0, 0, 1) + bytes([len(head)])
    return page + head + b"OggS\x00\x00" + b"\x00opus audio frames" * 20


JPEG = b"\xff\xd8\xff\xe0" + b"a photo of a burst pipe" * 20
OGG = ogg_opus()
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TICKET = re.compile(r"ADU-\d{6}")
CHAT = 880001


@pytest.fixture
def service(make_service, tmp_path):  # noqa: F811
    return make_service(media_dir=tmp_path / "media", media_max_bytes=1024 * 1024)


def attachments(engine) -> list[Attachment]:
    with Session(engine) as session:
        return list(session.exec(select(Attachment).order_by(col(Attachment.id))))


def all_fetched(engine) -> list[Attachment]:
    found = attachments(engine)
    return found if found and all(a.status != "pending" for a in found) else []


def voice_update(customer: TelegramCustomer, file_id: str, size: int) -> dict[str, Any]:
    update = customer.service.next_update(customer.chat_id)
    update["message"]["voice"] = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "duration": 4,
        "mime_type": "audio/ogg",
        "file_size": size,
    }
    return update


def document_update(
    customer: TelegramCustomer, file_id: str, mime_type: str, size: int
) -> dict[str, Any]:
    update = customer.service.next_update(customer.chat_id)
    update["message"]["document"] = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": "../../berkas pelanggan.pdf",
        "mime_type": mime_type,
        "file_size": size,
    }
    return update


def send(customer: TelegramCustomer, update: dict[str, Any]) -> str:
    assert customer.service.telegram(update).status_code == 200
    customer.service.settle()
    return customer.read()


def console(service, username: str, role: str) -> TestClient:
    """A signed-in console over https (the service's cookies are Secure: PUBLIC_BASE_URL)."""
    add_staff(service.engine, username, role)
    app = console_app(service.runtime.settings, service.engine)
    client = TestClient(app, base_url="https://testserver")
    assert login(client, username).status_code == 303
    return client


def file_until_description(customer) -> None:
    for text in ["/start", "2", "1", "Tatah Bangkal"]:
        customer.say(text)
    assert "Ceritakan masalahnya" in customer.say("Jl. Mawar 1, depan masjid")


def test_a_telegram_photo_and_voice_note_reach_the_complaint_and_the_console(service):
    service.tg.add_file("PHOTO-1", JPEG, path="photos/file_1.jpg")
    service.tg.add_file("VOICE-1", OGG, path="voice/file_2.oga")
    budi = TelegramCustomer(service, CHAT)
    file_until_description(budi)
    summary = budi.send(text="Pipa pecah", photo_file_id="PHOTO-1") and budi.read()
    assert "Foto: terlampir" in summary
    ticket = TICKET.search(budi.say("1")).group(0)

    answer = send(budi, voice_update(budi, "VOICE-1", len(OGG)))
    assert f"Pesan suara diterima dan dilampirkan ke {ticket}" in answer
    assert "kosong" not in answer

    photo, voice = wait_until(lambda: all_fetched(service.engine), what="the downloads")
    with Session(service.engine) as session:
        complaint = session.exec(select(Complaint)).one()
    assert {photo.complaint_id, voice.complaint_id} == {complaint.id}
    assert (photo.kind, photo.status, voice.kind, voice.status) == (
        "photo",
        "stored",
        "voice",
        "stored",
    )

    agent = console(service, "agus", "agent")
    page = agent.get(f"/staff/complaints/{complaint.id}").text
    assert f'<img class="thumb" src="/staff/media/{photo.id}"' in page
    assert f'<audio controls preload="metadata" src="/staff/media/{voice.id}"' in page

    served = agent.get(f"/staff/media/{photo.id}")
    assert served.status_code == 200 and served.content == JPEG
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["cache-control"] == "private, no-store"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert agent.get(f"/staff/media/{voice.id}").headers["content-type"] == "audio/ogg"

    editor = console(service, "edi", "editor")
    assert editor.get(f"/staff/media/{photo.id}").status_code == 403
    stranger = TestClient(
        console_app(service.runtime.settings, service.engine), base_url="https://testserver"
    )
    refused = stranger.get(f"/staff/media/{photo.id}", follow_redirects=False)
    assert refused.status_code in (303, 401) and refused.content != JPEG
    assert agent.get("/staff/media/999999").status_code == 404


def test_a_whatsapp_photo_sent_first_begins_a_complaint_and_is_attached_to_it(service):
    url = service.tw.add_media(JPEG, "image/jpeg")
    siti = WhatsAppCustomer(service)
    first = siti.say("", num_media=1, media_urls=[url], media_content_types=["image/jpeg"])
    assert "Foto diterima" in first and "belum mengerti" not in first
    siti.say("1")  # Air tidak mengalir
    siti.say("Tatah Bangkal")
    siti.say("Jl. Mawar 1, depan masjid")
    summary = siti.say("Sejak pagi tidak ada air")
    assert "Foto: terlampir" in summary
    assert TICKET.search(siti.say("1"))

    [photo] = wait_until(lambda: all_fetched(service.engine), what="the download")
    with Session(service.engine) as session:
        complaint = session.exec(select(Complaint)).one()
    assert (photo.complaint_id, photo.status, photo.size_bytes) == (
        complaint.id,
        "stored",
        len(JPEG),
    )
    assert any(authenticated for _, authenticated in service.tw.media_fetches)

    agent = console(service, "agus", "agent")
    assert f'src="/staff/media/{photo.id}"' in agent.get(f"/staff/complaints/{complaint.id}").text
    assert agent.get(f"/staff/media/{photo.id}").content == JPEG


def test_a_whatsapp_voice_note_is_a_voice_note_and_plays_on_the_complaint_page(service):
    url = service.tw.add_media(OGG, "audio/ogg")
    siti = WhatsAppCustomer(service)
    answer = siti.say("", num_media=1, media_urls=[url], media_content_types=["audio/ogg"])
    assert "Pesan suara diterima" in answer and "Foto" not in answer
    for text in ["1", "Tatah Bangkal", "Jl. Mawar 1, depan masjid"]:
        siti.say(text)
    summary = siti.say("Sejak pagi tidak ada air")
    assert "Lampiran: Pesan suara" in summary and "Foto: terlampir" not in summary
    assert TICKET.search(siti.say("1"))

    [voice] = wait_until(lambda: all_fetched(service.engine), what="the download")
    assert (voice.kind, voice.status, voice.content_type) == ("voice", "stored", "audio/ogg")
    with Session(service.engine) as session:
        complaint = session.exec(select(Complaint)).one()
    assert voice.complaint_id == complaint.id
    agent = console(service, "agus", "agent")
    page = agent.get(f"/staff/complaints/{complaint.id}").text
    assert f'<audio controls preload="metadata" src="/staff/media/{voice.id}"' in page
    played = agent.get(f"/staff/media/{voice.id}")
    assert (played.headers["content-type"], played.content) == ("audio/ogg", OGG)
    assert played.headers["content-disposition"].startswith("inline;")


def test_a_telegram_pdf_served_as_octet_stream_is_known_and_offered_as_a_download(service):
    service.tg.add_file("DOC-1", PDF, path="documents/file_3.pdf")
    budi = TelegramCustomer(service, CHAT)
    file_until_description(budi)
    assert "Dokumen diterima" in send(budi, document_update(budi, "DOC-1", "application/pdf", 90))
    budi.say("Tagihan bulan ini dua kali lipat")
    ticket = TICKET.search(budi.say("1")).group(0)

    [document] = wait_until(lambda: all_fetched(service.engine), what="the download")
    assert (document.kind, document.status, document.content_type) == (
        "document",
        "stored",
        "application/pdf",
    )
    assert document.path.endswith(".pdf") and "berkas" not in document.path
    agent = console(service, "agus", "agent")
    with Session(service.engine) as session:
        complaint = session.exec(select(Complaint).where(Complaint.ticket_number == ticket)).one()
    page = agent.get(f"/staff/complaints/{complaint.id}").text
    assert f'<a href="/staff/media/{document.id}" data-document>Buka berkas</a>' in page
    served = agent.get(f"/staff/media/{document.id}")
    assert (served.headers["content-type"], served.content) == ("application/pdf", PDF)
    assert served.headers["content-disposition"] == (
        f'attachment; filename="lampiran-{document.id}.pdf"'
    )


def test_oversized_or_wrong_type_files_are_refused_politely(service):
    budi = TelegramCustomer(service, CHAT)
    too_big = voice_update(budi, "BIG-VOICE", 50 * 1024 * 1024)
    assert "terlalu besar (batas 1 MB)" in send(budi, too_big)
    program = service.next_update(CHAT)
    program["message"]["document"] = {
        "file_id": "EXE",
        "file_unique_id": "x",
        "file_name": "setup.exe",
        "mime_type": "application/x-msdownload",
        "file_size": 2000,
    }
    assert "jenis berkas ini tidak dapat kami terima" in send(budi, program)

    url = service.tw.add_media(b"PK\x03\x04zip", "application/zip")
    siti = WhatsAppCustomer(service)
    refused = siti.say("", num_media=1, media_urls=[url], media_content_types=["application/zip"])
    assert "tidak dapat kami terima" in refused
    found = [(a.kind, a.status, a.error) for a in attachments(service.engine)]
    assert found == [  # kept for staff, never fetched
        ("voice", "refused", f"too_big limit={MEGABYTE}"),
        ("document", "refused", "wrong_type"),
        ("document", "refused", "wrong_type"),
    ]
    assert not service.tg.calls_to("getFile") and not service.tw.media_fetches


def test_an_oversized_file_the_provider_did_not_declare_is_stopped_and_told(service):
    url = service.tw.add_media(JPEG * 5000, "image/jpeg")  # about 2 MB, over the 1 MB limit
    siti = WhatsAppCustomer(service)
    heard = [siti.say("", num_media=1, media_urls=[url], media_content_types=["image/jpeg"])]
    [photo] = wait_until(lambda: all_fetched(service.engine), what="the refusal")
    assert (photo.status, photo.path) == ("refused", None)

    def told() -> bool:  # the downloader, woken by the turn, may be as quick as the reply
        service.settle()
        heard.append(siti.read())
        return "terlalu besar" in "".join(heard)

    wait_until(told, what="the customer told")
    assert "Foto diterima" in heard[0]


def test_a_shared_location_stands_for_the_address_and_shows_a_map_link(service):
    budi = TelegramCustomer(service, CHAT)
    for text in ["/start", "2", "1", "Tatah Bangkal"]:
        budi.say(text)
    budi.send(latitude=-3.3951, longitude=114.6012)
    asked = budi.read()
    assert "Lokasi diterima" in asked and "Ceritakan masalahnya" in asked
    budi.say("lewati")
    assert TICKET.search(budi.say("1"))

    [place] = attachments(service.engine)
    with Session(service.engine) as session:
        complaint = session.exec(select(Complaint)).one()
    assert (place.kind, place.complaint_id) == ("location", complaint.id)
    assert "-3.395100, 114.601200" in complaint.address
    page = console(service, "agus", "agent").get(f"/staff/complaints/{complaint.id}").text
    assert "https://www.openstreetmap.org/?mlat=-3.395100&amp;mlon=114.601200#map=17/" in page


def test_refused_files_are_listed_on_the_complaint_with_why_and_no_link(make_service, tmp_path):  # noqa: F811
    service = make_service(media_dir=tmp_path / "media", media_max_bytes=10 * MEGABYTE)
    budi = TelegramCustomer(service, CHAT)
    file_until_description(budi)
    big = document_update(budi, "BIG-DOC", "application/pdf", 13_002_342)  # 12.4 MB
    assert "terlalu besar (batas 10 MB)" in send(budi, big)
    program = document_update(budi, "EXE", "application/x-msdownload", 2000)
    assert "jenis berkas ini tidak dapat kami terima" in send(budi, program)
    budi.say("Pipa bocor di depan rumah")
    assert TICKET.search(budi.say("1"))

    with Session(service.engine) as session:
        complaint = session.exec(select(Complaint)).one()
    too_big, wrong = attachments(service.engine)
    assert {too_big.complaint_id, wrong.complaint_id} == {complaint.id}
    assert (too_big.status, too_big.size_bytes, too_big.path) == ("refused", 13_002_342, None)

    agent = console(service, "agus", "agent")
    page = agent.get(f"/staff/complaints/{complaint.id}").text
    assert "Berkas ditolak: terlalu besar (12,4 MB; batas 10 MB)" in page
    assert "Berkas ditolak: jenis berkas tidak diterima (application/x-msdownload)" in page
    for refused in (too_big, wrong):
        assert f"/staff/media/{refused.id}" not in page
        assert agent.get(f"/staff/media/{refused.id}").status_code == 404
    assert not service.tg.calls_to("getFile")

    agent.cookies.set(LANG_COOKIE, "en")
    english = agent.get(f"/staff/complaints/{complaint.id}").text
    assert "File refused: too large (12.4 MB; limit 10 MB)" in english
    assert "File refused: type not accepted (application/x-msdownload)" in english


def test_a_file_refused_by_the_downloader_shows_its_reason_on_the_complaint(service):
    url = service.tw.add_media(JPEG * 5000, "image/jpeg")  # about 2 MB, over the 1 MB limit
    page_url = service.tw.add_media(b"<html>not a photo</html>", "text/html")
    siti = WhatsAppCustomer(service)
    siti.say("Air tidak mengalir di Tatah Bangkal")
    siti.say("Jl. Mawar 1, depan masjid")
    assert TICKET.search(siti.say("1"))
    siti.say("", num_media=2, media_urls=[url, page_url], media_content_types=["image/jpeg"] * 2)

    photo, html = wait_until(lambda: all_fetched(service.engine), what="the refusals")
    assert (photo.status, html.status, html.content_type) == ("refused", "refused", "text/html")
    with Session(service.engine) as session:
        complaint = session.exec(select(Complaint)).one()
    page = console(service, "agus", "agent").get(f"/staff/complaints/{complaint.id}").text
    assert "Berkas ditolak: terlalu besar (2,2 MB; batas 1 MB)" in page  # Content-Length
    assert "Berkas ditolak: jenis berkas tidak diterima (text/html)" in page


def test_a_refusal_says_what_is_known_of_the_file():
    stopped = Attachment(
        contact_id=1, kind="photo", status="refused", error=f"too_big limit={MEGABYTE}"
    )
    assert refusal_words(attachment=stopped, language="id") == (
        "Berkas ditolak: terlalu besar (lebih dari batas 1 MB)"
    )
    assert refusal_words(attachment=stopped, language="en") == (
        "File refused: too large (over the 1 MB limit)"
    )
    untyped = Attachment(contact_id=1, kind="document", status="refused", error="wrong_type")
    assert refusal_words(attachment=untyped, language="id") == (
        "Berkas ditolak: jenis berkas tidak diterima (jenis tidak diketahui)"
    )
    older = Attachment(contact_id=1, kind="photo", status="refused", error=None)
    assert refusal_words(attachment=older, language="id").startswith("Ditolak (terlalu besar")


def test_a_message_with_a_file_wakes_the_downloader_without_waiting_for_its_poll(service):
    fetcher = service.runtime.media
    assert fetcher is not None
    fetcher.poll_seconds = 120.0  # only a wake can fetch within the test's few seconds
    wait_until(lambda: fetcher._event is not None and not fetcher._event.is_set(), what="idle")
    time.sleep(1.2)  # the poll already under way (one second) runs out; the next is 120 s
    url = service.tw.add_media(OGG, "audio/ogg")
    WhatsAppCustomer(service).say(
        "", num_media=1, media_urls=[url], media_content_types=["audio/ogg"]
    )
    [voice] = wait_until(lambda: all_fetched(service.engine), timeout=5, what="the download")
    assert voice.status == "stored"
