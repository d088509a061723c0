"""What customers send besides text: media files in the media store, and shared locations."""

from datetime import datetime
from typing import ClassVar

from sqlalchemy import Table
from sqlmodel import Field, SQLModel

from db.types import UTCDateTime, utcnow


class Attachment(SQLModel, table=True):
    """A photo, voice note, document (a file in the media store) or a location (coordinates)."""

    __table__: ClassVar[Table]  # set by SQLModel at class creation; declared for the type checker
    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True)
    complaint_id: int | None = Field(default=None, foreign_key="complaint.id", index=True)
    kind: str = Field(max_length=12)  # photo | voice | audio | video | document | location
    content_type: str | None = Field(default=None, max_length=80)
    size_bytes: int | None = None
    path: str | None = Field(default=None, max_length=255)  # relative to MEDIA_DIR
    provider_ref: str | None = Field(default=None, max_length=512)  # file_id or media URL
    # pending (to download) | stored (the file is at `path`) | refused (too big, wrong type)
    # | failed (the provider never gave it) | located (a location: no file)
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    error: str | None = Field(default=None, max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
