"""The report as files: CSV (one line per complaint) and XLSX (a sheet per breakdown, charts).

Each complaint's clocks are in working minutes (what the report's figures measure), with the
wall-clock minutes from filing beside them ("menit kalender").

Headers and codes are words in the reader's language (Indonesian by default), from the
catalogue's `[report]` section and vocabularies; times are in the utility's zone. The XLSX
holds real dates and numbers (percentages as fractions shown with '%'), writes the period and
the generation time on every sheet, and draws its charts with openpyxl's native charts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from accounts.privacy import mask_phone
from core import timefmt
from core.texts import label, t
from db.vocab import Channel, ComplaintStatus
from reports.service import Disruption, Figures, Report

if TYPE_CHECKING:  # openpyxl (~15 MB) is imported when a spreadsheet is written, not at start
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet
from reports.words import COLUMNS, PERCENT, SHEETS, group_name, headlines, period

# catalogue keys (section [report]) of the per-complaint columns, in order
LINE_COLUMNS = (
    "ticket",
    "created",
    "category",
    "kecamatan",
    "area",
    "channel",
    "phone",
    "status",
    "agent",
    "first_response_due",
    "first_response_at",
    "first_responder",
    "first_response_work_minutes",
    "first_response_minutes",
    "first_response_on_time",
    "resolution_due",
    "resolved_at",
    "resolution_work_minutes",
    "resolution_minutes",
    "resolution_on_time",
    "closed_at",
    "reopened",
    "disruption",
    "rating",
    "rating_comment",
    "rated_at",
    "demo",
)
DISRUPTION_COLUMNS = (
    "notice",
    "kind",
    "title",
    "published",
    "starts",
    "hours_notice",
    "short_notice",
)
HEADER_ROWS = 5  # heading, period, generation time, units, blank: the table starts below
FORMATS = {"percent": "0.0%", "minutes": "0.0", "count": "0", "rating": "0.00"}
DATE_FORMAT = "yyyy-mm-dd hh:mm"


def header_row(columns: Iterable[str], language: str, tz: ZoneInfo) -> list[str]:
    """A file's column names in words: 'Tiket', 'Dibuat (WITA)', ..."""
    zone = timefmt.zone_name(tz)
    return [t(language, f"report.{column}", zone=zone) for column in columns]


def _minutes(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else round((end - start).total_seconds() / 60, 1)


def _on_time(done: datetime | None, due: datetime | None, now: datetime, language: str) -> str:
    """ya / tidak / belum jatuh tempo, as the report counts it; '' without a promise."""
    if due is None:
        return ""
    if done is not None:
        return t(language, "report.yes" if done <= due else "report.no")
    return t(language, "report.no" if due <= now else "report.not_due")


def _phone(line: Any) -> str:
    phone = line.phone or (
        line.channel_user_id if line.contact_channel == Channel.WHATSAPP else None
    )
    return mask_phone(phone)


def line_values(line: Any, now: datetime, language: str) -> list[Any]:
    """One complaint's cells, times as aware datetimes (each writer formats them).

    The clocks are given in working minutes as stored when they stopped (complaints/clocks.py;
    empty while one runs), the report's measure, with the wall-clock minutes beside them.
    """
    yes, no = t(language, "report.yes"), t(language, "report.no")
    rejected = line.status == ComplaintStatus.REJECTED
    return [
        line.ticket_number,
        line.created_at,
        label(language, "complaint_category", line.category),
        line.kecamatan_name or "",
        line.area_name or "",
        label(language, "channel", line.channel),
        _phone(line),
        label(language, "complaint_status", line.status),
        line.agent or "",
        line.first_response_due_at,
        line.first_response_at,
        line.responder or "",
        line.first_response_work_minutes,
        _minutes(line.created_at, line.first_response_at),
        _on_time(line.first_response_at, line.first_response_due_at, now, language),
        line.resolution_due_at,
        line.resolved_at,
        line.resolution_work_minutes,
        _minutes(line.created_at, line.resolved_at),
        "" if rejected else _on_time(line.resolved_at, line.resolution_due_at, now, language),
        line.closed_at,
        yes if line.reopened else no,
        f"#{line.notice_id} {line.notice_title or ''}".strip() if line.notice_id else "",
        line.rating,
        line.rating_comment or "",
        line.rated_at,
        yes if line.is_demo else no,
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


def _text_cell(value: Any, tz: ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else _safe(value)


def to_csv(lines: Iterable[Any], *, now: datetime, tz: ZoneInfo, language: str = "id") -> str:
    """One line per complaint: every time, due time, agent, channel, disruption and rating."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header_row(LINE_COLUMNS, language, tz))
    for line in lines:
        writer.writerow([_text_cell(v, tz) for v in line_values(line, now, language)])
    return buffer.getvalue()


def _cell(value: Any, tz: ZoneInfo) -> Any:
    """A spreadsheet cell: local naive datetimes (XLSX has no zones), numbers as numbers."""
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)
    return _safe(value)


def _start_sheet(book: Workbook, title: str, meta: list[str], header: list[str]) -> Worksheet:
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    for row, text in enumerate(meta, start=1):
        sheet.cell(row=row, column=1, value=text).font = Font(bold=row == 1)
    for column, text in enumerate(header, start=1):
        sheet.cell(row=HEADER_ROWS + 1, column=column, value=text).font = Font(bold=True)
    sheet.freeze_panes = f"B{HEADER_ROWS + 2}"
    return sheet


def _figure_cell(sheet: Worksheet, row: int, column: int, value: Any, kind: str) -> None:
    if kind == PERCENT and value is not None:
        value = value / 100
    cell = sheet.cell(row=row, column=column, value=value)
    cell.number_format = FORMATS[kind]


def _summary(book: Workbook, report: Report, meta: list[str], language: str) -> None:
    header = [t(language, f"report.{key}") for key in ("figure", "value", "meaning")]
    sheet = _start_sheet(book, t(language, "report.sheet_summary"), meta, header)
    for row, line in enumerate(headlines(report, language), start=HEADER_ROWS + 2):
        sheet.cell(row=row, column=1, value=t(language, f"report.{line.key}"))  # with units
        _figure_cell(sheet, row, 2, line.value, line.kind)
        sheet.cell(row=row, column=3, value=line.meaning)
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["C"].width = 100


def _breakdown(
    book: Workbook, report: Report, by: str, meta: list[str], language: str, tz: ZoneInfo
) -> None:
    names = [t(language, "report.group")] + [t(language, f"report.{key}") for key, _ in COLUMNS]
    sheet = _start_sheet(book, t(language, SHEETS[by]), meta, names)
    groups: list[tuple[str, Figures]] = [(by, f) for f in report.breakdowns[by]]
    if by not in ("week", "month"):
        groups.append(("total", report.total))
    for row, (kind, figures) in enumerate(groups, start=HEADER_ROWS + 2):
        sheet.cell(row=row, column=1, value=_safe(group_name(kind, figures, language)))
        for column, (key, shown_as) in enumerate(COLUMNS, start=2):
            _figure_cell(sheet, row, column, getattr(figures, key), shown_as)
    sheet.column_dimensions["A"].width = 28
    count = len(report.breakdowns[by])
    if count:
        _chart(sheet, by, count, language, anchor=f"B{HEADER_ROWS + len(groups) + 4}")


def _chart(sheet: Worksheet, by: str, count: int, language: str, anchor: str) -> None:
    """Complaints received per group; over time, with the share answered on time beside."""
    from openpyxl.chart import BarChart, LineChart, Reference

    first, last = HEADER_ROWS + 2, HEADER_ROWS + 1 + count
    names = Reference(sheet, min_col=1, min_row=first, max_row=last)
    bars = BarChart()
    bars.title = t(language, "report.chart_received")
    bars.add_data(
        Reference(sheet, min_col=2, min_row=first - 1, max_row=last), titles_from_data=True
    )
    bars.set_categories(names)
    bars.height, bars.width = 8, 18
    if by in ("week", "month"):
        on_time = COLUMNS.index(("pct_first_within", PERCENT)) + 2
        line = LineChart()
        line.add_data(
            Reference(sheet, min_col=on_time, min_row=first - 1, max_row=last),
            titles_from_data=True,
        )
        line.y_axis.axId = 200
        line.y_axis.number_format = "0%"
        line.y_axis.crosses = "max"
        bars += line
    sheet.add_chart(bars, anchor)


def _disruption_values(notice: Disruption, language: str) -> list[Any]:
    return [
        notice.id,
        label(language, "notice_kind", notice.kind),
        notice.title,
        notice.published_at,
        notice.starts_at,
        notice.hours_notice,
        t(language, "report.yes" if notice.short_notice else "report.no"),
    ]


def _rows(sheet: Worksheet, rows: Iterable[list[Any]], tz: ZoneInfo) -> None:
    for values in rows:
        sheet.append([_cell(v, tz) for v in values])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = DATE_FORMAT


def to_xlsx(
    report: Report, lines: Iterable[Any], *, tz: ZoneInfo, language: str = "id", title: str = ""
) -> bytes:
    """A summary sheet, one sheet per breakdown with its chart, the disruptions, every complaint."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    meta = [
        title or t(language, "report.heading"),
        period(report.start, report.end, tz, language),
        t(language, "report.generated", moment=timefmt.moment(report.generated_at, language, tz)),
        t(language, "report.units", zone=timefmt.zone_name(tz)),
    ]
    _summary(book, report, meta, language)
    for by in SHEETS:
        _breakdown(book, report, by, meta, language, tz)
    sheet = _start_sheet(
        book,
        t(language, "report.sheet_disruptions"),
        meta,
        header_row(DISRUPTION_COLUMNS, language, tz),
    )
    _rows(sheet, (_disruption_values(n, language) for n in report.disruptions), tz)
    sheet = _start_sheet(
        book, t(language, "report.sheet_complaints"), meta, header_row(LINE_COLUMNS, language, tz)
    )
    _rows(sheet, (line_values(line, report.generated_at, language) for line in lines), tz)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
