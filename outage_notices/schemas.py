"""Request and response bodies of `/api/v1/notices` (times: ISO 8601; without a zone = WITA)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from db.vocab import NoticeKind

YEARS = range(2000, 2101)


def _text(value: str) -> str:
    """NUL characters can't be stored (PostgreSQL refuses them) and never mean anything here."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _moment(value: datetime) -> datetime:
    if value.year not in YEARS:
        raise ValueError("must be a time between the years 2000 and 2100")
    return value


def _day(value: date) -> date:
    if value.year not in YEARS:
        raise ValueError("must be a date between the years 2000 and 2100")
    return value


def _clock(value: time) -> time:
    """A wall-clock time in WITA; a zone given with it is ignored."""
    return value.replace(tzinfo=None)


Text = Annotated[str, AfterValidator(_text)]
Moment = Annotated[datetime, AfterValidator(_moment)]
Day = Annotated[date, AfterValidator(_day)]
Clock = Annotated[time, AfterValidator(_clock)]


class NoticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NoticeKind
    title: Text = Field(max_length=160, examples=["Perbaikan pipa transmisi"])
    areas: list[Annotated[Text, Field(max_length=80)]] = Field(
        max_length=200,
        description="Area codes (or unique exact names); a kecamatan covers all its desa",
        examples=[["63.03.04"]],
    )
    starts_at: Moment
    expected_end_at: Moment | None = Field(None, description="null = not yet known")
    cause: Text = Field("", max_length=1000)
    advice: Text = Field("", max_length=1000, description="What customers can do")
    urgent: bool = Field(False, description="Sent even in quiet hours")
    reminder_hours: Text | None = Field(None, examples=["24,1"], description="Hours before start")


class NoticeChange(BaseModel):
    """Only the fields given are changed; pushes already sent are never sent again."""

    model_config = ConfigDict(extra="forbid")

    kind: NoticeKind | None = None
    title: Text | None = Field(None, max_length=160)
    areas: list[Annotated[Text, Field(max_length=80)]] | None = Field(None, max_length=200)
    starts_at: Moment | None = None
    expected_end_at: Moment | None = None
    cause: Text | None = Field(None, max_length=1000)
    advice: Text | None = Field(None, max_length=1000)
    urgent: bool | None = None
    reminder_hours: Text | None = None
    note: Text = Field("", max_length=600, description="Why it changed, kept in the history")


class PublishRequest(BaseModel):
    confirm_short_notice: bool = Field(
        False, description="Needed for planned work starting sooner than the notice standard"
    )


class ExtendRequest(BaseModel):
    expected_end_at: Moment
    text: Text = Field("", max_length=600)


class RestoreRequest(BaseModel):
    text: Text = Field("", max_length=600)
    urgent: bool | None = Field(None, description="Tell subscribers even in quiet hours")


class CancelRequest(BaseModel):
    text: Text = Field("", max_length=600)


class Delivery(BaseModel):
    targeted: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    unknown: int = Field(
        0,
        description="Caught mid-send by a crash: may or may not have reached the customer; "
        "listed at /api/v1/outbox/unknown to resend. sent + failed + pending + unknown = targeted",
    )


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

    area: Text = Field(max_length=80, examples=["63.03.19.2001"])
    weekdays: Text = Field(
        max_length=60, examples=["Mon,Wed,Fri"], description="Mon..Sun, Sen..Min or 0..6"
    )
    start_time: Clock = Field(examples=["05:00"], description="WITA")
    end_time: Clock = Field(examples=["11:00"], description="WITA; at or before start = next day")
    valid_from: Day
    valid_until: Day
    note: Text = Field("", max_length=300)


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
