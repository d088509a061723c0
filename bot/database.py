"""A database ready to serve: the schema at head, then every part's reference data."""

from __future__ import annotations

from sqlalchemy import Engine

from areas.reference import load_service_areas
from complaints.targets import ensure_default_targets
from db.migrate import upgrade_schema


def load_reference_data(engine: Engine) -> int:
    """The official areas and the default targets; safe on every start. Returns the area count."""
    count = load_service_areas(engine)
    ensure_default_targets(engine)
    return count


def upgrade(engine: Engine) -> int:
    """Migrate, then load reference data; returns the number of service areas."""
    upgrade_schema(engine)
    return load_reference_data(engine)
