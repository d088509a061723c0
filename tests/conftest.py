"""Real databases for every test: a fresh SQLite file, or a fresh PostgreSQL database per run.

`KABAR_TEST_DB=postgresql` runs the suite on PostgreSQL (`KABAR_TEST_PG_URL`, default the
server on 127.0.0.1:5432); the default is SQLite. `make test` runs both.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlmodel import SQLModel

from bot.database import load_reference_data, upgrade
from core.settings import Settings
from db.engine import make_engine
from db.journal import intake_journal

BACKEND = os.environ.get("KABAR_TEST_DB", "sqlite")
PG_URL = os.environ.get("KABAR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
KEEP_BETWEEN_TESTS = {"service_area", "response_target", "alembic_version"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Everything under tests/browser drives Chromium: mark it so the fast tier can leave it out."""
    for item in items:
        if "browser" in item.path.parts:
            item.add_marker(pytest.mark.browser)


def pytest_report_header() -> str:
    return f"kabar-air test database: {BACKEND}"


@pytest.fixture(scope="session")
def migrated_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated once per run; tests get clean copies of it."""
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        url = f"sqlite:///{path}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    name = f"kabar_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def database_url(migrated_url: str, tmp_path: Path) -> Iterator[str]:
    """A clean, migrated database for one test."""
    if BACKEND == "sqlite":
        source = Path(migrated_url.removeprefix("sqlite:///"))
        target = tmp_path / "kabar-air.db"
        shutil.copyfile(source, target)
        yield f"sqlite:///{target}"
        return
    engine = make_engine(migrated_url)
    tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in KEEP_BETWEEN_TESTS]
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        connection.execute(text("TRUNCATE response_target"))
    load_reference_data(engine)
    engine.dispose()
    yield migrated_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def journal(engine: Engine) -> Iterator[Engine]:
    """The intake journal the service uses beside `engine` (a side file on SQLite)."""
    journal = intake_journal(engine)
    yield journal
    if journal is not engine:
        journal.dispose()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings as a fresh install has them, never read from a developer's .env; the media
    store in the test's own directory."""
    return Settings(_env_file=None, database_url=database_url, media_dir=tmp_path / "media")
