"""Opening hours written as people write them: 'Mon-Thu 08:00-16:00; Fri 08:00-11:30,13:30-16:00'.

The WORKING_HOURS setting is read with this parser (so a typo stops the service at start);
the working calendar (complaints/calendar.py) counts complaint clocks in the hours it returns.
"""

from __future__ import annotations

import re
from datetime import time

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Range = tuple[time, time]
Week = tuple[tuple[Range, ...], ...]
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def _clock(hours: str, minutes: str) -> time:
    value = int(hours) * 60 + int(minutes)
    if value > 24 * 60 or int(minutes) > 59:
        raise ValueError(f"{hours}:{minutes} is not a time of day")
    return time.max if value == 24 * 60 else time(value // 60, value % 60)


def _days(text: str) -> list[int]:
    """'Mon-Thu' or 'Sat' or 'Mon,Wed' as weekday numbers (Mon=0)."""
    days: list[int] = []
    for part in text.lower().split(","):
        first, _, last = part.strip().partition("-")
        if first[:3] not in DAY_NAMES or (last and last[:3] not in DAY_NAMES):
            raise ValueError(f"unknown day in {text!r}")
        start = DAY_NAMES.index(first[:3])
        end = DAY_NAMES.index(last[:3]) if last else start
        days.extend(range(start, end + 1))
    return days


def parse_working_hours(text: str) -> Week:
    """'Mon-Thu 08:00-16:00; Fri 08:00-11:30,13:30-16:00' → seven tuples of (open, close).

    A day named in no group is closed; ranges of a day must be in order and not overlap.
    """
    week: list[tuple[Range, ...]] = [() for _ in DAY_NAMES]
    for group in filter(None, (g.strip() for g in text.split(";"))):
        days, _, spans = group.partition(" ")
        ranges: list[Range] = []
        for span in spans.split(","):
            match = _RANGE.match(span.strip())
            if match is None:
                raise ValueError(f"{span.strip()!r} is not a range like 08:00-16:00")
            opens, closes = _clock(*match.group(1, 2)), _clock(*match.group(3, 4))
            if opens >= closes or (ranges and opens < ranges[-1][1]):
                raise ValueError(f"{span.strip()!r}: ranges go forward and do not overlap")
            ranges.append((opens, closes))
        for day in _days(days):
            week[day] = tuple(ranges)
    return tuple(week)
