"""work_closure, escalation, staff.telegram_chat_id: the working calendar and escalations

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00

Complaint clocks count working time (complaints/calendar.py): local closures an admin adds
live in `work_closure`. Complaints nearing or past their due times are escalated once per
target and kind (`escalation`, unique on the three); a staff member who links a Telegram chat
(`staff.telegram_chat_id`) is told there too.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "work_closure",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("due_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("notified", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("complaint_id", "target", "kind"),
    )
    op.create_index("ix_escalation_complaint_id", "escalation", ["complaint_id"])
    op.create_index("ix_escalation_created_at", "escalation", ["created_at"])
    with op.batch_alter_table("staff") as batch:
        batch.add_column(
            sa.Column(
                "telegram_chat_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("telegram_chat_id")
    op.drop_index("ix_escalation_created_at", table_name="escalation")
    op.drop_index("ix_escalation_complaint_id", table_name="escalation")
    op.drop_table("escalation")
    op.drop_table("work_closure")
