"""inbound_receipt: messages set aside after a failure of their own (dead letters)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 10:00:00

A message whose processing fails for a reason that will not pass by itself is set aside at
once (`failed_at`, and the kind of error in `failure`) instead of being retried in line, so
the customers behind it are not kept waiting; staff list and retry dead letters.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_receipt") as batch:
        batch.add_column(sa.Column("failed_at", db.types.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("failure", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_receipt") as batch:
        batch.drop_column("failure")
        batch.drop_column("failed_at")
