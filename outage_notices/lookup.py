"""What the bot tells a customer who asks about an area: disruptions and rotation windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from db.models import Notice, NoticeArea, NoticeUpdate, RotationSchedule, ServiceArea

LIVE_STATUSES = ("scheduled", "ongoing")


@dataclass(frozen=True, slots=True)
class Disruption:
    notice: Notice
    area_names: list[str]
    latest_update: NoticeUpdate | None

    def is_ongoing(self, now: datetime) -> bool:
        return self.notice.status == "ongoing" or self.notice.starts_at <= now


@dataclass(frozen=True, slots=True)
class RotationWindow:
    day: date
    start: time
    end: time
    note: str


def _affecting(code: str, kecamatan_code: str | None, is_kecamatan: bool):
    """Areas whose notices concern a place: itself, its kecamatan, or (a kecamatan) its desa."""
    codes = {code} | ({kecamatan_code} if kecamatan_code else set())
    condition = col(ServiceArea.code).in_(codes)
    if is_kecamatan:
        condition = or_(condition, ServiceArea.kecamatan_code == code)
    return condition


def disruptions_for_area(
    *,
    session: Session,
    code: str,
    kecamatan_code: str | None,
    is_kecamatan: bool,
    now: datetime,
    days: int = 7,
) -> list[Disruption]:
    """Ongoing and upcoming (within `days`) disruptions for an area, ongoing first."""
    notice_ids = (
        select(NoticeArea.notice_id)
        .join(ServiceArea, col(ServiceArea.code) == NoticeArea.area_code)
        .where(_affecting(code, kecamatan_code, is_kecamatan))
    )
    notices = session.exec(
        select(Notice)
        .where(
            col(Notice.id).in_(notice_ids),
            col(Notice.status).in_(LIVE_STATUSES),
            Notice.starts_at <= now + timedelta(days=days),
        )
        .order_by(col(Notice.starts_at))
    ).all()
    result = [_with_details(session, notice) for notice in notices]
    result.sort(key=lambda item: (not item.is_ongoing(now), item.notice.starts_at))
    return result


def ongoing_notice_for_area(
    *, session: Session, code: str, kecamatan_code: str | None, now: datetime
) -> Notice | None:
    """The disruption already known for this place, so a complaint can join it, not queue alone."""
    notice_ids = (
        select(NoticeArea.notice_id)
        .join(ServiceArea, col(ServiceArea.code) == NoticeArea.area_code)
        .where(_affecting(code, kecamatan_code, code == kecamatan_code))
    )
    return session.exec(
        select(Notice)
        .where(
            col(Notice.id).in_(notice_ids),
            col(Notice.status).in_(LIVE_STATUSES),
            Notice.starts_at <= now,
        )
        .order_by(col(Notice.starts_at).desc())
    ).first()


def _with_details(session: Session, notice: Notice) -> Disruption:
    names = session.exec(
        select(ServiceArea.name)
        .join(NoticeArea, col(NoticeArea.area_code) == ServiceArea.code)
        .where(NoticeArea.notice_id == notice.id)
        .order_by(col(ServiceArea.code))
    ).all()
    latest = session.exec(
        select(NoticeUpdate)
        .where(NoticeUpdate.notice_id == notice.id, NoticeUpdate.text != "")
        .order_by(col(NoticeUpdate.created_at).desc(), col(NoticeUpdate.id).desc())
    ).first()
    return Disruption(notice=notice, area_names=list(names), latest_update=latest)


def rotation_windows(
    *, session: Session, codes: list[str], days: list[date]
) -> list[RotationWindow]:
    """Supply windows (giliran) on the given local dates for these areas, in time order."""
    schedules = session.exec(
        select(RotationSchedule).where(
            col(RotationSchedule.area_code).in_(codes),
            RotationSchedule.valid_from <= max(days),
            RotationSchedule.valid_until >= min(days),
        )
    ).all()
    windows = []
    for day in days:
        for schedule in schedules:
            weekdays = {int(d) for d in schedule.weekdays.split(",") if d.strip()}
            if schedule.valid_from <= day <= schedule.valid_until and day.weekday() in weekdays:
                windows.append(
                    RotationWindow(day, schedule.start_time, schedule.end_time, schedule.note)
                )
    return sorted(windows, key=lambda window: (window.day, window.start))
