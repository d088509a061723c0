"""Complaints, their history and the response targets they are measured against."""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Index, Table, text
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow

# A status step out of a finished status back into work (see complaints/workflow.py).
REOPENED = text(
    "kind = 'status' AND from_status IN ('resolved', 'closed', 'rejected')"
    " AND to_status IN ('received', 'in_progress')"
)


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
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_response_by: int | None = Field(default=None, foreign_key="staff.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The promise made when the complaint was filed; reports measure against these, so a
    # later change of a category's target never rewrites history.
    first_response_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolution_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The customer's satisfaction after resolution: 1 (poor) to 5 (very good).
    rating: int | None = None
    rating_comment: str | None = None
    rated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # The clocks in working minutes (calendar, less waiting for the customer), set when they stop.
    first_response_work_minutes: int | None = None
    resolution_work_minutes: int | None = None
    is_demo: bool = False  # `kabar-air demo --history`: made up, marked, never sent anything


class ComplaintEvent(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """Status changes, staff replies and internal notes, in order."""

    __tablename__ = "complaint_event"
    __table_args__ = (
        # the few steps that reopen a complaint, for the reports' "reopened" count
        Index(
            "ix_complaint_event_reopened",
            "complaint_id",
            sqlite_where=REOPENED,
            postgresql_where=REOPENED,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    complaint_id: int = Field(foreign_key="complaint.id", index=True)
    kind: str = Field(max_length=12)  # status | reply | note | link | customer
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
