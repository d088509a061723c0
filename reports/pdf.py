"""The monthly summary as a PDF for management and the Ombudsman.

Page one: the headline figures, each with a line saying what it means, and two trend charts
(complaints received per month; first responses on time and the handling capability). Then
the breakdowns and the disruptions of the month.

ReportLab draws both the pages and the charts (its own vector graphics): pure Python plus
Pillow, no browser, no system libraries, nothing started at run time; the standard PDF fonts
cover Indonesian. See docs/reports.md for why not a browser or matplotlib.
"""

from __future__ import annotations

import io
from datetime import date
from zoneinfo import ZoneInfo

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from core import timefmt
from core.texts import label, t
from reports.service import Figures, Report
from reports.words import (
    MINUTES,
    PERCENT,
    RATING,
    SHEETS,
    column_name,
    headlines,
    number,
    period,
    table,
)

BLUE = colors.HexColor("#0b5cad")
GREEN = colors.HexColor("#2e7d32")
GREY = colors.HexColor("#5b6675")
# the columns of a breakdown table in the PDF: fewer than the spreadsheet's, to fit a page
PDF_COLUMNS = (
    ("received", "count"),
    ("pct_first_within", PERCENT),
    ("first_median", MINUTES),
    ("pct_resolution_within", PERCENT),
    ("resolution_median", MINUTES),
    ("handling_capability", PERCENT),
    ("open_past_target", "count"),
    ("rating_average", RATING),
)
PDF_BREAKDOWNS = ("category", "kecamatan", "channel", "agent", "week")

_base = getSampleStyleSheet()
TITLE = ParagraphStyle("title", parent=_base["Title"], fontSize=16, spaceAfter=4)
HEAD = ParagraphStyle("head", parent=_base["Heading2"], fontSize=12, spaceBefore=8, spaceAfter=4)
BODY = ParagraphStyle("body", parent=_base["BodyText"], fontSize=9, leading=11)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=7.5, leading=9, textColor=GREY)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=7.5, leading=9)
HEADER = ParagraphStyle("header", parent=CELL, fontName="Helvetica-Bold", fontSize=7, leading=8.5)
NUMBER = ParagraphStyle("number", parent=CELL, alignment=TA_RIGHT)
GRID = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, GREY),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
)


def _headline_table(report: Report, language: str) -> Table:
    rows: list[list[object]] = [
        [t(language, f"report.{key}") for key in ("figure", "value", "meaning")]
    ]
    for line in headlines(report, language):
        rows.append(
            [
                Paragraph(line.name, CELL),
                Paragraph(line.shown, CELL),
                Paragraph(line.meaning, SMALL),
            ]
        )
    table = Table(rows, colWidths=[55 * mm, 28 * mm, 97 * mm], repeatRows=1)
    table.setStyle(GRID)
    table.setStyle(TableStyle([("ALIGN", (1, 1), (1, -1), "LEFT")]))
    return table


def _bars(trend: list[Figures], language: str) -> Drawing:
    drawing = Drawing(85 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 28, 28, 85 * mm - 40, 60 * mm - 48
    chart.data = [[f.received for f in trend]]
    chart.categoryAxis.categoryNames = [_month_short(f, language) for f in trend]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = BLUE
    drawing.add(chart)
    drawing.add(String(4, 60 * mm - 12, t(language, "report.chart_received"), fontSize=9))
    return drawing


def _lines(trend: list[Figures], language: str) -> Drawing:
    drawing = Drawing(90 * mm, 60 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 28, 48, 90 * mm - 40, 60 * mm - 68
    # a month without complaints has no share: the line skips it rather than drop to 0
    chart.data = [
        [f.pct_first_within for f in trend],
        [f.handling_capability for f in trend],
    ]
    chart.categoryAxis.categoryNames = [_month_short(f, language) for f in trend]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, 100
    chart.lines[0].strokeColor, chart.lines[1].strokeColor = BLUE, GREEN
    chart.lines[0].strokeWidth = chart.lines[1].strokeWidth = 1.5
    for index, colour in enumerate((BLUE, GREEN)):
        chart.lines[index].symbol = makeMarker("FilledCircle", size=3, fillColor=colour)
    # a line needs two months with complaints; until then the months show as dots
    chart.joinedLines = all(sum(v is not None for v in series) >= 2 for series in chart.data)
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y, legend.fontSize = 10, 24, 7
    legend.alignment = "right"
    legend.columnMaximum, legend.dx, legend.dy, legend.deltay = 2, 6, 6, 9
    legend.colorNamePairs = [
        (BLUE, t(language, "report.pct_first_within")),
        (GREEN, t(language, "report.handling_capability")),
    ]
    drawing.add(legend)
    drawing.add(String(4, 60 * mm - 12, t(language, "report.chart_shares"), fontSize=9))
    return drawing


def _month_short(figures: Figures, language: str) -> str:
    return timefmt.month(date.fromisoformat(figures.key or "1970-01-01"), language, short=True)


def _breakdown(report: Report, by: str, language: str) -> list[Flowable]:
    header = [Paragraph(t(language, "report.group"), HEADER)] + [
        Paragraph(column_name(key, how, language), HEADER) for key, how in PDF_COLUMNS
    ]
    rows: list[list[object]] = [header]
    for row in table(report, by, language, PDF_COLUMNS):
        rows.append([Paragraph(row.name, CELL), *(Paragraph(c, NUMBER) for c in row.cells)])
    grid = Table(rows, colWidths=[40 * mm] + [17.5 * mm] * len(PDF_COLUMNS), repeatRows=1)
    grid.setStyle(GRID)
    return [Paragraph(t(language, SHEETS[by]), HEAD), grid]


def _disruptions(report: Report, language: str, tz: ZoneInfo) -> list[Flowable]:
    flow: list[Flowable] = [Paragraph(t(language, "report.sheet_disruptions"), HEAD)]
    if not report.disruptions:
        return [*flow, Paragraph(t(language, "report.no_disruptions"), BODY)]
    zone = timefmt.zone_name(tz)
    columns = ("notice", "kind", "title", "published", "starts", "hours_notice", "short_notice")
    rows: list[list[object]] = [
        [Paragraph(t(language, f"report.{c}", zone=zone), HEADER) for c in columns]
    ]
    for notice in report.disruptions:
        rows.append(
            [
                f"#{notice.id}",
                Paragraph(label(language, "notice_kind", notice.kind), CELL),
                Paragraph(notice.title, CELL),
                timefmt.short(notice.published_at, language, tz),
                timefmt.short(notice.starts_at, language, tz),
                number(notice.hours_notice, language),
                t(language, "report.yes" if notice.short_notice else "report.no"),
            ]
        )
    widths = [19 * mm, 24 * mm, 46 * mm, 25 * mm, 25 * mm, 20 * mm, 21 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(GRID)
    return [*flow, table]


def monthly_pdf(
    report: Report, trend: list[Figures], *, tz: ZoneInfo, utility: str, language: str = "id"
) -> bytes:
    """The month's summary: headline figures and trend charts on page one, then the breakdowns."""
    buffer = io.BytesIO()
    title = t(language, "report.monthly_heading")
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=f"{title} — {utility}",
        author=utility,
    )
    charts = Table([[_bars(trend, language), _lines(trend, language)]])
    flow: list[Flowable] = [
        Paragraph(f"{title}<br/>{utility}", TITLE),
        Paragraph(period(report.start, report.end, tz, language), BODY),
        Paragraph(
            t(
                language,
                "report.generated",
                moment=timefmt.moment(report.generated_at, language, tz),
            ),
            SMALL,
        ),
        Paragraph(t(language, "report.units", zone=timefmt.zone_name(tz)), SMALL),
        Spacer(1, 4 * mm),
        _headline_table(report, language),
        Paragraph(t(language, "report.trend"), HEAD),
        charts,
        Paragraph(t(language, "report_help.trend"), SMALL),
        PageBreak(),
    ]
    for by in PDF_BREAKDOWNS:
        flow.extend(_breakdown(report, by, language))
    flow.extend(_disruptions(report, language, tz))
    document.build(flow)
    return buffer.getvalue()
