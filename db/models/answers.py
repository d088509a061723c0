"""Answers to the questions customers often ask, written and kept up to date by editors."""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Table
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


class Answer(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """One question with its answer in both languages and the ways customers ask it.

    The unsuffixed fields are Indonesian; `_en` is English. Examples are one question per line.
    A removed entry keeps its row (`removed_at`) so a starter entry is never seeded again.
    """

    __tablename__ = "answer"

    id: int | None = Field(default=None, primary_key=True)
    # the starter topic this entry was seeded as (office_hours, payment, ...); None when added
    topic: str | None = Field(default=None, max_length=40, unique=True)
    question: str = Field(max_length=200)
    question_en: str = Field(max_length=200)
    answer: str
    answer_en: str
    examples: str = ""
    examples_en: str = ""
    # for editors only, never shown to customers: what is still to be filled in
    note: str = ""
    updated_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    removed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
