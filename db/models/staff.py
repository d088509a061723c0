"""Staff accounts, their API tokens and console sessions, failed sign-ins, and the audit trail."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, Index, Table
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


class Staff(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    full_name: str = Field(default="", max_length=120)
    role: str = Field(max_length=12)  # agent | editor | supervisor | admin
    password_hash: str
    language: str = Field(default="id", max_length=2)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    telegram_chat_id: str | None = Field(default=None, max_length=32)  # escalations go here


class ApiToken(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=128, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StaffSession(SQLModel, table=True):
    """A signed-in console: the cookie holds a random token, the table only its SHA-256 hash.

    Deleting the row ends the session at once (logout, password change, deactivation).
    """

    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)  # the absolute lifetime


class LoginFailure(SQLModel, table=True):
    """A failed sign-in, kept only as long as the login throttle looks back (accounts.throttle)."""

    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_username", "username", "created_at"),
        Index("ix_login_failure_source", "source", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)  # as typed (lower case), whether or not it exists
    source: str = Field(max_length=64)  # the client address; an IPv6 client's /64 network
    device: str | None = Field(default=None, max_length=32)  # a known browser (device cookie)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


class AuditLog(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    action: str = Field(max_length=40, index=True)
    target_type: str | None = Field(default=None, max_length=24)
    target_id: str | None = Field(default=None, max_length=40)
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    ip: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
