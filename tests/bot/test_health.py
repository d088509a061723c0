"""Health that tells the truth (bot.health): /readyz says 503 when the database is away, the
schema is behind or nobody holds the scheduler's lease, and the API answers 503, not 500.
"""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from bot.app import create_app
from bot.runtime import Runtime
from db.engine import make_engine
from db.migrate import head_revision
from tests.channels.conftest import wait_until
from tests.staff.factories import add_staff, api_token


@pytest.fixture
def running(settings, engine):
    """The whole app, started (the notice scheduler takes its lease at once)."""
    with TestClient(create_app(settings, runtime=Runtime.start(settings, engine=engine))) as client:
        yield client


def unreachable_engines(tmp_path):
    gone = tmp_path / "gone"
    sqlite = make_engine(f"sqlite:///{gone}/kabar-air.db")
    shutil.rmtree(gone)  # the file and its folder removed under the running service
    closed_port = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/kabar")
    return {"sqlite file removed": sqlite, "postgresql port closed": closed_port}


def test_ready_when_the_database_answers_at_head_and_the_scheduler_holds_its_lease(running):
    ready = wait_until(lambda: running.get("/readyz").status_code == 200, what="ready")
    assert ready
    body = running.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["checks"] == {"database": "ok", "schema": "ok", "lease:notices": "ok"}


@pytest.mark.parametrize("case", ["sqlite file removed", "postgresql port closed"])
def test_not_ready_and_the_api_says_503_when_the_database_is_away(running, engine, tmp_path, case):
    token = api_token(engine, add_staff(engine, "integrasi", "admin"))
    broken = unreachable_engines(tmp_path)[case]
    running.app.state.services.engine = broken
    try:
        readyz = running.get("/readyz")
        assert readyz.status_code == 503
        assert readyz.json()["checks"]["database"].startswith("unreachable")
        assert readyz.json()["detail"] == "Layanan belum siap."
        assert running.get("/healthz").status_code == 200  # the process itself is up
        api = running.get("/api/v1/complaints", headers={"Authorization": f"Bearer {token}"})
        assert api.status_code == 503
        assert api.json() == {
            "detail": "Basis data sedang tidak dapat dihubungi. Silakan coba lagi sebentar lagi.",
            "detail_en": "The database cannot be reached right now. Please try again shortly.",
        }
        assert api.headers["retry-after"] == "5"
    finally:
        running.app.state.services.engine = engine
        broken.dispose()


def test_not_ready_when_the_schema_is_not_at_head(running, tmp_path):
    empty = make_engine(f"sqlite:///{tmp_path}/empty.db")
    running.app.state.services.engine = empty
    checks = running.get("/readyz").json()["checks"]
    assert checks == {"database": "ok", "schema": f"at None, the code needs {head_revision()}"}
    empty.dispose()


def test_not_ready_when_nobody_holds_the_scheduler_lease(settings, engine):
    client = TestClient(create_app(settings, runtime=Runtime.start(settings, engine=engine)))
    readyz = client.get("/readyz")  # not started: no scheduler anywhere
    assert readyz.status_code == 503
    assert readyz.json()["checks"]["lease:notices"] == "not held by any live process"
