"""The staff API for notices: same rules as the services, 422 naming the field, never a 500."""

from __future__ import annotations

import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select, update
from sqlmodel import Session

from accounts.audit import AuditAction
from core.errors import install as install_error_handler
from core.services import Services, attach
from db.models import AuditLog, Message
from outage_notices.scheduled import Dispatcher
from outage_notices.views import router
from tests.outage_notices.builders import (
    LOK_BAINTAN,
    POLICY,
    SUNGAI_TABUK,
    TATAH_BANGKAL,
    TATAH_MAKMUR,
    add_contact,
    wita,
)
from tests.staff.factories import add_staff, api_token

TOKEN = "test-admin-token-0123456789"
NOW = wita(11, 9)


@pytest.fixture
def client(settings, engine):
    settings.admin_api_token = SecretStr(TOKEN)
    app = FastAPI()
    attach(app, Services(settings=settings, engine=engine))
    install_error_handler(app)
    app.include_router(router)
    with time_machine.travel(NOW, tick=False):
        yield TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"})


def body(**overrides):
    values = {
        "kind": "planned",
        "title": "Perbaikan pipa transmisi",
        "areas": [SUNGAI_TABUK],
        "starts_at": "2026-05-14T08:00:00+08:00",
        "expected_end_at": "2026-05-14T16:00:00+08:00",
        "cause": "Penggantian katup",
        "advice": "Mobil tangki di kantor desa",
    }
    return values | overrides


def fields(response) -> list[str]:
    assert response.status_code == 422, response.text
    return [error["loc"][-1] for error in response.json()["detail"]]


def test_create_publish_and_show_with_delivery_counts(client, engine):
    with Session(engine) as session:
        add_contact(session, "ani", LOK_BAINTAN)
        add_contact(session, "budi", SUNGAI_TABUK, channel="whatsapp")
    created = client.post("/api/v1/notices", json=body())
    assert created.status_code == 201, created.text
    notice = created.json()
    assert notice["status"] == "draft"
    assert notice["areas"] == [{"code": SUNGAI_TABUK, "name": "Sungai Tabuk"}]
    assert notice["history"][0]["kind"] == "created"
    published = client.post(f"/api/v1/notices/{notice['id']}/publish", json={})
    assert published.json()["status"] == "scheduled"
    assert [p["event"] for p in published.json()["pushes"]] == [
        "publish",
        "reminder_24h",
        "reminder_1h",
    ]
    Dispatcher(engine=engine, policy=POLICY).tick(NOW)
    with Session(engine) as session:
        rows = session.scalars(select(Message).order_by(Message.id)).all()
        rows[0].status, rows[1].status = "delivered", "failed"
        session.commit()
    shown = client.get(f"/api/v1/notices/{notice['id']}").json()
    assert shown["delivery"] == {
        "targeted": 2,
        "sent": 1,
        "delivered": 1,
        "failed": 1,
        "pending": 0,
        "unknown": 0,
    }
    assert shown["pushes"][0]["delivery"]["targeted"] == 2
    listed = client.get("/api/v1/notices", params={"status": "scheduled"}).json()
    assert [n["id"] for n in listed] == [notice["id"]]


def test_invalid_notices_are_refused_naming_the_field_and_nothing_is_saved(client):
    early_end = body(expected_end_at="2026-05-13T08:00")
    assert fields(client.post("/api/v1/notices", json=early_end)) == ["expected_end_at"]
    assert fields(client.post("/api/v1/notices", json=body(areas=["99.99"]))) == ["areas"]
    assert fields(client.post("/api/v1/notices", json=body(areas=[]))) == ["areas"]
    assert fields(client.post("/api/v1/notices", json=body(advice="x" * 999, cause="y" * 999))) == [
        "cause"
    ]
    assert fields(client.post("/api/v1/notices", json=body(kind="flood"))) == ["kind"]
    assert fields(client.post("/api/v1/notices", json=body(starts_at="tomorrow"))) == ["starts_at"]
    assert "title" in fields(client.post("/api/v1/notices", json={"kind": "planned"}))
    assert client.get("/api/v1/notices").json() == []


def test_short_notice_asks_for_confirmation(client):
    notice = client.post("/api/v1/notices", json=body(starts_at="2026-05-12T08:00:00+08:00"))
    url = f"/api/v1/notices/{notice.json()['id']}/publish"
    assert fields(client.post(url)) == ["confirm_short_notice"]
    confirmed = client.post(url, json={"confirm_short_notice": True})
    assert confirmed.status_code == 200 and confirmed.json()["short_notice"] is True


def test_restoring_a_cancelled_notice_is_refused(client):
    notice_id = client.post("/api/v1/notices", json=body()).json()["id"]
    client.post(f"/api/v1/notices/{notice_id}/publish")
    cancelled = client.post(f"/api/v1/notices/{notice_id}/cancel", json={"text": "Ditunda"})
    assert cancelled.json()["status"] == "cancelled"
    restored = client.post(f"/api/v1/notices/{notice_id}/restore")
    assert fields(restored) == ["status"]
    assert restored.json()["detail"][0]["msg"] == (
        "Pemberitahuan ini dibatalkan; tidak bisa dinyatakan pulih."
    )


def test_a_refusal_is_a_422_naming_the_field_in_the_askers_language(client, engine):
    early_end = body(expected_end_at="2026-05-14T07:00:00+08:00")
    indonesian = client.post("/api/v1/notices", json=early_end)
    assert indonesian.status_code == 422
    assert indonesian.json()["detail"] == [
        {
            "loc": ["body", "expected_end_at"],
            "msg": "Waktu selesai harus sesudah waktu mulai.",
            "type": "value_error",
            "key": "end_after_start",
        }
    ]
    english = client.post("/api/v1/notices", json=early_end, headers={"Accept-Language": "en"})
    assert english.json()["detail"][0]["msg"] == "The end time must be after the start time."
    preferred = {"Accept-Language": "fr, en;q=0.8, id;q=0.5"}
    assert (
        "after the start" in client.post("/api/v1/notices", json=early_end, headers=preferred).text
    )
    with Session(engine) as session:
        assert list(session.scalars(select(AuditLog))) == [], "a refusal is not audited"


def test_each_action_is_audited_under_its_one_name(client, engine):
    notice_id = client.post("/api/v1/notices", json=body()).json()["id"]
    client.post(f"/api/v1/notices/{notice_id}/publish")
    with Session(engine) as session:
        rows = list(session.scalars(select(AuditLog).order_by(AuditLog.id)))
    assert [row.action for row in rows] == [AuditAction.notice_create, AuditAction.notice_publish]
    assert [row.action for row in rows] == ["notice.create", "notice.publish"]
    assert {row.detail["via"] for row in rows} == {"api"}


def test_update_and_extend_keep_history(client):
    notice_id = client.post("/api/v1/notices", json=body()).json()["id"]
    edited = client.patch(
        f"/api/v1/notices/{notice_id}", json={"advice": "Tangki di SDN 1", "note": "lokasi baru"}
    )
    assert edited.json()["advice"] == "Tangki di SDN 1"
    assert edited.json()["history"][0] == {**edited.json()["history"][0], "text": "lokasi baru"}
    assert fields(client.patch(f"/api/v1/notices/{notice_id}", json={"areas": ["x"]})) == ["areas"]
    early = client.post(
        f"/api/v1/notices/{notice_id}/extend", json={"expected_end_at": "2026-05-14T20:00+08:00"}
    )
    assert fields(early) == ["status"]


def test_unknown_notice_is_404_and_bad_ids_are_422(client):
    missing = client.get("/api/v1/notices/999")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Pemberitahuan #999 tidak ada."}
    assert client.post("/api/v1/notices/999/publish").status_code == 404
    assert client.get("/api/v1/notices/abc").status_code == 422


def test_credentials_and_roles_are_checked(client, engine):
    no_token = client.get("/api/v1/notices", headers={"Authorization": ""})
    assert no_token.status_code == 401
    wrong = client.get("/api/v1/notices", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    agent = api_token(engine, add_staff(engine, "agus", "agent"))
    as_agent = {"Authorization": f"Bearer {agent}"}
    assert client.get("/api/v1/notices", headers=as_agent).status_code == 200
    assert client.post("/api/v1/notices", json=body(), headers=as_agent).status_code == 403
    editor = api_token(engine, add_staff(engine, "eddy", "editor"))
    as_editor = {"Authorization": f"Bearer {editor}"}
    assert client.post("/api/v1/notices", json=body(), headers=as_editor).status_code == 201


def test_rotation_windows_include_those_declared_on_the_kecamatan(client):
    desa = client.post(
        "/api/v1/rotations",
        json={
            "area": TATAH_BANGKAL,
            "weekdays": "Sen,Rab,Jum",
            "start_time": "05:00",
            "end_time": "11:00",
            "valid_from": "2026-05-01",
            "valid_until": "2026-05-31",
        },
    )
    assert desa.status_code == 201, desa.text
    assert desa.json()["weekdays"] == "0,2,4"
    client.post(
        "/api/v1/rotations",
        json={
            "area": TATAH_MAKMUR,
            "weekdays": "mon-fri",
            "start_time": "22:00",
            "end_time": "02:00",
            "valid_from": "2026-05-01",
            "valid_until": "2026-05-31",
        },
    )
    monday = client.get(
        "/api/v1/rotations/windows", params={"area": TATAH_BANGKAL, "day": "2026-05-11"}
    ).json()
    assert [(w["area_code"], w["starts_at"], w["ends_at"]) for w in monday] == [
        (TATAH_BANGKAL, "2026-05-10T21:00:00Z", "2026-05-11T03:00:00Z"),
        (TATAH_MAKMUR, "2026-05-11T14:00:00Z", "2026-05-11T18:00:00Z"),
    ]
    bad = client.post(
        "/api/v1/rotations",
        json={
            "area": TATAH_BANGKAL,
            "weekdays": "someday",
            "start_time": "05:00",
            "end_time": "05:00",
            "valid_from": "2026-05-31",
            "valid_until": "2026-05-01",
        },
    )
    assert sorted(fields(bad)) == ["end_time", "valid_until", "weekdays"]
    assert len(client.get("/api/v1/rotations", params={"area": TATAH_BANGKAL}).json()) == 1


def test_openapi_documents_the_notice_operations(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/notices", "/api/v1/notices/{notice_id}/publish", "/api/v1/rotations"):
        assert path in paths
    assert "422" in paths["/api/v1/notices"]["post"]["responses"]


def test_reading_notices_does_not_wait_for_a_busy_writer(client, engine):
    """Staff looking at notices during a fan-out neither wait for it nor hold it up."""
    created = client.post("/api/v1/notices", json=body())
    assert created.status_code == 201, created.text
    notice_id = created.json()["id"]
    with engine.begin() as busy:  # on SQLite: the file's one write lock, held meanwhile
        busy.execute(update(Message.__table__).values(attempts=0))
        listed = client.get("/api/v1/notices")
        shown = client.get(f"/api/v1/notices/{notice_id}")
    assert listed.status_code == 200 and shown.status_code == 200
    assert [n["title"] for n in listed.json()] == ["Perbaikan pipa transmisi"]
    assert shown.json()["areas"][0]["code"] == SUNGAI_TABUK
