"""Signing in and out of the console: cookies, CSRF, rate limit, roles, audit."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from accounts import throttle
from bot.app import create_app
from bot.runtime import Runtime
from db.models import AuditLog
from db.types import utcnow
from tests.staff.factories import add_staff, console_app, csrf_of, login, signed_in


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def actions(engine) -> list[str]:
    with Session(engine) as session:
        return [row.action for row in session.exec(select(AuditLog).order_by(col(AuditLog.id)))]


def test_login_sets_a_protected_session_cookie_and_is_audited(app, engine):
    add_staff(engine, "siti", "agent")
    client = TestClient(app)
    response = login(client, "siti")
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/inbox"
    cookie = next(h for h in response.headers.get_list("set-cookie") if "kabar_session" in h)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http in development
    assert client.get("/staff/inbox").status_code == 200
    assert actions(engine) == ["login"]


def test_session_cookie_is_secure_behind_https(settings, engine):
    app = console_app(
        settings.model_copy(update={"public_base_url": "https://air.example"}), engine
    )
    add_staff(engine, "siti", "agent")
    response = login(TestClient(app, base_url="https://testserver"), "siti")
    cookie = next(h for h in response.headers.get_list("set-cookie") if "kabar_session" in h)
    assert "Secure" in cookie


def test_wrong_password_is_refused_and_counted(app, engine):
    add_staff(engine, "siti", "agent")
    client = TestClient(app)
    response = login(client, "siti", "wrong-password")
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in response.text
    assert client.get("/staff/inbox", follow_redirects=False).status_code == 303
    assert actions(engine) == ["login_failed"]


def test_after_five_failures_even_the_right_password_waits_with_retry_after(app, engine):
    add_staff(engine, "siti", "agent")
    client = TestClient(app)
    for _ in range(5):
        assert login(client, "siti", "guess-guess-guess").status_code == 401
    response = login(client, "siti")  # the right password, at once: no oracle
    assert response.status_code == 429
    assert response.headers["retry-after"] in {"1", "2"}
    assert "Silakan tunggu 2 detik" in response.text or "Silakan tunggu 1 detik" in response.text
    assert "kabar_session" not in response.headers.get("set-cookie", "")
    assert login(client, "budi").status_code == 401  # another username is not held back
    assert actions(engine) == ["login_failed"] * 6  # the waiting attempt was not counted


def test_a_known_browser_signs_in_while_its_account_is_under_attack(app, engine):
    add_staff(engine, "siti", "agent")
    own = TestClient(app)
    assert login(own, "siti").status_code == 303  # siti's desk, known from now on
    own.post("/staff/logout", data={"csrf_token": csrf_of(own.get("/staff/inbox").text)})
    attacker = TestClient(app)
    for _ in range(6):
        login(attacker, "siti", "guess-guess-guess")
    assert login(attacker, "siti").status_code == 429
    assert login(own, "siti").status_code == 303


def _failed_before(engine, source: str, count: int) -> None:
    with Session(engine) as session:
        for n in range(count):
            attempt = throttle.Attempt.of(f"user{n}", ip=source)
            throttle.record_failure(session=session, attempt=attempt, now=utcnow())
        session.commit()


def _audited_sources(engine) -> list[str | None]:
    with Session(engine) as session:
        return [row.ip for row in session.exec(select(AuditLog).order_by(col(AuditLog.id)))]


def test_rotating_x_forwarded_for_from_an_untrusted_peer_changes_nothing(settings, engine):
    proxied = settings.model_copy(update={"forwarded_allow_ips": "10.0.0.2"})
    app = create_app(proxied, runtime=Runtime.start(proxied, engine=engine))
    add_staff(engine, "siti", "agent")
    _failed_before(engine, "198.51.100.9", throttle.SOURCE_FREE - 1)
    direct = TestClient(app, client=("198.51.100.9", 40000))
    direct.headers["X-Forwarded-For"] = "192.0.2.1"
    assert login(direct, "siti", "guess-guess-guess").status_code == 401
    direct.headers["X-Forwarded-For"] = "192.0.2.2"
    assert login(direct, "siti").status_code == 429
    assert _audited_sources(engine) == ["198.51.100.9"]


def test_behind_the_trusted_proxy_the_address_it_appends_is_the_clients(settings, engine):
    proxied = settings.model_copy(update={"forwarded_allow_ips": "10.0.0.0/24"})
    app = create_app(proxied, runtime=Runtime.start(proxied, engine=engine))
    add_staff(engine, "siti", "agent")
    _failed_before(engine, "203.0.113.7", throttle.SOURCE_FREE - 1)
    proxy = TestClient(app, client=("10.0.0.2", 40000))
    # the client forges an earlier hop; the proxy appends the address it really came from
    proxy.headers["X-Forwarded-For"] = "192.0.2.1, 203.0.113.7"
    assert login(proxy, "siti", "guess-guess-guess").status_code == 401
    proxy.headers["X-Forwarded-For"] = "192.0.2.99, 203.0.113.7"
    assert login(proxy, "siti").status_code == 429
    proxy.headers["X-Forwarded-For"] = "203.0.113.8"  # someone else behind the same proxy
    assert login(proxy, "siti").status_code == 303
    assert _audited_sources(engine) == ["203.0.113.7", "203.0.113.8"]


def test_login_form_without_its_csrf_token_is_refused(app, engine):
    add_staff(engine, "siti", "agent")
    client = TestClient(app)
    client.get("/staff/login")
    response = client.post(
        "/staff/login", data={"username": "siti", "password": "correct-horse-battery"}
    )
    assert response.status_code == 403


def test_forged_form_without_csrf_token_is_refused(app, engine):
    client = signed_in(app, engine, "siti", "admin")
    forged = client.post(
        "/staff/accounts", data={"username": "mallory", "role": "admin", "password": "x" * 12}
    )
    assert forged.status_code == 403
    wrong = client.post(
        "/staff/accounts",
        data={"username": "mallory", "role": "admin", "password": "x" * 12, "csrf_token": "nope"},
    )
    assert wrong.status_code == 403
    assert "mallory" not in client.get("/staff/accounts").text


def test_logout_needs_csrf_and_ends_the_session(app, engine):
    client = signed_in(app, engine, "siti", "agent")
    page = client.get("/staff/inbox")
    assert client.post("/staff/logout").status_code == 403
    response = client.post(
        "/staff/logout", data={"csrf_token": csrf_of(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    assert (
        client.get("/staff/inbox", follow_redirects=False)
        .headers["location"]
        .startswith("/staff/login")
    )
    assert actions(engine) == ["login", "logout"]


def test_pages_send_strangers_to_the_login_form(app):
    response = TestClient(app).get("/staff/complaints/1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login?next=/staff/complaints/1"


def test_editor_cannot_see_the_audit_log(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    response = client.get("/staff/audit")
    assert response.status_code == 403
    assert "tidak berhak" in response.text


def test_supervisor_sees_the_audit_log(app, engine):
    client = signed_in(app, engine, "sari", "supervisor")
    response = client.get("/staff/audit")
    assert response.status_code == 200
    assert 'data-action="login"' in response.text


def test_agent_cannot_manage_accounts_or_targets(app, engine):
    client = signed_in(app, engine, "siti", "agent")
    assert client.get("/staff/accounts").status_code == 403
    assert client.get("/staff/targets").status_code == 403


def test_english_interface_on_request(app, engine):
    client = signed_in(app, engine, "siti", "agent")
    client.get("/staff/lang/en?next=/staff/inbox")
    assert "No complaints." in client.get("/staff/inbox").text


def test_deactivated_account_loses_its_session(app, engine):
    client = signed_in(app, engine, "siti", "agent")
    admin = signed_in(app, engine, "root", "admin")
    page = admin.get("/staff/accounts")
    siti_id = next(a for a in _accounts(engine) if a.username == "siti").id
    response = admin.post(
        f"/staff/accounts/{siti_id}",
        data={"csrf_token": csrf_of(page.text), "role": "agent", "active": "false"},
    )
    assert response.status_code == 200
    assert client.get("/staff/inbox", follow_redirects=False).status_code == 303
    assert "staff.update" in actions(engine)


def _accounts(engine):
    from db.models import Staff

    with Session(engine) as session:
        return list(session.exec(select(Staff)))


def test_admin_creates_an_account_with_a_generated_password(app, engine):
    admin = signed_in(app, engine, "root", "admin")
    page = admin.get("/staff/accounts")
    response = admin.post(
        "/staff/accounts",
        data={"csrf_token": csrf_of(page.text), "username": "Budi", "role": "editor"},
    )
    assert response.status_code == 200
    secret = response.text.split("data-secret>")[1].split("<")[0]
    username, password = secret.split(": ")
    assert username == "budi"
    assert login(TestClient(app), "budi", password).headers["location"] == "/staff/notices"


def test_duplicate_or_bad_account_is_refused_with_the_field(app, engine):
    admin = signed_in(app, engine, "root", "admin")
    token = csrf_of(admin.get("/staff/accounts").text)
    response = admin.post(
        "/staff/accounts",
        data={"csrf_token": token, "username": "root", "role": "agent", "password": "x" * 12},
    )
    assert response.status_code == 400
    assert "Nama pengguna &#39;root&#39; sudah dipakai." in response.text
    response = admin.post(
        "/staff/accounts", data={"csrf_token": token, "username": "x y", "role": "boss"}
    )
    assert response.status_code == 400 and "username" in response.text
