"""Staff accounts, their API tokens and the audit trail of what they did."""

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, Table
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
