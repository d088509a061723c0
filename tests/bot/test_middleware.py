"""What every request passes through (bot.middleware): clean input, bounded bodies, headers.

NUL characters gave 500 on PostgreSQL and lone surrogates on SQLite, in every form and JSON
field, filter and path; a body of any size was read before a 401; no page had a security
header and the back button showed a complaint page from the browser's cache.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import staff
from bot.app import create_app
from bot.runtime import Runtime
from db.models import ComplaintEvent, Message
from tests.staff.factories import (
    PASSWORD,
    add_complaint,
    add_staff,
    api_token,
    csrf_of,
    signed_in,
)

NUL = "\x00"
SURROGATE = "\ud800"


@pytest.fixture
def app(settings, engine):
    return create_app(settings, runtime=Runtime.start(settings, engine=engine))


@pytest.fixture
def api(app, engine) -> TestClient:
    token = api_token(engine, add_staff(engine, "integrasi", "admin"))
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def _events(engine) -> list[str]:
    with Session(engine) as session:
        return [e.text for e in session.exec(select(ComplaintEvent)).all() if e.text]


def test_nul_in_console_forms_is_dropped_never_a_500(app, engine):
    complaint = add_complaint(engine)
    client = signed_in(app, engine, "siti", "agent")
    token = csrf_of(client.get(f"/staff/complaints/{complaint.id}").text)
    forms = {
        "note": {"text": f"catatan{NUL} rahasia"},
        "reply": {"text": f"Petugas{NUL} menuju lokasi"},
        "status": {"status": "rejected", "reason": f"bukan{NUL} wilayah kami"},
    }
    for action, form in forms.items():
        response = client.post(
            f"/staff/complaints/{complaint.id}/{action}", data=form | {"csrf_token": token}
        )
        assert response.status_code < 500, (action, response.text)
    stored = _events(engine)
    assert "catatan rahasia" in stored and "bukan wilayah kami" in " ".join(stored)
    with Session(engine) as session:
        replies = [m.text for m in session.exec(select(Message)).all()]
    assert any("\nPetugas menuju lokasi" in text for text in replies)


def test_nul_in_filters_and_paths_is_dropped_never_a_500(app, engine):
    complaint = add_complaint(engine)
    client = signed_in(app, engine, "siti", "agent")
    inbox = client.get("/staff/inbox", params={"kecamatan": f"63{NUL}71", "q": f"air{NUL}"})
    assert inbox.status_code == 200
    assert client.get(f"/staff/complaints/{complaint.id}%00").status_code == 404


def test_nul_in_the_login_form_before_login_is_never_a_500(app, engine):
    add_staff(engine, "siti", "agent")
    client = TestClient(app)
    token = csrf_of(client.get("/staff/login").text)
    for username, password in [(f"siti{NUL}", PASSWORD), ("siti", f"x{NUL}"), (NUL, NUL)]:
        response = client.post(
            "/staff/login",
            data={"username": username, "password": password, "csrf_token": token},
            follow_redirects=False,
        )
        assert response.status_code < 500  # "siti\0" is signed in as "siti": the NUL is dropped


def test_nul_and_lone_surrogates_in_api_bodies_paths_and_queries_never_give_a_500(api, engine):
    complaint = add_complaint(engine)
    ticket = complaint.ticket_number
    body = json.dumps({"text": f"catatan {SURROGATE}{NUL}api"})  # "\ud800" as JSON sends it
    headers = {"Content-Type": "application/json"}
    note = api.post(f"/api/v1/complaints/{ticket}/notes", content=body, headers=headers)
    assert note.status_code == 201, note.text
    reply = api.post(f"/api/v1/complaints/{ticket}/reply", json={"text": f"balasan{NUL}"})
    assert reply.status_code == 201, reply.text
    assert "catatan \ufffdapi" in _events(engine)
    assert api.get(f"/api/v1/complaints/{ticket}%00").status_code == 404
    assert api.get("/api/v1/complaints/%1A").status_code == 404  # not the list without it
    assert api.get("/api/v1/complaints/ADU-%ED%A0%80").status_code == 404  # half a UTF-16 pair
    assert api.get("/api/v1/complaints", params={"kecamatan": f"63{NUL}"}).status_code == 200


def test_a_body_over_the_limit_gets_413_before_any_sign_in(settings, engine):
    small = settings.model_copy(update={"max_request_body_bytes": 64 * 1024})
    client = TestClient(create_app(small, runtime=Runtime.start(small, engine=engine)))
    huge = b'{"text": "' + b"x" * (200 * 1024) + b'"}'
    response = client.post("/api/v1/complaints/ADU-1/reply", content=huge)
    assert response.status_code == 413
    assert response.json()["detail_en"] == "The request is too large."
    chunked = client.post("/api/v1/complaints/ADU-1/reply", content=iter([huge[:40_000]] * 5))
    assert chunked.status_code == 413
    assert client.post("/api/v1/complaints/ADU-1/reply", json={"text": "x"}).status_code == 401


def test_json_nested_too_deeply_gets_400_not_500(api):
    deep = "[" * 1000 + "]" * 1000
    body = f'{{"text": "x", "extra": {deep}}}'
    response = api.post(
        "/api/v1/complaints/ADU-1/notes",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Isi JSON bertingkat terlalu dalam."


def test_every_answer_carries_the_security_headers(app, engine):
    client = TestClient(app)
    for path in ("/staff/login", "/healthz", "/api/v1/complaints"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "base-uri 'none'" in policy and "form-action 'self'" in policy
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert "strict-transport-security" not in headers  # not over https


def test_console_pages_and_api_answers_are_never_cached(app, engine):
    complaint = add_complaint(engine, phone="+6281234567890")
    client = signed_in(app, engine, "siti", "agent")
    assert client.get(f"/staff/complaints/{complaint.id}").headers["cache-control"] == "no-store"
    assert client.get("/staff/login").headers["cache-control"] == "no-store"
    assert TestClient(app).get("/api/v1/complaints").headers["cache-control"] == "no-store"
    assert "cache-control" not in TestClient(app).get("/healthz").headers


def test_hsts_when_served_over_https(settings, engine):
    https = settings.model_copy(update={"public_base_url": "https://air.example.id"})
    client = TestClient(create_app(https, runtime=Runtime.start(https, engine=engine)))
    assert client.get("/healthz").headers["strict-transport-security"].startswith("max-age=")


def test_no_inline_script_runs_on_a_console_page(app):
    """Scripts come only from our own files: the templates carry none inline."""
    templates = Path(staff.__file__).parent / "templates"
    inline = [
        page.name
        for page in templates.glob("*.html")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.read_text(encoding="utf-8"))
    ]
    assert inline == []
    policy = TestClient(app).get("/staff/login").headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert TestClient(app).get("/staff/static/area-search.js").status_code == 200
