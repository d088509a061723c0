"""Webhook POSTs skip the staff middleware (bot.middleware.WebhookFastPath) and keep every
promise the webhooks make: their body limit, 503 when the database is away, text as typed."""

from __future__ import annotations

import shutil
from urllib.parse import parse_qsl, urlencode

import pytest
from sqlmodel import Session, select

from channels.webhooks import MAX_BODY, MAX_FORM_FIELDS, form_fields
from db.engine import make_engine
from db.models import Message
from tests.channels.conftest import PUBLIC, TG_SECRET, wait_until
from tests.fakes.telegram_updates import WEBHOOK_SECRET_HEADER
from tests.fakes.twilio_webhooks import (
    new_sid,
    signed_headers,
    signed_status_callback_form,
    signed_whatsapp_form,
)


def test_a_webhook_body_over_its_limit_is_refused_even_without_a_length(service):
    chunks = (b'{"update_id": 1, "message": {"text": "' + b"a" * 65536 for _ in range(5))
    response = service.client.post(
        "/webhooks/telegram",
        content=chunks,  # sent chunked: no Content-Length to refuse it by
        headers={WEBHOOK_SECRET_HEADER: TG_SECRET, "Content-Type": "application/json"},
    )
    assert MAX_BODY < 5 * 65536
    assert response.status_code == 413
    with Session(service.engine) as session:
        assert session.exec(select(Message)).all() == []


def test_a_status_callback_with_the_database_away_gets_503_so_twilio_tries_again(service, tmp_path):
    gone = tmp_path / "gone"
    broken = make_engine(f"sqlite:///{gone}/kabar-air.db")
    shutil.rmtree(gone)
    url = PUBLIC + "/webhooks/whatsapp/status"
    form, headers = signed_status_callback_form(
        url, service.tw.auth_token, message_sid=new_sid(), status="delivered",
        to="whatsapp:+6281234567890", from_="whatsapp:+14155238886",
    )  # fmt: skip
    hub = service.runtime.channels
    engine, hub.engine = hub.engine, broken
    try:
        response = service.client.post("/webhooks/whatsapp/status", data=form, headers=headers)
    finally:
        hub.engine = engine
        broken.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert "database" in response.json()["detail_en"]


def test_a_whatsapp_text_arrives_as_typed_and_a_multipart_form_is_taken_too(service):
    typed = "Air mati + 100% di Jl. Ñangka; a=b & c 😀"
    assert service.whatsapp(typed).status_code == 200

    url = PUBLIC + "/webhooks/whatsapp"
    form, _ = signed_whatsapp_form(url, service.tw.auth_token, body="lewat multipart")
    headers = signed_headers(url, form, service.tw.auth_token)
    del headers["Content-Type"]  # the client sets multipart/form-data with its boundary
    fields = {name: (None, value) for name, value in form.items()}
    assert (
        service.client.post("/webhooks/whatsapp", files=fields, headers=headers).status_code == 200
    )

    def taken() -> bool:
        with Session(service.engine) as session:
            texts = {m.text for m in session.exec(select(Message).where(Message.direction == "in"))}
        return {typed, "lewat multipart"} <= texts

    assert wait_until(taken, what="both messages in the conversation")


def test_a_forged_form_with_extra_fields_in_the_body_is_refused(service):
    url = PUBLIC + "/webhooks/whatsapp"
    form, headers = signed_whatsapp_form(url, service.tw.auth_token, body="halo")
    body = urlencode(form) + "&Body=tambahan"  # a later duplicate replaces what was signed
    response = service.client.post("/webhooks/whatsapp", content=body, headers=headers)
    assert response.status_code == 403


def test_without_a_public_url_twilio_signs_the_url_a_trusted_proxy_was_called_at(make_service):
    service = make_service(public_base_url=None, forwarded_allow_ips="*")
    public = "https://air.example.id/webhooks/whatsapp"
    form, headers = signed_whatsapp_form(public, service.tw.auth_token, body="halo")
    headers |= {"Host": "air.example.id", "X-Forwarded-Proto": "https"}
    response = service.client.post("/webhooks/whatsapp", data=form, headers=headers)
    assert response.status_code == 200
    del headers["X-Forwarded-Proto"]  # the same request seen as http: not what Twilio signed
    response = service.client.post("/webhooks/whatsapp", data=form, headers=headers)
    assert response.status_code == 403


def test_twilio_forms_are_read_exactly_as_the_standard_parser_reads_them():
    bodies = [
        "Body=Air+mati+%2B+100%25&From=whatsapp%3A%2B6281&NumMedia=0",
        "Body=%F0%9F%98%80+%C3%91angka&Body=second+wins&empty=&flag",
        "a=b=c&&=lonely&%ZZ=bad+escape&Ñ=latin",
        "Body=%ff%fe+not+utf8",
    ]
    for body in bodies:
        assert form_fields(body) == dict(parse_qsl(body, keep_blank_values=True)), body
    with pytest.raises(ValueError):
        form_fields("&".join(f"f{n}=1" for n in range(MAX_FORM_FIELDS + 1)))
