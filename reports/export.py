"""The report as files: CSV (one line per complaint) and XLSX (summary sheets and the lines)."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.privacy import contact_phone, mask_phone
from db.models import Notice
from reports.service import Group, Report

LINE_HEADER = [
    "ticket",
    "created_wita",
    "category",
    "kecamatan",
    "area",
    "channel",
    "phone_masked",
    "status",
    "first_response_minutes",
    "first_response_within_target",
    "resolution_minutes",
]
SHORT_HEADER = ["notice", "title", "starts_wita", "published_wita", "hours_notice"]
GROUP_HEADER = [
    "group",
    "complaints",
    "open",
    "open_past_target",
    "answered",
    "pct_first_response_within_target",
    "first_response_median_min",
    "first_response_p90_min",
    "resolution_median_min",
    "resolution_p90_min",
]


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _line_rows(report: Report, tz: ZoneInfo) -> list[list]:
    return [
        [
            line.complaint.ticket_number,
            _local(line.complaint.created_at, tz),
            line.complaint.category,
            line.kecamatan,
            line.area,
            line.complaint.channel,
            mask_phone(contact_phone(line.contact)),
            line.complaint.status,
            line.first_minutes,
            "yes" if line.within_target else "no",
            line.resolution_minutes,
        ]
        for line in report.lines
    ]


def _group_row(group: Group) -> list:
    return [
        group.label,
        group.count,
        group.open,
        group.open_past_target,
        group.answered,
        group.pct_within_target,
        group.first_median(),
        group.first_p90(),
        group.resolution_median(),
        group.resolution_p90(),
    ]


def _short_row(notice: Notice, tz: ZoneInfo) -> list:
    published = notice.published_at
    hours = (notice.starts_at - published).total_seconds() / 3600 if published else None
    return [
        notice.id,
        notice.title,
        _local(notice.starts_at, tz),
        _local(published, tz),
        round(hours, 1) if hours is not None else None,
    ]


def _safe(value: object) -> object:
    """Cells that a spreadsheet would run as a formula are written as text."""
    if (
        isinstance(value, str)
        and value[:1] in ("=", "+", "-", "@")
        and not value.startswith("+62 ")
    ):
        return "'" + value
    return value


def to_csv(report: Report, tz: ZoneInfo) -> str:
    """One line per complaint, phones masked, times in WITA."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LINE_HEADER)
    writer.writerows([[_safe(cell) for cell in row] for row in _line_rows(report, tz)])
    return buffer.getvalue()


def to_xlsx(report: Report, tz: ZoneInfo) -> bytes:
    """Summary per category and per kecamatan, short-notice works, and every complaint."""
    book = Workbook()
    categories = [_group_row(g) for g in [*report.by_category, report.total]]
    sheets = [
        ("Per category", GROUP_HEADER, categories),
        ("Per kecamatan", GROUP_HEADER, [_group_row(g) for g in report.by_kecamatan]),
        ("Short notice", SHORT_HEADER, [_short_row(n, tz) for n in report.short_notice]),
        ("Complaints", LINE_HEADER, _line_rows(report, tz)),
    ]
    book.remove(book.active)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_safe(cell) for cell in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
