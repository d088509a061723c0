"""The utility's starting response targets per category, written once on a new install."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import col

from db.models import ResponseTarget

# Minutes: editable by supervisors afterwards. No water and burst pipes stop a household's
# day; billing can wait for the office to open.
DEFAULT_RESPONSE_TARGETS = {
    "no_water": (60, 24 * 60),
    "leak": (60, 24 * 60),
    "low_pressure": (4 * 60, 3 * 24 * 60),
    "quality": (2 * 60, 2 * 24 * 60),
    "meter": (24 * 60, 5 * 24 * 60),
    "billing": (24 * 60, 7 * 24 * 60),
    "other": (24 * 60, 7 * 24 * 60),
}


def ensure_default_targets(engine: Engine) -> None:
    """Add the default target of every category that has none; edited ones stay as they are."""
    with engine.begin() as connection:
        known = set(connection.scalars(select(col(ResponseTarget.category))))
        missing = [
            {"category": category, "first_response_minutes": first, "resolution_minutes": full}
            for category, (first, full) in DEFAULT_RESPONSE_TARGETS.items()
            if category not in known
        ]
        if missing:
            connection.execute(ResponseTarget.__table__.insert(), missing)
