"""answer: the questions customers often ask, with answers editors keep up to date

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 10:00:00

The starter entries are not written here: `answers.starters.ensure_starter_answers` adds the
ones missing on every start (a removed entry keeps its row, so it does not come back).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("question_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answer_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("examples", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("examples_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_by", sa.Integer(), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["updated_by"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("topic"),
    )


def downgrade() -> None:
    op.drop_table("answer")
