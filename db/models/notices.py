"""Disruption notices, their areas and history, rotation schedules and planned pushes."""

from datetime import date, datetime, time
from typing import ClassVar

from sqlalchemy import Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


class Notice(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    # planned | unplanned | low_pressure | bulk_reduction
    kind: str = Field(max_length=16)
    # draft | scheduled | ongoing | restored | cancelled
    status: str = Field(default="draft", max_length=12, index=True)
    title: str = Field(default="", max_length=160)
    cause: str = ""
    advice: str = ""  # what customers can do, e.g. tanker water at a place and time
    starts_at: datetime = Field(sa_type=UTCDateTime)
    expected_end_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    urgent: bool = False
    short_notice: bool = False
    reminder_hours: str = "24,1"
    is_demo: bool = False
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    restored_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    cancelled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class NoticeArea(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "notice_area"

    notice_id: int = Field(foreign_key="notice.id", primary_key=True)
    area_code: str = Field(foreign_key="service_area.code", primary_key=True, max_length=20)


class NoticeUpdate(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """Each change to a notice, with its own text and time, kept as history."""

    __tablename__ = "notice_update"

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    kind: str = Field(max_length=16)  # created | published | edited | started | extended | ...
    text: str = ""
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Push(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """A moment at which subscribers of a notice must be told something; the database is truth."""

    __tablename__ = "push"
    __table_args__ = (UniqueConstraint("notice_id", "event"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    event: str = Field(max_length=32)  # publish | reminder_24h | start | extend_2 | restore | ...
    due_at: datetime = Field(sa_type=UTCDateTime, index=True)
    urgent: bool = False
    status: str = Field(default="pending", max_length=12)  # pending | done | dropped
    drop_reason: str | None = None
    targeted: int = 0
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RotationSchedule(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """Recurring supply windows (giliran) for an area, valid between two dates."""

    __tablename__ = "rotation_schedule"

    id: int | None = Field(default=None, primary_key=True)
    area_code: str = Field(foreign_key="service_area.code", index=True, max_length=20)
    weekdays: str = Field(max_length=20)  # "0,2,4" = Mon, Wed, Fri
    start_time: time
    end_time: time
    valid_from: date
    valid_until: date
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SchedulerLease(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """Which process runs the scheduled work; the others only serve requests."""

    __tablename__ = "scheduler_lease"

    name: str = Field(primary_key=True, max_length=32)
    holder: str = Field(max_length=64)
    expires_at: datetime = Field(sa_type=UTCDateTime)
