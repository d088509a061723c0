"""The monthly report as the CLI and the console hand it out: one month, its PDF and XLSX."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.texts import t
from reports import export, service

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
TREND_MONTHS = 6


def month_period(month: str, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """'2026-11' as [1 Nov 00:00, 1 Dec 00:00) in the utility's zone; None when not a month."""
    match = MONTH.match(month.strip())
    if match is None:
        return None
    year, number = int(match.group(1)), int(match.group(2))
    start = service.month_start(year, number, tz)
    following = (year + number // 12, number % 12 + 1)
    return start, service.month_start(*following, tz)


def month_of(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m")


def monthly_pdf(
    *,
    session: Session,
    start: datetime,
    end: datetime,
    now: datetime,
    tz: ZoneInfo,
    utility: str,
    language: str,
) -> bytes:
    """The month's summary PDF, with the trend of the six months up to it."""
    from reports import pdf  # reportlab (~15 MB) is loaded when a PDF is first asked for

    report = service.build(session=session, start=start, end=end, now=now, tz=tz)
    trend = service.trend(session=session, end=end, months=TREND_MONTHS, now=now, tz=tz)
    return pdf.monthly_pdf(report, trend, tz=tz, utility=utility, language=language)


def monthly_xlsx(
    *,
    session: Session,
    start: datetime,
    end: datetime,
    now: datetime,
    tz: ZoneInfo,
    utility: str,
    language: str,
) -> bytes:
    report = service.build(session=session, start=start, end=end, now=now, tz=tz)
    lines = service.complaint_lines(session=session, start=start, end=end)
    title = f"{t(language, 'report.monthly_heading')} — {utility}"
    return export.to_xlsx(report, lines, tz=tz, language=language, title=title)
