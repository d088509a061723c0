"""WhatsApp end to end: Twilio's signed form posts in, the real engine, Messages API out."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import Session, func, select

from channels.whatsapp import parse_form
from db.models import Complaint, Contact, InboundReceipt, Message
from db.types import utcnow
from tests.channels.conftest import PUBLIC, TEMPLATE_NOTICE, WhatsAppCustomer, wait_until
from tests.fakes.twilio_api import (
    CHANNEL_RATE_LIMITED,
    OUTSIDE_WINDOW,
    SERVICE_UNAVAILABLE,
    UNSUBSCRIBED,
    too_many_requests,
)
from tests.fakes.twilio_webhooks import (
    DEFAULT_AUTH_TOKEN,
    SANDBOX_NUMBER,
    signed_status_callback_form,
    signed_whatsapp_form,
)

TICKET = re.compile(r"ADU-\d{6}")
SITI = "whatsapp:+6281234567890"


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def add_contact(engine, *, address: str = SITI, last_inbound_hours: float | None = 1) -> int:
    last = utcnow() - timedelta(hours=last_inbound_hours) if last_inbound_hours else None
    with Session(engine) as session:
        contact = Contact(channel="whatsapp", channel_user_id=address, last_inbound_at=last)
        session.add(contact)
        session.commit()
        assert contact.id is not None
        return contact.id


def queue(engine, contact_id: int, text: str, **fields) -> int:
    with Session(engine) as session:
        row = Message(
            contact_id=contact_id, direction="out", channel="whatsapp", text=text,
            status="pending", **fields,
        )  # fmt: skip
        session.add(row)
        session.commit()
        assert row.id is not None
        return row.id


def message(engine, row_id: int) -> Message:
    with Session(engine) as session:
        row = session.get(Message, row_id)
        assert row is not None
        return row


def test_a_customer_files_a_complaint_checks_it_subscribes_and_stops(service):
    siti = WhatsAppCustomer(service)
    menu = siti.say("halo")
    assert "Pilih layanan" in menu
    assert "2. Buat pengaduan" in menu  # choices as a numbered list
    assert "1. Air tidak mengalir" in siti.say("2")
    assert "Tulis nama desa" in siti.say("1")
    assert "alamat lengkap" in siti.say("Tatah Bangkal")
    assert "Ceritakan masalahnya" in siti.say(
        "Jl. Tatah Bangkal RT 3, dekat langgar, no pel 0123 4567"
    )
    summary = siti.say("Air keruh sejak kemarin", num_media=1)
    assert "Masalah: Air tidak mengalir" in summary
    ticket = TICKET.search(siti.say("1")).group(0)

    assert ticket in siti.say(f"status {ticket}")
    siti.say("menu")
    siti.say("4")
    assert "Kecamatan Aluh Aluh" in siti.say("aluh2")
    assert "tidak akan menerima info gangguan lagi" in siti.say("STOP")

    sent = service.tw.sent_messages(to=SITI)
    assert {m["from"] for m in sent} == {SANDBOX_NUMBER}
    callbacks = [m["status_callback"] for m in sent]
    assert all(url.startswith(PUBLIC + "/webhooks/whatsapp/status?message=") for url in callbacks)
    with Session(service.engine) as session:
        contact = session.exec(select(Contact)).one()
        complaint = session.exec(select(Complaint)).one()
    assert contact.phone == "+6281234567890"
    assert contact.display_name == "Budi Santoso"
    assert contact.opted_out is True
    assert complaint.ticket_number == ticket
    assert complaint.media_ref.startswith("https://api.twilio.com/")


def signed_post(service, *, url: str, token: str = DEFAULT_AUTH_TOKEN, tamper: bool = False):
    form, headers = signed_whatsapp_form(url, token, body="halo", from_=SITI)
    if tamper:
        form["Body"] = "status ADU-000001"
    return service.client.post("/webhooks/whatsapp", data=form, headers=headers)


@pytest.mark.parametrize(
    "how",
    ["missing", "wrong token", "other url", "tampered", "seen url not public"],
)
def test_a_bad_signature_is_refused_and_nothing_is_stored(service, how):
    url = PUBLIC + "/webhooks/whatsapp"
    if how == "missing":
        form, _ = signed_whatsapp_form(url, body="halo", from_=SITI)
        response = service.client.post("/webhooks/whatsapp", data=form)
    elif how == "wrong token":
        response = signed_post(service, url=url, token="0" * 32)
    elif how == "other url":
        response = signed_post(service, url="https://evil.example/webhooks/whatsapp")
    elif how == "tampered":
        response = signed_post(service, url=url, tamper=True)
    else:  # signed for the address the app sees, not the public one Twilio called
        response = signed_post(service, url="http://testserver/webhooks/whatsapp")
    assert response.status_code == 403
    assert count(service.engine, Message) == 0
    assert count(service.engine, InboundReceipt) == 0
    assert count(service.runtime.channels.journal, InboundReceipt) == 0


def test_a_redelivered_message_files_one_complaint(service):
    siti = WhatsAppCustomer(service)
    for text in ["halo", "2", "1", "Tatah Bangkal", "Jl. Mawar 1", "lewati", "air mati"]:
        siti.say(text)
    form, headers = signed_whatsapp_form(PUBLIC + "/webhooks/whatsapp", body="1", from_=SITI)
    for _ in range(3):
        response = service.client.post("/webhooks/whatsapp", data=form, headers=headers)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/xml")
    service.settle()
    assert count(service.engine, Complaint) == 1
    assert siti.read().count("Nomor tiket") == 1


@pytest.mark.parametrize(
    "change",
    [{"MessageSid": ""}, {"From": "+6281234567890"}, {"From": ""}, {"MessageSid": "x" * 80}],
)
def test_malformed_forms_get_400(service, change):
    url = PUBLIC + "/webhooks/whatsapp"
    form, _ = signed_whatsapp_form(url, body="halo", from_=SITI)
    form.update(change)
    headers = _sign(url, form)
    response = service.client.post("/webhooks/whatsapp", data=form, headers=headers)
    assert response.status_code == 400
    assert count(service.engine, Message) == 0


def test_bodies_that_are_not_forms_never_get_500(service):
    url = PUBLIC + "/webhooks/whatsapp"
    headers = _sign(url, {}) | {"Content-Type": "application/json"}
    for body in [b'{"Body": "halo"}', b"\xff\xfe\x00", b"a=%zz&b", b""]:
        response = service.client.post("/webhooks/whatsapp", content=body, headers=headers)
        assert 400 <= response.status_code < 500
    multipart = {"Content-Type": "multipart/form-data; boundary=x", "X-Twilio-Signature": "x"}
    response = service.client.post("/webhooks/whatsapp", content=b"--x\r\nbad", headers=multipart)
    assert 400 <= response.status_code < 500


def test_a_signature_made_with_the_port_written_out_is_taken_and_a_strange_one_refused(service):
    """Twilio signs some requests with ':443' in the URL: the library's second try still runs."""
    with_port = PUBLIC + ":443"  # PUBLIC has no path: the port goes right after the host
    response = signed_post(service, url=with_port + "/webhooks/whatsapp")
    assert response.status_code == 200
    form, _ = signed_whatsapp_form(PUBLIC + "/webhooks/whatsapp", body="halo", from_=SITI)
    strange = {"X-Twilio-Signature": "sïgnatür€=".encode()}  # bytes beyond ASCII
    response = service.client.post("/webhooks/whatsapp", data=form, headers=strange)
    assert response.status_code == 403


def _sign(url: str, form: dict[str, str]) -> dict[str, str]:
    from twilio.request_validator import RequestValidator

    return {"X-Twilio-Signature": RequestValidator(DEFAULT_AUTH_TOKEN).compute_signature(url, form)}


def test_status_callbacks_never_move_a_message_backwards(service):
    row = queue(service.engine, add_contact(service.engine), "Air sudah normal kembali.")
    service.settle()
    sid = message(service.engine, row).provider_message_id
    assert sid
    for status in ["delivered", "sent", "queued", "read", "delivered", "failed"]:
        response = status_callback(service, sid, status)
        assert response.status_code == 204
    assert message(service.engine, row).status == "read"


def _lost_answer(engine, row_id: int) -> None:
    """What a kill -9 between Twilio's acceptance and our recording leaves: unknown, no sid."""
    with Session(engine) as session:
        row = session.get(Message, row_id)
        assert row is not None
        row.status, row.provider_message_id = "unknown", None
        session.add(row)
        session.commit()


def test_an_unknown_message_settles_when_twilio_calls_back_for_it(service):
    """The callback URL names our row, so a crash that lost Twilio's answer loses nothing."""
    contact = add_contact(service.engine)
    row = queue(service.engine, contact, "Pemberitahuan gangguan")
    service.settle()
    [sent] = service.tw.sent_messages(to=SITI)
    assert sent["status_callback"] == f"{PUBLIC}/webhooks/whatsapp/status?message={row}"
    _lost_answer(service.engine, row)

    assert (
        status_callback(service, sent["sid"], "delivered", url=sent["status_callback"]).status_code
        == 204
    )
    settled = message(service.engine, row)
    assert (settled.status, settled.provider_message_id) == ("delivered", sent["sid"])
    assert status_callback(service, sent["sid"], "read").status_code == 204  # by its sid now
    assert message(service.engine, row).status == "read"


def test_a_callback_never_takes_over_a_row_that_is_not_unknown(service):
    contact = add_contact(service.engine)
    first = queue(service.engine, contact, "satu")
    second = queue(service.engine, contact, "dua")
    service.settle()
    one, two = service.tw.sent_messages(to=SITI)
    _lost_answer(service.engine, first)
    # a forged or stray URL naming the other (sent) row changes nothing there
    stray = f"{PUBLIC}/webhooks/whatsapp/status?message={second}"
    assert status_callback(service, one["sid"], "failed", url=stray).status_code == 204
    assert message(service.engine, second).status == "sent"
    assert message(service.engine, first).status == "unknown"  # no callback for it yet
    assert two["sid"] == message(service.engine, second).provider_message_id


def test_a_status_callback_must_be_signed(service):
    response = service.client.post(
        "/webhooks/whatsapp/status", data={"MessageSid": "SM1", "MessageStatus": "read"}
    )
    assert response.status_code == 403


def status_callback(
    service, sid: str, status: str, error_code: int | None = None, url: str | None = None
):
    """Twilio's signed status callback for a message the fake accepted, posted to the app
    (at `url`, the message's own StatusCallback, when given)."""
    url = url or PUBLIC + "/webhooks/whatsapp/status"
    resource = service.tw.messages[sid]
    form, headers = signed_status_callback_form(
        url, DEFAULT_AUTH_TOKEN, message_sid=sid, status=status, to=resource["to"],
        from_=resource["from"] or "", error_code=error_code,
    )  # fmt: skip
    return service.client.post(url.removeprefix(PUBLIC), data=form, headers=headers)


def test_outside_the_window_a_notice_goes_as_its_template(service):
    contact = add_contact(service.engine, last_inbound_hours=48)
    variables = {"1": "Sungai Tabuk", "2": "Sabtu 08.00–16.00 WITA"}
    notice = queue(service.engine, contact, "Pemeliharaan pipa...", template_kind="notice",
                   template_variables=variables)  # fmt: skip
    reply = queue(service.engine, contact, "Terima kasih")
    service.settle()
    [sent] = service.tw.sent_messages(to=SITI)
    assert sent["content_sid"] == TEMPLATE_NOTICE
    assert sent["content_variables"] == variables
    assert sent["body"] is None
    assert message(service.engine, notice).status == "sent"
    failed = message(service.engine, reply)
    assert failed.status == "failed"
    assert "24-hour window" in failed.last_error


def test_63016_at_send_time_falls_back_to_the_template(service):
    contact = add_contact(service.engine, last_inbound_hours=2)
    service.tw.fail_next(OUTSIDE_WINDOW, to=SITI)
    row = queue(service.engine, contact, "Gangguan di daerah Anda", template_kind="notice",
                template_variables={"1": "Martapura"})  # fmt: skip
    service.settle()
    [sent] = service.tw.sent_messages(to=SITI)
    assert sent["content_sid"] == TEMPLATE_NOTICE
    assert message(service.engine, row).status == "sent"


def test_63016_in_a_status_callback_resends_as_the_template(service):
    contact = add_contact(service.engine, last_inbound_hours=2)
    row = queue(service.engine, contact, "Gangguan di daerah Anda", template_kind="notice",
                template_variables={"1": "Martapura"})  # fmt: skip
    service.settle()
    [freeform] = service.tw.sent_messages(to=SITI)
    assert freeform["body"] == "Gangguan di daerah Anda"
    response = status_callback(service, freeform["sid"], "failed", error_code=63016)
    assert response.status_code == 204
    service.settle()
    _freeform, template = service.tw.sent_messages(to=SITI)
    assert template["content_sid"] == TEMPLATE_NOTICE
    assert message(service.engine, row).provider_message_id == template["sid"]
    assert message(service.engine, row).status == "sent"


def test_21610_marks_the_contact_opted_out(service):
    contact = add_contact(service.engine)
    service.tw.fail_next(UNSUBSCRIBED, to=SITI)
    row = queue(service.engine, contact, "Info gangguan")
    service.settle()
    assert message(service.engine, row).status == "failed"
    assert "21610" in message(service.engine, row).last_error
    with Session(service.engine) as session:
        assert session.get(Contact, contact).opted_out is True


@pytest.mark.parametrize("error", [CHANNEL_RATE_LIMITED, too_many_requests(1), SERVICE_UNAVAILABLE])
def test_rate_limits_and_outages_back_off_and_lose_nothing(service, error):
    contact = add_contact(service.engine)
    service.tw.fail_next(error, times=2)
    rows = [queue(service.engine, contact, f"Pesan {n}") for n in range(3)]
    service.settle(timeout=30)
    assert [m["body"] for m in service.tw.sent_messages(to=SITI)] == [
        "Pesan 0",
        "Pesan 1",
        "Pesan 2",
    ]
    assert {message(service.engine, r).status for r in rows} == {"sent"}


def test_a_messaging_service_can_send_instead_of_a_number(make_service):
    service = make_service(twilio_whatsapp_from="", twilio_messaging_service_sid="MG" + "1" * 32)
    WhatsAppCustomer(service).say("halo")
    [sent] = service.tw.sent_messages(to=SITI)
    assert sent["messaging_service_sid"] == "MG" + "1" * 32
    assert sent["from"] is None


def test_media_location_and_button_payload_are_translated():
    form, _ = signed_whatsapp_form(
        PUBLIC + "/webhooks/whatsapp", body="", from_=SITI, num_media=2,
        latitude=-3.44, longitude=114.83, button_payload="area:63.03.04",
    )  # fmt: skip
    inbound = parse_form(form)
    assert len(inbound.media) == 2
    assert (inbound.location.latitude, inbound.location.longitude) == (-3.44, 114.83)
    assert inbound.text == "area:63.03.04"
    assert inbound.raw_id == form["MessageSid"]


def test_the_reply_waits_for_nothing_but_the_database(service):
    service.tw.delay_ms = 300  # a slow provider does not slow the webhook down
    response = service.whatsapp("halo", from_=SITI)
    assert response.status_code == 200
    assert response.elapsed.total_seconds() < 0.3
    wait_until(lambda: service.tw.sent_messages(to=SITI), what="the reply")
