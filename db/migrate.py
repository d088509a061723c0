"""Schema upgrades with Alembic; the parts load their own reference data afterwards."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_schema(engine: Engine) -> None:
    """Bring the schema to head."""
    command.upgrade(alembic_config(engine.url.render_as_string(hide_password=False)), "head")


@cache
def head_revision() -> str | None:
    """The newest revision among the migrations shipped with this code."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The revision the database's schema is at (None: never migrated)."""
    return MigrationContext.configure(connection).get_current_revision()
