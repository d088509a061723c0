"""Notices in the console: the area picker, drafts with a preview, publishing, permissions."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from db.models import AuditLog, Notice, Push, ServiceArea
from db.types import utcnow
from tests.staff.factories import console_app, csrf_of, signed_in

WITA = ZoneInfo("Asia/Makassar")


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def _code(engine, name: str) -> str:
    with Session(engine) as session:
        code = session.exec(
            select(ServiceArea.code).where(
                ServiceArea.name == name, ServiceArea.level == "district"
            )
        ).first()
    assert code is not None, name
    return code


def _local(moment) -> str:
    return moment.astimezone(WITA).strftime("%Y-%m-%dT%H:%M")


def _draft(client, engine, *, kind="unplanned", start_in=timedelta(hours=1)) -> int:
    page = client.get("/staff/notices/new")
    assert "Kec. Kertak Hanyar" in page.text
    response = client.post(
        "/staff/notices",
        data={
            "csrf_token": csrf_of(page.text),
            "kind": kind,
            "title": "Perbaikan pipa transmisi",
            "starts_at": _local(utcnow() + start_in),
            "expected_end_at": _local(utcnow() + start_in + timedelta(hours=6)),
            "advice": "Mobil tangki di kantor desa pukul 10.00",
            "areas": [_code(engine, "Kertak Hanyar")],
        },
    )
    assert response.status_code == 200, response.text
    return int(str(response.url).rstrip("/").split("?")[0].split("/")[-1])


def test_editor_drafts_previews_and_publishes_a_notice(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    notice_id = _draft(client, engine)
    page = client.get(f"/staff/notices/{notice_id}")
    assert 'data-preview="id"' in page.text and "Kec. Kertak Hanyar" in page.text
    assert "Mobil tangki di kantor desa" in page.text and "/1600" in page.text
    response = client.post(
        f"/staff/notices/{notice_id}/publish", data={"csrf_token": csrf_of(page.text)}
    )
    assert response.status_code == 200
    with Session(engine) as session:
        assert session.get(Notice, notice_id).status == "scheduled"
        assert "publish" in session.exec(select(Push.event)).all()
        actions = session.exec(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions == ["login", "notice.create", "notice.publish"]
    progress = client.get(f"/staff/notices/{notice_id}/progress").json()
    assert progress["total"]["targeted"] == 0 and progress["status"] == "scheduled"


def test_short_notice_planned_work_needs_confirmation(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    notice_id = _draft(client, engine, kind="planned", start_in=timedelta(hours=5))
    token = csrf_of(client.get(f"/staff/notices/{notice_id}").text)
    response = client.post(f"/staff/notices/{notice_id}/publish", data={"csrf_token": token})
    assert response.status_code == 400 and 'data-error="confirm_short_notice"' in response.text
    response = client.post(
        f"/staff/notices/{notice_id}/publish",
        data={"csrf_token": token, "confirm_short_notice": "yes"},
    )
    assert response.status_code == 200
    with Session(engine) as session:
        assert session.get(Notice, notice_id).short_notice is True


def test_invalid_notice_names_the_field(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    token = csrf_of(client.get("/staff/notices/new").text)
    response = client.post(
        "/staff/notices",
        data={"csrf_token": token, "kind": "planned", "title": "", "starts_at": "besok pagi"},
    )
    assert response.status_code == 400
    assert 'data-error="starts_at"' in response.text
    response = client.post(
        "/staff/notices",
        data={
            "csrf_token": token,
            "kind": "planned",
            "title": "x",
            "starts_at": "2030-01-01T08:00",
        },
    )
    assert response.status_code == 400 and 'data-error="areas"' in response.text
    assert "Pilih paling sedikit satu kecamatan atau desa." in response.text
    with Session(engine) as session:
        assert session.exec(select(Notice)).all() == []


def test_an_end_before_the_start_is_shown_inline_in_indonesian(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    token = csrf_of(client.get("/staff/notices/new").text)
    response = client.post(
        "/staff/notices",
        data={
            "csrf_token": token,
            "kind": "planned",
            "title": "Ganti katup",
            "areas": [_code(engine, "Kertak Hanyar")],
            "starts_at": "2030-01-01T08:00",
            "expected_end_at": "2030-01-01T07:00",
        },
    )
    assert response.status_code == 400
    inline = 'data-error="expected_end_at">Waktu selesai harus sesudah waktu mulai.</div>'
    assert inline in response.text
    with Session(engine) as session:
        assert session.exec(select(Notice)).all() == []
        assert session.exec(select(AuditLog.action)).all() == ["login"]


def test_agent_reads_notices_but_cannot_publish_one(app, engine):
    editor = signed_in(app, engine, "eddy", "editor")
    notice_id = _draft(editor, engine)
    agent = signed_in(app, engine, "siti", "agent")
    token = csrf_of(agent.get("/staff/inbox").text)
    response = agent.post(f"/staff/notices/{notice_id}/publish", data={"csrf_token": token})
    assert response.status_code == 403
    listing = agent.get("/staff/notices")
    assert listing.status_code == 200 and "/staff/notices/new" not in listing.text
    page = agent.get(f"/staff/notices/{notice_id}")
    assert page.status_code == 200
    assert f"/staff/notices/{notice_id}/publish" not in page.text
    assert "data-read-only" in page.text
    assert agent.get("/staff/notices/new").status_code == 403
    with Session(engine) as session:
        assert session.get(Notice, notice_id).status == "draft"


def test_area_search_uses_fuzzy_matching(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    rows = client.get("/staff/areas/search", params={"q": "kertak hanyr"}).json()
    assert rows[0]["name"] == "Kertak Hanyar"
    assert client.get("/staff/areas/search").json() == []
