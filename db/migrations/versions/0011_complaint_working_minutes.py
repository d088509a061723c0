"""complaint: first response and resolution measured in working minutes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00

Reports give medians and p90 of the clocks in working time (the calendar of
complaints/calendar.py, less the time a complaint waited for the customer). The calendar lives
in Python, so the minutes are computed when the first response and the resolution happen and
stored here; the database then aggregates plain numbers.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("first_response_work_minutes", "resolution_work_minutes")


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        for name in COLUMNS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        for name in reversed(COLUMNS):
            batch.drop_column(name)
