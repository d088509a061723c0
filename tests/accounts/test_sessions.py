"""Console sessions (accounts.sessions): a row each, so that ending one takes effect at once.

Before: the signed cookie kept working for 12 hours after logging out, POSTs with its CSRF
token included (a note was stored after logout), and reactivating an account revived it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from accounts import sessions
from db.models import ComplaintEvent, Staff, StaffSession
from tests.staff.factories import (
    PASSWORD,
    add_complaint,
    console_app,
    csrf_of,
    login,
    signed_in,
)

START = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # 08.30 WITA, a shift begins


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def staff_id(engine, username: str) -> int:
    with Session(engine) as session:
        staff = session.exec(select(Staff).where(Staff.username == username)).one()
        assert staff.id is not None
        return staff.id


def session_rows(engine, username: str) -> list[StaffSession]:
    with Session(engine) as session:
        return sessions.open_sessions(session=session, staff_id=staff_id(engine, username))


def notes(engine) -> list[str]:
    with Session(engine) as session:
        events = session.exec(select(ComplaintEvent).where(ComplaintEvent.kind == "note")).all()
        return [event.text or "" for event in events]


def is_signed_in(client: TestClient) -> bool:
    response = client.get("/staff/inbox", follow_redirects=False)
    assert response.status_code in {200, 303}
    return response.status_code == 200


def test_the_cookie_is_an_opaque_token_kept_only_as_a_hash(app, engine):
    client = signed_in(app, engine, "siti", "agent")
    value = client.cookies["kabar_session"]
    (row,) = session_rows(engine, "siti")
    token = value.rsplit(".", 1)[0]
    assert row.token_hash == sessions.hash_token(token) and token not in row.token_hash
    assert "siti" not in value and str(row.staff_id) != token
    assert row.expires_at - row.created_at == timedelta(hours=12)


def test_after_logout_the_old_cookie_and_its_csrf_token_are_refused(app, engine):
    complaint = add_complaint(engine)
    client = signed_in(app, engine, "siti", "agent")
    page = client.get(f"/staff/complaints/{complaint.id}")
    token, cookie = csrf_of(page.text), client.cookies["kabar_session"]
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 200
    assert session_rows(engine, "siti") == []

    replay = TestClient(app, cookies={"kabar_session": cookie})  # a copy of the old cookie
    assert not is_signed_in(replay)
    note = replay.post(
        f"/staff/complaints/{complaint.id}/note",
        data={"csrf_token": token, "text": "catatan sesudah keluar"},
        follow_redirects=False,
    )
    assert note.status_code == 303 and note.headers["location"].startswith("/staff/login")
    assert notes(engine) == []
    api = replay.get("/api/v1/complaints", headers={"X-CSRF-Token": token})
    assert api.status_code == 401


def test_logging_out_ends_only_that_session(app, engine):
    desk = signed_in(app, engine, "siti", "agent")
    phone = TestClient(app)
    assert login(phone, "siti").status_code == 303
    token = csrf_of(desk.get("/staff/inbox").text)
    desk.post("/staff/logout", data={"csrf_token": token})
    assert not is_signed_in(desk) and is_signed_in(phone)


def test_an_admins_password_reset_ends_every_session_of_the_account(app, engine):
    siti = signed_in(app, engine, "siti", "agent")
    admin = signed_in(app, engine, "root", "admin")
    form = {"csrf_token": csrf_of(admin.get("/staff/accounts").text), "reset_password": "true"}
    assert admin.post(f"/staff/accounts/{staff_id(engine, 'siti')}", data=form).status_code == 200
    assert not is_signed_in(siti) and session_rows(engine, "siti") == []
    assert is_signed_in(admin)


def test_changing_ones_own_password_keeps_this_session_and_ends_the_others(app, engine):
    desk = signed_in(app, engine, "siti", "agent")
    phone = TestClient(app)
    login(phone, "siti")
    token = csrf_of(desk.get("/staff/password").text)
    wrong = desk.post(
        "/staff/password",
        data={"csrf_token": token, "current_password": "tebakan", "password": "x" * 12},
    )
    assert wrong.status_code == 400 and "Kata sandi sekarang salah." in wrong.text
    assert is_signed_in(phone)
    changed = desk.post(
        "/staff/password",
        data={"csrf_token": token, "current_password": PASSWORD, "password": "sungai-martapura"},
    )
    assert changed.status_code == 200 and "sudah diakhiri" in changed.text
    assert is_signed_in(desk) and not is_signed_in(phone)
    assert login(TestClient(app), "siti", "sungai-martapura").status_code == 303


def test_deactivation_ends_the_sessions_and_reactivation_does_not_revive_them(app, engine):
    siti = signed_in(app, engine, "siti", "agent")
    admin = signed_in(app, engine, "root", "admin")
    url = f"/staff/accounts/{staff_id(engine, 'siti')}"
    token = csrf_of(admin.get("/staff/accounts").text)
    admin.post(url, data={"csrf_token": token, "active": "false"})
    assert session_rows(engine, "siti") == []
    admin.post(url, data={"csrf_token": token, "active": "true"})
    assert not is_signed_in(siti)


def test_a_session_left_alone_ends_after_the_idle_time(app, engine):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(app, engine, "siti", "agent")
        clock.shift(timedelta(minutes=119))
        assert is_signed_in(client)  # still there, and seen again now
        clock.shift(timedelta(minutes=119))
        assert is_signed_in(client)
        clock.shift(timedelta(minutes=120))
        assert not is_signed_in(client)


def test_a_busy_session_still_ends_after_its_absolute_lifetime(settings, engine):
    short = settings.model_copy(update={"staff_session_hours": 9})
    app = console_app(short, engine)
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(app, engine, "siti", "agent")
        # a copy of the cookie that the browser would never let expire by itself
        kept = TestClient(app, cookies={"kabar_session": client.cookies["kabar_session"]})
        for _ in range(8):
            clock.shift(timedelta(hours=1))
            assert is_signed_in(kept)
        clock.shift(timedelta(minutes=59))
        assert is_signed_in(kept)
        clock.shift(timedelta(minutes=1))
        assert not is_signed_in(kept)
        assert login(client, "siti").status_code == 303  # signing in again starts afresh
        assert is_signed_in(client)


def test_the_last_visit_is_written_at_most_once_a_minute(app, engine):
    with time_machine.travel(START, tick=False) as clock:
        client = signed_in(app, engine, "siti", "agent")
        for _ in range(3):
            clock.shift(timedelta(seconds=15))
            assert is_signed_in(client)
        assert [row.last_seen_at for row in session_rows(engine, "siti")] == [START]
        clock.shift(timedelta(seconds=15))
        assert is_signed_in(client)
        assert [row.last_seen_at for row in session_rows(engine, "siti")] == [
            START + timedelta(minutes=1)
        ]


def test_signing_in_drops_sessions_that_have_run_out(app, engine):
    with time_machine.travel(START, tick=False) as clock:
        signed_in(app, engine, "siti", "agent")
        clock.shift(timedelta(hours=13))
        assert login(TestClient(app), "siti").status_code == 303
        (row,) = session_rows(engine, "siti")
        assert row.created_at == START + timedelta(hours=13)
