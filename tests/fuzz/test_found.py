"""What the fuzz runs found, pinned as plain tests (each gave a 500 or a failed turn before)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.runtime import Runtime
from channels import telegram as tg
from tests.bot.conftest import conversation, customer  # noqa: F401
from tests.channels.conftest import PUBLIC, TG_SECRET, Service
from tests.fakes.telegram_updates import WEBHOOK_SECRET_HEADER, telegram_update
from tests.fakes.twilio_webhooks import (
    signed_headers,
    signed_status_callback_form,
    signed_whatsapp_form,
)
from tests.fuzz.hostile import errors_logged
from tests.staff.factories import add_complaint, add_staff, api_token, csrf_of, signed_in


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "100"])
def test_a_telegram_location_that_is_no_place_is_taken_without_one(make_service, caplog, number):
    """PostgreSQL's JSON has no NaN: the intake journal refused the message (503 forever)."""
    service: Service = make_service()
    update = telegram_update(5001, 777001, latitude=1.0, longitude=2.0)
    body = json.dumps(update).replace('"latitude": 1.0', f'"latitude": {number}').encode()
    headers = {WEBHOOK_SECRET_HEADER: TG_SECRET, "Content-Type": "application/json"}
    assert service.client.post("/webhooks/telegram", content=body, headers=headers).is_success
    service.settle()
    assert errors_logged(caplog) == []


def test_a_whatsapp_location_that_is_no_place_is_taken_without_one(make_service, caplog):
    service: Service = make_service()
    url = PUBLIC + "/webhooks/whatsapp"
    form, _ = signed_whatsapp_form(url, service.tw.auth_token)
    form |= {"Latitude": "nan", "Longitude": "inf", "MessageType": "location"}
    headers = signed_headers(url, form, service.tw.auth_token)
    assert service.client.post("/webhooks/whatsapp", data=form, headers=headers).is_success
    service.settle()
    assert errors_logged(caplog) == []


def test_a_status_callback_for_a_row_beyond_any_id_is_ignored(make_service):
    """`?message=99999999999` went to PostgreSQL as an INTEGER and failed there."""
    service: Service = make_service()
    url = PUBLIC + "/webhooks/whatsapp/status?message=99999999999"
    form, headers = signed_status_callback_form(
        url,
        service.tw.auth_token,
        message_sid="SMx",
        status="delivered",
        to="whatsapp:+62",
        from_="x",
    )
    response = service.client.post(
        "/webhooks/whatsapp/status?message=99999999999", data=form, headers=headers
    )
    assert response.status_code == 204


@pytest.mark.parametrize("text", ["²", "①②", "¹²³"])
def test_a_digit_int_cannot_read_gets_a_normal_answer(customer, text):  # noqa: F811
    """str.isdigit() says yes to '²', int() says no: the turn failed with an apology."""
    answer = customer.say(text)
    assert "gangguan pada sistem" not in answer
    customer.say("2")
    assert "gangguan pada sistem" not in customer.say(text)


@pytest.fixture
def admin(settings, engine) -> TestClient:
    app = create_app(settings, runtime=Runtime.start(settings, engine=engine))
    add_complaint(engine)
    return signed_in(app, engine, "fuzz-admin", "admin")


@pytest.mark.parametrize(
    "path",
    [
        "/staff/complaints/2147483648",
        "/staff/people/99999999999",
        "/staff/notices/2147483648",
        "/staff/notices/2147483648/edit",
        "/staff/inbox?assignee=999999999999",
        "/staff/inbox?assignee=%C2%B2",
    ],
)
def test_a_row_number_beyond_any_id_names_nothing(admin, path):
    """PostgreSQL refuses a number past its INTEGER range: these were 500s there."""
    assert admin.get(path).status_code in (200, 404, 422)


@pytest.mark.parametrize("assignee", ["²", "999999999999"])
def test_assigning_to_a_number_that_is_nobody_is_refused_inline(admin, assignee):
    token = csrf_of(admin.get("/staff/complaints/1").text)
    response = admin.post(
        "/staff/complaints/1/assign", data={"csrf_token": token, "assignee_id": assignee}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("field", ["reminder_hours", "title", "areas", "urgent", "cause"])
def test_a_null_for_a_notice_field_that_cannot_be_empty_is_a_422(settings, engine, field):
    """An explicit null reached the domain, which called .split() on it."""
    app = create_app(settings, runtime=Runtime.start(settings, engine=engine))
    headers = {
        "Authorization": f"Bearer {api_token(engine, add_staff(engine, 'redaksi', 'admin'))}"
    }
    client = TestClient(app)
    notice = {"kind": "planned", "title": "Perbaikan pipa", "areas": ["63.03.04"]}
    made = client.post(
        "/api/v1/notices", json=notice | {"starts_at": "2031-01-05T08:00:00"}, headers=headers
    )
    assert made.status_code == 201, made.text
    response = client.patch(
        f"/api/v1/notices/{made.json()['id']}", json={field: None}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", field]


def test_a_photo_list_with_junk_entries_is_read_not_a_500():
    """Found by the fuzz run: a `photo` array holding null or a number besides real sizes."""
    update = {
        "update_id": 77,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 5, "type": "private"},
            "from": {"id": 5, "is_bot": False, "first_name": "A"},
            "photo": [None, 3, {"file_id": "small", "width": 90}, {"file_id": "big", "width": "x"}],
        },
    }
    parsed = tg.parse_update(update)
    assert parsed.inbound is not None
    assert [media.ref for media in parsed.inbound.media] == ["small"]
