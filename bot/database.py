"""A database ready to serve: the schema at head, then every part's reference data."""

from __future__ import annotations

from sqlalchemy import Engine

from answers.starters import ensure_starter_answers
from areas.reference import load_service_areas
from complaints.targets import ensure_default_targets
from db.engine import reading
from db.migrate import current_revision, head_revision, upgrade_schema


def load_reference_data(engine: Engine) -> int:
    """The official areas, the default targets and the starter answers; safe on every start.
    Returns the area count."""
    count = load_service_areas(engine)
    ensure_default_targets(engine)
    ensure_starter_answers(engine)
    return count


def upgrade(engine: Engine) -> int:
    """Migrate, then load reference data; returns the number of service areas."""
    upgrade_schema(engine)
    return load_reference_data(engine)


def schema_behind(engine: Engine) -> str | None:
    """Why this code may not serve this database as it is; None when its schema is at head.

    `kabar-air serve` refuses to start on an old schema rather than run new code against old
    tables: an upgrade is a step the operator takes (`kabar-air db upgrade`, or `serve
    --migrate`), once, before the new version's processes start.
    """
    with reading(engine) as connection:
        revision = current_revision(connection)
    head = head_revision()
    if revision == head:
        return None
    if revision is None:
        return f"the database has no schema yet; this version needs revision {head}"
    return f"the database schema is at revision {revision}; this version needs {head}"
