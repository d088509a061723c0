"""outbox: index unfinished messages in id order

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 23:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_message_status_id", "message", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_message_status_id", table_name="message")
