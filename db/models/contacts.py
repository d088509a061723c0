"""Customers as the channels know them, and where each one is in a conversation."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


class Contact(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "contact"
    __table_args__ = (UniqueConstraint("channel", "channel_user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)  # telegram | whatsapp | console
    channel_user_id: str = Field(max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    display_name: str | None = Field(default=None, max_length=120)
    language: str = Field(default="id", max_length=2)
    active: bool = True  # false when the channel says we can no longer reach them
    opted_out: bool = False  # STOP/BERHENTI: no notices until MULAI
    needs_human: bool = False
    needs_human_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_inbound_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ConversationState(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    """The flow a contact is in; kept in the database so a restart loses nothing."""

    __tablename__ = "conversation_state"

    contact_id: int = Field(foreign_key="contact.id", primary_key=True)
    flow: str | None = Field(default=None, max_length=32)
    step: str | None = Field(default=None, max_length=32)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
