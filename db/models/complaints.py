"""Complaints, their history and the response targets they are measured against."""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Table
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


class Complaint(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "complaint"

    id: int | None = Field(default=None, primary_key=True)
    ticket_number: str | None = Field(default=None, max_length=20, unique=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    channel: str = Field(max_length=16)
    category: str = Field(max_length=24, index=True)
    area_code: str | None = Field(default=None, foreign_key="service_area.code", index=True)
    address: str = ""
    account_number: str | None = Field(default=None, max_length=20)
    description: str = ""
    media_ref: str | None = None
    # received | in_progress | resolved | closed | rejected
    status: str = Field(default="received", max_length=12, index=True)
    reject_reason: str | None = None
    notice_id: int | None = Field(default=None, foreign_key="notice.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_response_by: int | None = Field(default=None, foreign_key="staff.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ComplaintEvent(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """Status changes, staff replies and internal notes, in order."""

    __tablename__ = "complaint_event"

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str = Field(max_length=12)  # status | reply | note | link
    from_status: str | None = Field(default=None, max_length=12)
    to_status: str | None = Field(default=None, max_length=12)
    text: str = ""
    public: bool = True  # internal notes are not shown to the customer
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ResponseTarget(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """How fast each category must get a first response and a resolution."""

    __tablename__ = "response_target"

    category: str = Field(primary_key=True, max_length=24)
    first_response_minutes: int
    resolution_minutes: int
