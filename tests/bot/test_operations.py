"""Running it as a service: `kabar-air serve` refuses a schema behind the code unless told to
migrate, and `kabar-air run` seeds no demo data in production unless asked.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from bot.cli import SCHEMA_BEHIND_EXIT
from bot.database import schema_behind
from db.engine import make_engine
from db.migrate import head_revision
from db.models import Notice
from tests.bot.test_service import KABAR_AIR, free_port

STRONG = "k3Xq9-vLr2_Tz8wPa7Nd4Hs6Jf1Gm5Qc0Yb"


def service_env(database: Path, **values: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "TELEGRAM_BOT_TOKEN": "",
        "TWILIO_ACCOUNT_SID": "",
        **values,
    }


def test_serve_refuses_a_database_that_was_never_migrated_or_is_behind(engine, tmp_path):
    assert schema_behind(engine) is None  # the test database is at head
    empty = tmp_path / "empty.db"
    refused = subprocess.run(
        [str(KABAR_AIR), "serve"], env=service_env(empty), capture_output=True, text=True
    )
    assert refused.returncode == SCHEMA_BEHIND_EXIT
    assert "kabar-air will not start: the database has no schema yet" in refused.stderr
    assert "kabar-air db upgrade" in refused.stderr and "serve --migrate" in refused.stderr

    behind = make_engine(f"sqlite:///{empty}")
    try:
        upgraded = subprocess.run(
            [str(KABAR_AIR), "db", "upgrade"], env=service_env(empty), capture_output=True
        )
        assert upgraded.returncode == 0
        assert "Basis data sudah versi terbaru" in upgraded.stdout.decode()
        with behind.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        assert schema_behind(behind) == (
            f"the database schema is at revision 0001; this version needs {head_revision()}"
        )
    finally:
        behind.dispose()
    again = subprocess.run(
        [str(KABAR_AIR), "serve"], env=service_env(empty), capture_output=True, text=True
    )
    assert again.returncode == SCHEMA_BEHIND_EXIT
    assert "at revision 0001" in again.stderr


def serve_until_healthy(command: list[str], env: dict[str, str]) -> str:
    """Start the command, wait for /healthz, stop it; returns what it printed."""
    port = free_port()
    server = subprocess.Popen(
        [str(KABAR_AIR), *command],
        env={**env, "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    answer = None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and answer is None and server.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except httpx.HTTPError:
                time.sleep(0.3)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert answer is not None and answer.status_code == 200, output
    return output


@pytest.mark.slow
def test_serve_with_migrate_brings_an_empty_database_to_head_and_serves(tmp_path):
    database = tmp_path / "fresh.db"
    serve_until_healthy(["serve", "--migrate"], service_env(database))
    engine = make_engine(f"sqlite:///{database}")
    try:
        assert schema_behind(engine) is None
    finally:
        engine.dispose()


@pytest.mark.slow
def test_run_in_production_seeds_no_demo_unless_asked(tmp_path):
    database = tmp_path / "production.db"
    env = service_env(database, ENVIRONMENT="production", SECRET_KEY=STRONG, LOG_FORMAT="json")
    output = serve_until_healthy(["run"], env)
    assert "demo disruptions ready" not in output
    assert '"logger": "uvicorn.error"' in output  # LOG_FORMAT=json reaches uvicorn's lines too
    engine = make_engine(f"sqlite:///{database}")
    try:
        with Session(engine) as session:
            assert session.exec(select(Notice)).all() == []
        serve_until_healthy(["run", "--demo"], env)
        with Session(engine) as session:
            titles = [notice.title for notice in session.exec(select(Notice))]
        assert titles and all("[DEMO]" in title for title in titles)
    finally:
        engine.dispose()
