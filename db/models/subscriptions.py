"""Which contacts want notices for which areas."""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Table, UniqueConstraint
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


class Subscription(SQLModel, table=True):
    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "subscription"
    __table_args__ = (UniqueConstraint("contact_id", "area_code"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    area_code: str = Field(foreign_key="service_area.code", index=True, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
