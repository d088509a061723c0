"""attachment: photos, voice notes, documents and shared locations customers send

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 10:00:00

What a customer sends besides text is downloaded from the provider into the media store (a
directory, `MEDIA_DIR`) and listed here, tied to the customer and, once there is one, to their
complaint. A shared location keeps its coordinates and no file. `status` says where a file is:
pending (the downloader has yet to fetch it), stored, refused (too big or of a type not taken)
or failed (the provider never gave it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("provider_ref", sqlmodel.sql.sqltypes.AutoString(length=512), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"]),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_attachment_contact_id", "attachment", ["contact_id"])
    op.create_index("ix_attachment_complaint_id", "attachment", ["complaint_id"])
    op.create_index("ix_attachment_status", "attachment", ["status"])


def downgrade() -> None:
    op.drop_index("ix_attachment_status", table_name="attachment")
    op.drop_index("ix_attachment_complaint_id", table_name="attachment")
    op.drop_index("ix_attachment_contact_id", table_name="attachment")
    op.drop_table("attachment")
