"""The production profile beyond settings: API docs only for staff, Secure cookies always, and
the bootstrap admin token switched off once a staff admin account exists."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from accounts import deps
from bot.app import create_app
from bot.runtime import Runtime
from tests.staff.factories import add_staff, api_token, login

STRONG = "k3Xq9-vLr2_Tz8wPa7Nd4Hs6Jf1Gm5Qc0Yb"
DOCS = ("/docs", "/redoc", "/openapi.json")


def app_for(settings, engine, **values):
    configured = settings.model_copy(update=values)
    return create_app(configured, runtime=Runtime.start(configured, engine=engine))


@pytest.fixture
def production(settings, engine):
    return app_for(settings, engine, environment="production", secret_key=SecretStr(STRONG))


def test_api_docs_need_a_staff_sign_in_in_production(production, engine):
    anonymous = TestClient(production)
    for path in DOCS:
        assert anonymous.get(path).status_code == 401, path
    token = api_token(engine, add_staff(engine, "eka", "editor"))
    signed = TestClient(production, headers={"Authorization": f"Bearer {token}"})
    for path in DOCS:
        assert signed.get(path).status_code == 200, path
    assert "/api/v1/complaints" in signed.get("/openapi.json").json()["paths"]


def test_api_docs_stay_open_in_development(settings, engine):
    client = TestClient(app_for(settings, engine))
    for path in DOCS:
        assert client.get(path).status_code == 200, path
    assert "cdn.jsdelivr.net" in client.get("/docs").headers["content-security-policy"]


def test_production_cookies_are_always_secure(production, engine):
    add_staff(engine, "siti", "agent")
    client = TestClient(production, base_url="https://testserver")  # a Secure cookie needs https
    response = login(client, "siti")
    assert response.status_code == 303
    assert "secure" in response.headers["set-cookie"].lower()
    assert client.get("/staff/inbox").status_code == 200


def test_the_bootstrap_token_stops_once_a_staff_admin_exists(settings, engine, monkeypatch):
    monkeypatch.setattr(deps, "ADMIN_CHECK_SECONDS", 0.0)
    app = app_for(settings, engine, admin_api_token=SecretStr("bootstrap-secret"))
    bootstrap = TestClient(app, headers={"Authorization": "Bearer bootstrap-secret"})
    assert bootstrap.get("/api/v1/complaints").status_code == 200
    add_staff(engine, "siti", "agent")  # not an admin: the bootstrap token still works
    assert bootstrap.get("/api/v1/complaints").status_code == 200
    add_staff(engine, "eka", "admin")
    assert bootstrap.get("/api/v1/complaints").status_code == 401
