"""complaint: the due times promised at filing, the customer's rating, demo marks; report indexes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:00:00

Reports measured every complaint against today's target table, so changing a category's
target rewrote history. Each complaint now keeps the due times it was promised when it was
filed (`first_response_due_at`, `resolution_due_at`); complaints filed before this revision
get them from the targets in force now, the best record there is. `rating`, `rating_comment`
and `rated_at` hold the customer's satisfaction answer; `is_demo` marks made-up history.
The reports read a period by `created_at`, and count reopened complaints through a partial
index on the few status steps that reopen one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REOPENED = sa.text(
    "kind = 'status' AND from_status IN ('resolved', 'closed', 'rejected')"
    " AND to_status IN ('received', 'in_progress')"
)
DEFAULT_MINUTES = {"first_response_minutes": 24 * 60, "resolution_minutes": 7 * 24 * 60}


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        for name in ("first_response_due_at", "resolution_due_at"):
            batch.add_column(sa.Column(name, db.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("rating", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("rating_comment", sqlmodel.sql.sqltypes.AutoString(), nullable=True)
        )
        batch.add_column(sa.Column("rated_at", db.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("is_demo", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index("ix_complaint_created_at", ["created_at"], unique=False)
    op.create_index(
        "ix_complaint_event_reopened",
        "complaint_event",
        ["complaint_id"],
        sqlite_where=REOPENED,
        postgresql_where=REOPENED,
    )
    _backfill_due_times()


def _backfill_due_times() -> None:
    """Existing complaints: created_at + the category's target in force now."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column, minutes in (
        ("first_response_due_at", "first_response_minutes"),
        ("resolution_due_at", "resolution_minutes"),
    ):
        target = (
            f"COALESCE((SELECT {minutes} FROM response_target"
            f" WHERE response_target.category = complaint.category), {DEFAULT_MINUTES[minutes]})"
        )
        if sqlite:  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff'
            due = f"strftime('%Y-%m-%d %H:%M:%f000', created_at, '+' || {target} || ' minutes')"
        else:
            due = f"created_at + make_interval(mins => {target})"
        op.execute(f"UPDATE complaint SET {column} = {due} WHERE {column} IS NULL")


def downgrade() -> None:
    op.drop_index("ix_complaint_event_reopened", table_name="complaint_event")
    with op.batch_alter_table("complaint") as batch:
        batch.drop_index("ix_complaint_created_at")
        for name in (
            "is_demo",
            "rated_at",
            "rating_comment",
            "rating",
            "resolution_due_at",
            "first_response_due_at",
        ):
            batch.drop_column(name)
