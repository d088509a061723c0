"""Rotation schedules (giliran): recurring supply windows per area, valid between two dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, select
from sqlmodel import Session

from areas.coverage import covering_area_codes, resolve_area_refs
from db.models import RotationSchedule
from outage_notices.policy import WITA
from outage_notices.validation import NoticeInvalid

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
    errors: dict[str, str] = {}
    codes, problems = resolve_area_refs(session, [area])
    if problems or not codes:
        errors["area"] = "; ".join(problems) or "name a kecamatan or desa"
    try:
        days = parse_weekdays(weekdays)
    except ValueError as error:
        errors["weekdays"] = str(error)
    if start_time == end_time:
        errors["end_time"] = "must differ from start_time"
    if valid_until < valid_from:
        errors["valid_until"] = "must not be before valid_from"
    if len(note) > 300:
        errors["note"] = f"is {len(note)} characters; at most 300"
    if errors:
        raise NoticeInvalid(errors)
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
    statement = select(RotationSchedule).order_by(RotationSchedule.area_code, RotationSchedule.id)
    if area_code:
        statement = statement.where(RotationSchedule.area_code == area_code)
    if on:
        statement = statement.where(
            RotationSchedule.valid_from <= on, RotationSchedule.valid_until >= on
        )
    return list(session.scalars(statement))


SCHEDULE = RotationSchedule.__table__
WINDOW_SCHEDULES = select(SCHEDULE).where(
    SCHEDULE.c.area_code.in_(bindparam("codes", expanding=True)),
    SCHEDULE.c.valid_from <= bindparam("day"),
    SCHEDULE.c.valid_until >= bindparam("day"),
)


def windows_for(
    *, session: Session, area_code: str, day: date, tz: ZoneInfo = WITA
) -> list[Window]:
    """Supply windows starting on this local date, for the area or its kecamatan, in order."""
    codes = covering_area_codes(session, area_code)
    return windows_on(session.connection(), codes=codes, day=day, tz=tz)


def windows_on(
    connection: Connection, *, codes: list[str], day: date, tz: ZoneInfo = WITA
) -> list[Window]:
    """Windows on a local date for schedules declared on these areas; the bot asks this on
    every outage question, so it runs one prebuilt statement on the caller's connection."""
    windows = []
    rows = connection.execute(WINDOW_SCHEDULES, {"codes": codes, "day": day})
    for schedule in rows:
        if str(day.weekday()) not in schedule.weekdays.split(","):
            continue
        start = datetime.combine(day, schedule.start_time, tzinfo=tz)
        end = datetime.combine(day, schedule.end_time, tzinfo=tz)
        if end <= start:
            end += timedelta(days=1)
        windows.append(
            Window(
                area_code=schedule.area_code,
                starts_at=start.astimezone(UTC),
                ends_at=end.astimezone(UTC),
                note=schedule.note,
                schedule_id=schedule.id,
            )
        )
    return sorted(windows, key=lambda w: (w.starts_at, w.area_code))
