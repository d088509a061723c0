"""The staff API: tokens, roles and the complaint operations."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlmodel import Session, select

from db.models import AuditLog, Message
from tests.staff.factories import add_complaint, add_staff, api_token, console_app, signed_in


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_unauthenticated_call_gets_401(app):
    response = TestClient(app).get("/api/v1/complaints")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    bad = TestClient(app).get("/api/v1/complaints", headers=bearer("ka_not-a-token"))
    assert bad.status_code == 401


def test_wrong_role_gets_403(app, engine):
    editor = add_staff(engine, "eddy", "editor")
    response = TestClient(app).get("/api/v1/complaints", headers=bearer(api_token(engine, editor)))
    assert response.status_code == 403


def test_agent_token_works_a_complaint_end_to_end(app, engine):
    agent = add_staff(engine, "billing-system", "agent")
    complaint = add_complaint(engine, phone="+6281234567890")
    client = TestClient(app, headers=bearer(api_token(engine, agent)))
    [listed] = client.get("/api/v1/complaints").json()
    assert listed["ticket_number"] == complaint.ticket_number
    assert listed["customer_phone"] == "+62 812-****-7890"
    url = f"/api/v1/complaints/{complaint.ticket_number}"
    reply = client.post(f"{url}/reply", json={"text": "Tagihan sudah dikoreksi"})
    assert reply.status_code == 201
    assert reply.json()["first_response_at"] is not None
    assert client.post(f"{url}/notes", json={"text": "cek lagi bulan depan"}).status_code == 201
    assert client.post(f"{url}/assign", json={"assignee": "billing-system"}).json()["assignee"] == (
        "billing-system"
    )
    done = client.post(f"{url}/status", json={"status": "resolved"}).json()
    assert done["status"] == "resolved" and done["resolved_at"]
    kinds = [event["kind"] for event in done["history"]]
    assert kinds == ["status", "reply", "note", "assign", "status"]
    with Session(engine) as session:
        # the reply, the resolution and the satisfaction question
        assert len(session.exec(select(Message).where(Message.direction == "out")).all()) == 3
        actions = session.exec(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["complaint.reply", "complaint.note", "complaint.assign", "complaint.status"]


def test_refusals_are_4xx_with_the_field(app, engine):
    agent = add_staff(engine, "siti", "agent")
    complaint = add_complaint(engine)
    client = TestClient(app, headers=bearer(api_token(engine, agent)))
    url = f"/api/v1/complaints/{complaint.ticket_number}"
    response = client.post(f"{url}/status", json={"status": "rejected"})
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "reason"] and problem["msg"] == "Alasan tidak boleh kosong."
    closing = client.post(
        f"{url}/status", json={"status": "closed"}, headers={"Accept-Language": "en"}
    )
    assert closing.json()["detail"][0]["msg"] == "The status cannot change from Received to Closed."
    assert client.post(f"{url}/status", json={"status": "closed"}).status_code == 422
    assert client.post(f"{url}/assign", json={"assignee": "nobody"}).status_code == 422
    assert client.post(f"{url}/reply", json={"text": ""}).status_code == 422
    assert client.get("/api/v1/complaints/ADU-999999").status_code == 404


def test_bootstrap_admin_token_is_accepted_and_audited_as_such(settings, engine):
    settings = settings.model_copy(update={"admin_api_token": SecretStr("bootstrap-secret")})
    app = console_app(settings, engine)
    complaint = add_complaint(engine)
    client = TestClient(app, headers=bearer("bootstrap-secret"))
    url = f"/api/v1/complaints/{complaint.ticket_number}/notes"
    assert client.post(url, json={"text": "via token"}).status_code == 201
    with Session(engine) as session:
        row = session.exec(select(AuditLog)).one()
    assert row.staff_id is None and row.detail["via"] == "api"


def test_cookie_session_needs_the_csrf_header_for_changes(app, engine):
    client = signed_in(app, engine, "siti", "agent")
    complaint = add_complaint(engine)
    url = f"/api/v1/complaints/{complaint.ticket_number}/notes"
    assert client.get("/api/v1/complaints").status_code == 200
    assert client.post(url, json={"text": "x"}).status_code == 403


def test_only_supervisors_change_targets_through_the_api(app, engine):
    agent = add_staff(engine, "siti", "agent")
    boss = add_staff(engine, "sari", "supervisor")
    body = {"first_response_minutes": 30, "resolution_minutes": 600}
    url = "/api/v1/response-targets/no_water"
    assert (
        TestClient(app).put(url, json=body, headers=bearer(api_token(engine, agent))).status_code
        == 403
    )
    response = TestClient(app).put(url, json=body, headers=bearer(api_token(engine, boss)))
    assert response.json() == {"category": "no_water", **body}
