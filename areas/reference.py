"""The official service areas (ODbL, areas/data/README.md) and loading them into the database."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from areas.index import AreaIndex
from db.models import ServiceArea

SERVICE_AREAS_CSV = Path(__file__).resolve().parent / "data" / "service_areas.csv"


@dataclass(frozen=True, slots=True)
class AreaRecord:
    code: str
    level: str  # regency | district (kecamatan) | desa | kelurahan
    parent_code: str
    name: str


def read_service_areas(path: Path = SERVICE_AREAS_CSV) -> list[AreaRecord]:
    """Rows of the official area list, in file order."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            AreaRecord(row["code"], row["level"], row["parent_code"], row["name"])
            for row in csv.DictReader(handle)
        ]


def load_service_areas(engine: Engine) -> int:
    """Upsert the official areas; safe to run on every start. Returns how many there are."""
    records = read_service_areas()
    by_code = {record.code: record for record in records}
    rows = [
        {
            "code": record.code,
            "level": record.level,
            "parent_code": record.parent_code,
            "name": record.name,
            "kecamatan_code": _kecamatan_of(record, by_code),
        }
        for record in records
    ]
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    statement = insert(ServiceArea.__table__)
    with engine.begin() as connection:
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
    return len(rows)


def _kecamatan_of(record: AreaRecord, by_code: dict[str, AreaRecord]) -> str | None:
    if record.level == "district":
        return record.code
    if record.level in {"desa", "kelurahan"}:
        return by_code[record.code].parent_code
    return None


def load_area_index(engine: Engine) -> AreaIndex:
    """The lookup index from the areas in the database, which start-up loaded."""
    with engine.connect() as connection:
        rows = connection.execute(select(ServiceArea.__table__)).all()
    if not rows:
        raise RuntimeError("no service areas in the database: run `kabar-air db upgrade` first")
    return AreaIndex.from_records(rows)
