"""Reference data shipped with the project: the official service areas (ODbL, data/README.md)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SERVICE_AREAS_CSV = Path(__file__).parent / "data" / "service_areas.csv"


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
