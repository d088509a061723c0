"""staff_session and login_failure: console sessions that end, and the login throttle's memory

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00

A console session was a signed cookie alone, so logging out could not end it. Each session is
now a row (the cookie holds a random token, the row its hash); deleting the row ends it. The
login throttle counts recent failed sign-ins per account, source address and browser in a
small table of its own, pruned as they age out; the audit trail keeps the history.
Sessions signed by the old cookie format are not carried over: everyone signs in once more.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("csrf_token", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("staff_session") as batch:
        batch.create_index(batch.f("ix_staff_session_staff_id"), ["staff_id"], unique=False)
        batch.create_index(batch.f("ix_staff_session_expires_at"), ["expires_at"], unique=False)

    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("device", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_failure") as batch:
        batch.create_index(batch.f("ix_login_failure_created_at"), ["created_at"], unique=False)
        batch.create_index("ix_login_failure_username", ["username", "created_at"], unique=False)
        batch.create_index("ix_login_failure_source", ["source", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("login_failure")
    op.drop_table("staff_session")
