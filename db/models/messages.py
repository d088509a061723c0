"""Every message in and out. An outbound row is also its own outbox entry."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, Index, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


class Message(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "message"
    __table_args__ = (
        # One notice event reaches a contact at most once, whatever retries or restarts happen.
        UniqueConstraint("contact_id", "notice_id", "notice_event", name="uq_message_notice_event"),
        Index("ix_message_outbox", "status", "next_attempt_at"),
        # The sender reads each channel's unfinished rows oldest first, without sorting them.
        Index("ix_message_unfinished", "status", "channel", "id"),
        Index("ix_message_contact", "contact_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id")
    direction: str = Field(max_length=3)  # in | out
    channel: str = Field(max_length=16)
    text: str = ""
    choices: list[dict[str, str]] | None = Field(default=None, sa_column=Column(JSON))
    media: list[str] | None = Field(default=None, sa_column=Column(JSON))
    # in: received | out: pending, sending, sent, delivered, read, failed, undelivered
    status: str = Field(max_length=12)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = None
    provider_message_id: str | None = Field(default=None, max_length=64, index=True)
    template_kind: str | None = Field(default=None, max_length=32)
    template_variables: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    complaint_id: int | None = Field(default=None, foreign_key="complaint.id", index=True)
    notice_id: int | None = Field(default=None, foreign_key="notice.id", index=True)
    notice_event: str | None = Field(default=None, max_length=32)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class InboundReceipt(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """Provider ids already taken in (update_id, MessageSid): a redelivery changes nothing.

    Webhooks are acknowledged once the message is stored here (`payload`); the conversation
    takes it up after, and `processed_at` says it has. A crash in between loses nothing.
    A message whose processing failed for a reason of its own is set aside (`failed_at`, with
    the kind of error in `failure`): a dead letter that staff can look at and retry.
    """

    __tablename__ = "inbound_receipt"
    __table_args__ = (Index("ix_inbound_receipt_waiting", "processed_at", "received_at"),)

    channel: str = Field(primary_key=True, max_length=16)
    raw_id: str = Field(primary_key=True, max_length=64)
    payload: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    failure: str | None = Field(default=None, max_length=200)
