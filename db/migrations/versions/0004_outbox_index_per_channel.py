"""outbox: index unfinished messages per channel in id order

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 02:40:00

The sender reads each channel's unfinished rows oldest first. With (status, id) it had to
step over every other channel's backlog (100,000 WhatsApp rows waiting behind a rate limit
slowed every Telegram poll); (status, channel, id) goes straight to them.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_message_unfinished", "message", ["status", "channel", "id"])
    op.drop_index("ix_message_status_id", table_name="message")


def downgrade() -> None:
    op.create_index("ix_message_status_id", "message", ["status", "id"])
    op.drop_index("ix_message_unfinished", table_name="message")
