"""The report as files: CSV (one line per complaint) and XLSX (summary sheets and the lines).

Headers and codes are written as words in the reader's language (Indonesian by default), from
the catalogue's `[report]` section and vocabularies; times are in the utility's zone.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.privacy import contact_phone, mask_phone
from core import timefmt
from core.texts import label, t
from db.models import Notice
from reports.service import Group, Report

# catalogue keys (section [report]) of each file's columns, in order
LINE_COLUMNS = (
    "ticket",
    "created",
    "category",
    "kecamatan",
    "area",
    "channel",
    "phone",
    "status",
    "first_response_minutes",
    "within_target",
    "resolution_minutes",
)
SHORT_COLUMNS = ("notice", "title", "starts", "published", "hours_notice")
GROUP_COLUMNS = (
    "group",
    "complaints",
    "open",
    "open_past_target",
    "answered",
    "pct_within_target",
    "first_median",
    "first_p90",
    "resolution_median",
    "resolution_p90",
)


def header_row(columns: tuple[str, ...], language: str, tz: ZoneInfo) -> list[str]:
    """A file's first row in words: 'Tiket', 'Dibuat (WITA)', ..."""
    zone = timefmt.zone_name(tz)
    return [t(language, f"report.{column}", zone=zone) for column in columns]


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


def _line_rows(report: Report, language: str, tz: ZoneInfo) -> list[list]:
    yes, no = t(language, "report.yes"), t(language, "report.no")
    return [
        [
            line.complaint.ticket_number,
            _local(line.complaint.created_at, tz),
            label(language, "complaint_category", line.complaint.category),
            line.kecamatan,
            line.area,
            label(language, "channel", line.complaint.channel),
            mask_phone(contact_phone(line.contact)),
            label(language, "complaint_status", line.complaint.status),
            line.first_minutes,
            yes if line.within_target else no,
            line.resolution_minutes,
        ]
        for line in report.lines
    ]


def _group_name(group: Group, language: str) -> str:
    """A category's or the total's word; a kecamatan's own name."""
    if group.key == "total":
        return t(language, "report.total")
    name = label(language, "complaint_category", group.key)
    return name if name != group.key else group.label


def _group_row(group: Group, language: str) -> list:
    return [
        _group_name(group, language),
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


def to_csv(report: Report, tz: ZoneInfo, language: str = "id") -> str:
    """One line per complaint, phones masked, times in the utility's zone, words in `language`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header_row(LINE_COLUMNS, language, tz))
    rows = _line_rows(report, language, tz)
    writer.writerows([[_safe(cell) for cell in row] for row in rows])
    return buffer.getvalue()


def to_xlsx(report: Report, tz: ZoneInfo, language: str = "id") -> bytes:
    """Summary per category and per kecamatan, short-notice works, and every complaint."""
    book = Workbook()
    groups = header_row(GROUP_COLUMNS, language, tz)
    categories = [_group_row(g, language) for g in [*report.by_category, report.total]]
    kecamatans = [_group_row(g, language) for g in report.by_kecamatan]
    shorts = [_short_row(n, tz) for n in report.short_notice]
    sheets = [
        (t(language, "report.sheet_category"), groups, categories),
        (t(language, "report.sheet_kecamatan"), groups, kecamatans),
        (t(language, "report.sheet_short_notice"), header_row(SHORT_COLUMNS, language, tz), shorts),
        (
            t(language, "report.sheet_complaints"),
            header_row(LINE_COLUMNS, language, tz),
            _line_rows(report, language, tz),
        ),
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
