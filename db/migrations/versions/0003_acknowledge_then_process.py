"""inbound_receipt keeps the message until the conversation has taken it up

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 23:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inbound_receipt") as batch:
        batch.add_column(sa.Column("payload", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("processed_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )
    # Receipts taken in before this revision were processed at once.
    op.execute("UPDATE inbound_receipt SET processed_at = received_at")
    op.create_index(
        "ix_inbound_receipt_waiting", "inbound_receipt", ["processed_at", "received_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_inbound_receipt_waiting", table_name="inbound_receipt")
    with op.batch_alter_table("inbound_receipt") as batch:
        batch.drop_column("processed_at")
        batch.drop_column("payload")
