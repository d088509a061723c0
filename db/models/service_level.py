"""Days the office is closed locally, and the escalations of complaints nearing or past target."""

from datetime import date, datetime
from typing import ClassVar

from sqlalchemy import Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


class WorkClosure(SQLModel, table=True):
    """A local closure (a flood, a regional holiday): no working time that day."""

    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "work_closure"

    day: date = Field(primary_key=True)  # a day in the utility's zone
    reason: str = Field(max_length=120)
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Escalation(SQLModel, table=True):
    """A complaint reached a share of its target ('warning') or passed it ('breach'), once each."""

    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "escalation"
    __table_args__ = (UniqueConstraint("complaint_id", "target", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    target: str = Field(max_length=16)  # first_response | resolution
    kind: str = Field(max_length=8)  # warning | breach
    due_at: datetime = Field(sa_type=UTCDateTime)  # the due time it was measured against
    notified: str = ""  # usernames of the staff told, comma-separated
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
