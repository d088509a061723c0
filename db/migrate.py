"""Schema upgrades with Alembic, then the reference data every install needs."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from db.models import ResponseTarget, ServiceArea
from db.reference import read_service_areas

MIGRATIONS = Path(__file__).parent / "migrations"

# Minutes: the utility's starting targets, editable by supervisors. No water and burst pipes
# stop a household's day; billing can wait for the office to open.
DEFAULT_RESPONSE_TARGETS = {
    "no_water": (60, 24 * 60),
    "leak": (60, 24 * 60),
    "low_pressure": (4 * 60, 3 * 24 * 60),
    "quality": (2 * 60, 2 * 24 * 60),
    "meter": (24 * 60, 5 * 24 * 60),
    "billing": (24 * 60, 7 * 24 * 60),
    "other": (24 * 60, 7 * 24 * 60),
}


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> int:
    """Bring the schema to head and load reference data; returns the number of areas."""
    command.upgrade(alembic_config(engine.url.render_as_string(hide_password=False)), "head")
    return load_reference_data(engine)


def load_reference_data(engine: Engine) -> int:
    """Upsert the official areas and default targets; safe to run on every start."""
    records = read_service_areas()
    by_code = {record.code: record for record in records}
    rows = []
    for record in records:
        kecamatan = _kecamatan_of(record.code, by_code)
        rows.append(
            {
                "code": record.code,
                "level": record.level,
                "parent_code": record.parent_code,
                "name": record.name,
                "kecamatan_code": kecamatan,
            }
        )
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    with engine.begin() as connection:
        statement = insert(ServiceArea.__table__)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["code"],
                set_={
                    "level": statement.excluded.level,
                    "parent_code": statement.excluded.parent_code,
                    "name": statement.excluded.name,
                    "kecamatan_code": statement.excluded.kecamatan_code,
                },
            ),
            rows,
        )
        known = set(connection.scalars(select(ResponseTarget.category)))
        missing = [
            {"category": category, "first_response_minutes": first, "resolution_minutes": full}
            for category, (first, full) in DEFAULT_RESPONSE_TARGETS.items()
            if category not in known
        ]
        if missing:
            connection.execute(ResponseTarget.__table__.insert(), missing)
    return len(rows)


def _kecamatan_of(code: str, by_code: dict) -> str | None:
    record = by_code[code]
    if record.level == "district":
        return code
    if record.level in {"desa", "kelurahan"}:
        return record.parent_code
    return None
