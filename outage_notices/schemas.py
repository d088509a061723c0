"""Request and response bodies of `/api/v1/notices` (times: ISO 8601; without a zone = WITA)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["planned", "unplanned", "low_pressure", "bulk_reduction"]
Status = Literal["draft", "scheduled", "ongoing", "restored", "cancelled"]


class NoticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Kind
    title: str = Field(max_length=160, examples=["Perbaikan pipa transmisi"])
    areas: list[str] = Field(
        description="Area codes (or unique exact names); a kecamatan covers all its desa",
        examples=[["63.03.04"]],
    )
    starts_at: datetime
    expected_end_at: datetime | None = Field(None, description="null = not yet known")
    cause: str = Field("", max_length=1000)
    advice: str = Field("", max_length=1000, description="What customers can do")
    urgent: bool = Field(False, description="Sent even in quiet hours")
    reminder_hours: str | None = Field(None, examples=["24,1"], description="Hours before start")


class NoticeChange(BaseModel):
    """Only the fields given are changed; pushes already sent are never sent again."""

    model_config = ConfigDict(extra="forbid")

    kind: Kind | None = None
    title: str | None = Field(None, max_length=160)
    areas: list[str] | None = None
    starts_at: datetime | None = None
    expected_end_at: datetime | None = None
    cause: str | None = Field(None, max_length=1000)
    advice: str | None = Field(None, max_length=1000)
    urgent: bool | None = None
    reminder_hours: str | None = None
    note: str = Field("", max_length=600, description="Why it changed, kept in the history")


class PublishRequest(BaseModel):
    confirm_short_notice: bool = Field(
        False, description="Needed for planned work starting sooner than the notice standard"
    )


class ExtendRequest(BaseModel):
    expected_end_at: datetime
    text: str = Field("", max_length=600)


class RestoreRequest(BaseModel):
    text: str = Field("", max_length=600)
    urgent: bool | None = Field(None, description="Tell subscribers even in quiet hours")


class CancelRequest(BaseModel):
    text: str = Field("", max_length=600)


class Delivery(BaseModel):
    targeted: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0


class Area(BaseModel):
    code: str
    name: str


class NoticeOut(BaseModel):
    id: int
    kind: str
    status: str
    title: str
    cause: str
    advice: str
    areas: list[Area]
    starts_at: datetime
    expected_end_at: datetime | None
    urgent: bool
    short_notice: bool
    reminder_hours: str
    is_demo: bool
    published_at: datetime | None
    restored_at: datetime | None
    cancelled_at: datetime | None
    delivery: Delivery


class HistoryEntry(BaseModel):
    kind: str
    text: str
    staff_id: int | None
    created_at: datetime


class PushOut(BaseModel):
    event: str
    due_at: datetime
    urgent: bool
    status: str
    drop_reason: str | None
    targeted: int
    processed_at: datetime | None
    delivery: Delivery


class NoticeDetailOut(NoticeOut):
    history: list[HistoryEntry]
    pushes: list[PushOut]
    linked_complaint_ids: list[int]


class RotationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    area: str = Field(examples=["63.03.19.2001"])
    weekdays: str = Field(examples=["Mon,Wed,Fri"], description="Mon..Sun, Sen..Min or 0..6")
    start_time: time = Field(examples=["05:00"], description="WITA")
    end_time: time = Field(examples=["11:00"], description="WITA; at or before start = next day")
    valid_from: date
    valid_until: date
    note: str = Field("", max_length=300)


class RotationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    area_code: str
    weekdays: str
    start_time: time
    end_time: time
    valid_from: date
    valid_until: date
    note: str


class WindowOut(BaseModel):
    area_code: str
    starts_at: datetime
    ends_at: datetime
    note: str
