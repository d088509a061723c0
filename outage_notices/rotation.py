"""Rotation schedules (giliran): recurring supply windows per area, valid between two dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, select
from sqlmodel import Session, col

from areas.coverage import covering_area_codes, resolve_area_refs
from core.errors import DomainError, Problem
from db.models import RotationSchedule
from db.prepared import Prepared

NOTE_LIMIT = 300

DAY_NAMES = {
    **{name: n for n, name in enumerate(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])},
    **{name: n for n, name in enumerate(["sen", "sel", "rab", "kam", "jum", "sab", "min"])},
}


@dataclass(frozen=True, slots=True)
class Window:
    """One supply window on a date (UTC times), for the area it is declared on."""

    area_code: str
    starts_at: datetime
    ends_at: datetime
    note: str
    schedule_id: int


def parse_weekdays(value: str) -> str:
    """'Mon,Wed,Fri', 'sen-jum' or '0,2,4' → '0,2,4' (Monday is 0)."""
    days: set[int] = set()
    for part in value.lower().replace(" ", "").split(","):
        if not part:
            continue
        first, _, last = part.partition("-")
        start, end = _day(first), _day(last) if last else _day(first)
        if end < start:
            raise ValueError(f"'{part}' runs backwards")
        days.update(range(start, end + 1))
    if not days:
        raise ValueError("name at least one day")
    return ",".join(str(day) for day in sorted(days))


def _day(text: str) -> int:
    if text.isdigit() and int(text) < 7:
        return int(text)
    if text[:3] in DAY_NAMES:
        return DAY_NAMES[text[:3]]
    raise ValueError(f"'{text}' is not a day (Mon..Sun, Sen..Min or 0..6)")


def create_schedule(
    *,
    session: Session,
    area: str,
    weekdays: str,
    start_time: time,
    end_time: time,
    valid_from: date,
    valid_until: date,
    note: str = "",
) -> RotationSchedule:
    """Record a giliran; a window ending at or before its start runs past midnight."""
    codes, problems = resolve_area_refs(session, [area], field="area")
    if not codes and not problems:
        problems.append(Problem("area", "areas_none"))
    try:
        days = parse_weekdays(weekdays)
    except ValueError:
        problems.append(Problem("weekdays", "weekdays", {"value": weekdays}))
    if start_time == end_time:
        problems.append(Problem("end_time", "window_empty"))
    if valid_until < valid_from:
        problems.append(Problem("valid_until", "until_before_from"))
    if len(note) > NOTE_LIMIT:
        problems.append(Problem("note", "too_long", {"length": len(note), "limit": NOTE_LIMIT}))
    if problems:
        raise DomainError(*problems)
    schedule = RotationSchedule(
        area_code=codes[0],
        weekdays=days,
        start_time=start_time,
        end_time=end_time,
        valid_from=valid_from,
        valid_until=valid_until,
        note=note.strip(),
    )
    session.add(schedule)
    session.flush()
    return schedule


def list_schedules(
    *, session: Session, area_code: str | None = None, on: date | None = None
) -> list[RotationSchedule]:
    """Schedules, optionally for one area (as declared) and valid on a date."""
    statement = select(RotationSchedule).order_by(
        col(RotationSchedule.area_code), col(RotationSchedule.id)
    )
    if area_code:
        statement = statement.where(col(RotationSchedule.area_code) == area_code)
    if on:
        statement = statement.where(
            col(RotationSchedule.valid_from) <= on, col(RotationSchedule.valid_until) >= on
        )
    return list(session.scalars(statement))


SCHEDULE = RotationSchedule.__table__
# An area and the kecamatan over it: two fixed parameters (an expanding IN is compiled anew
# each time), run on the driver's cursor (db.prepared).
WINDOW_SCHEDULES = Prepared(
    select(SCHEDULE.c.id, SCHEDULE.c.area_code, SCHEDULE.c.weekdays, SCHEDULE.c.start_time,
           SCHEDULE.c.end_time, SCHEDULE.c.note)
    .where(
        SCHEDULE.c.area_code.in_([bindparam("code"), bindparam("covering_code")]),
        SCHEDULE.c.valid_from <= bindparam("day"),
        SCHEDULE.c.valid_until >= bindparam("day"),
    )
)  # fmt: skip


def windows_for(*, session: Session, area_code: str, day: date, tz: ZoneInfo) -> list[Window]:
    """Supply windows starting on this local date, for the area or its kecamatan, in order."""
    codes = covering_area_codes(session, area_code)
    return windows_on(session.connection(), codes=codes, day=day, tz=tz)


def windows_on(
    connection: Connection, *, codes: list[str], day: date, tz: ZoneInfo
) -> list[Window]:
    """Windows on a local date for schedules declared on these areas (an area and the
    kecamatan over it: `covering_area_codes`); the bot asks this on every outage question, so
    it runs one prebuilt statement on the caller's connection."""
    if not codes:
        return []
    if len(codes) > 2:
        raise ValueError(f"an area and its kecamatan at most, not {len(codes)} areas")
    params = {"code": codes[0], "covering_code": codes[-1], "day": day}
    windows = []
    for schedule_id, area_code, weekdays, start_time, end_time, note in WINDOW_SCHEDULES.rows(
        connection, params
    ):
        if str(day.weekday()) not in weekdays.split(","):
            continue
        start = datetime.combine(day, start_time, tzinfo=tz)
        end = datetime.combine(day, end_time, tzinfo=tz)
        if end <= start:
            end += timedelta(days=1)
        windows.append(
            Window(
                area_code=area_code,
                starts_at=start.astimezone(UTC),
                ends_at=end.astimezone(UTC),
                note=note,
                schedule_id=schedule_id,
            )
        )
    return sorted(windows, key=lambda w: (w.starts_at, w.area_code))
