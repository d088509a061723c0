"""The utility's starting response targets per category, written once on a new install."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import col

from db.models import ResponseTarget

# Minutes of working time (complaints/calendar.py; a working day is 8 hours with the default
# hours), editable by supervisors afterwards. No water and burst pipes stop a household's day;
# billing can wait.
WORKING_DAY = 8 * 60
DEFAULT_RESPONSE_TARGETS = {
    "no_water": (60, WORKING_DAY),
    "leak": (60, WORKING_DAY),
    "low_pressure": (4 * 60, 3 * WORKING_DAY),
    "quality": (2 * 60, 2 * WORKING_DAY),
    "meter": (WORKING_DAY, 5 * WORKING_DAY),
    "billing": (WORKING_DAY, 5 * WORKING_DAY),
    "other": (WORKING_DAY, 5 * WORKING_DAY),
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
