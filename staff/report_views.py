"""The report page and its downloads: CSV, XLSX and the monthly PDF (supervisors and admins)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from accounts import audit
from accounts.audit import AuditAction
from accounts.deps import SessionDep, client_ip
from accounts.roles import OVERSIGHT
from core import timefmt
from core.services import get_settings
from core.texts import t
from db.engine import write_apart
from db.models import Staff
from db.types import utcnow
from reports import export, monthly, service, words
from staff import report_charts
from staff.web import language, page_role, render

router = APIRouter(prefix="/staff", include_in_schema=False)
Overseer = Annotated[Staff, Depends(page_role(*OVERSIGHT))]
DateParam = Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")]
PresetParam = Annotated[str | None, Query(max_length=12, pattern=r"^[a-z_]+$")]
MonthParam = Annotated[str | None, Query(max_length=7, pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRESETS = ("this_month", "last_month", "this_year")


def _preset(name: str, today: date) -> tuple[date, date]:
    """The first and last day of a preset period around `today`."""
    first_of_month = today.replace(day=1)
    if name == "last_month":
        last = first_of_month - timedelta(days=1)
        return last.replace(day=1), last
    if name == "this_year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    following = (first_of_month + timedelta(days=32)).replace(day=1)
    return first_of_month, following - timedelta(days=1)


def _period(
    tz: ZoneInfo, preset: str | None, start: str | None, end: str | None
) -> tuple[datetime, datetime, str | None, bool]:
    """Local calendar days [start, end] as UTC-aware moments; this month by default."""
    today = utcnow().astimezone(tz).date()
    named = preset if preset in PRESETS else "this_month"
    first, last = _preset(named, today)
    chosen: str | None = named
    ok = True
    if start or end:
        chosen = None
        try:
            first = date.fromisoformat(start) if start else first
            last = date.fromisoformat(end) if end else last
        except ValueError:
            first, last = _preset("this_month", today)
            ok = False
        if last < first or (last - first).days > 3660:
            first, last = _preset("this_month", today)
            ok = False
    begin = datetime.combine(first, time(0), tz)
    finish = datetime.combine(last + timedelta(days=1), time(0), tz)
    return begin, finish, chosen, ok


def _charts(report: service.Report, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    over_time = "month" if (report.end - report.start).days > 92 else "week"
    periods = report.breakdowns[over_time]
    labels = [
        timefmt.month(date.fromisoformat(f.key or ""), lang, short=True)
        if over_time == "month"
        else timefmt.calendar_day(date.fromisoformat(f.key or ""), lang).rsplit(" ", 1)[0]
        for f in periods
    ]
    return {
        "trend_caption": t(lang, f"report_help.{over_time}s"),
        "trend": report_charts.trend(
            labels,
            [f.received for f in periods],
            [f.pct_first_within for f in periods],
            title=t(lang, f"report_help.{over_time}s"),
            count_name=t(lang, "report.chart_received"),
            share_name=t(lang, "report.pct_first_within"),
        ),
        "categories": report_charts.bars(
            [
                (words.group_name("category", f, lang), f.received)
                for f in report.breakdowns["category"]
            ],
            title=t(lang, "report_help.categories"),
        ),
    }


@router.get("/reports")
def report_page(
    request: Request,
    session: SessionDep,
    staff: Overseer,
    preset: PresetParam = None,
    start: DateParam = None,
    end: DateParam = None,
) -> Response:
    """The period's figures explained, its charts, breakdowns and disruptions, and downloads."""
    tz = get_settings(request).tz
    lang = language(request, staff)
    begin, finish, chosen, ok = _period(tz, preset, start, end)
    report = service.build(session=session, start=begin, end=finish, now=utcnow(), tz=tz)
    context = {
        "report": report,
        "preset": chosen,
        "presets": PRESETS,
        "start": begin.astimezone(tz).date().isoformat(),
        "end": (finish.astimezone(tz).date() - timedelta(days=1)).isoformat(),
        "month": monthly.month_of(begin, tz),
        "period": words.period(begin, finish, tz, lang),
        "generated": words.generated(report, tz, lang),
        "headlines": words.headlines(report, lang),
        "columns": [(key, words.column_name(key, how, lang)) for key, how in words.COLUMNS],
        "tables": {by: words.table(report, by, lang) for by in words.SHEETS},
        "sheets": words.SHEETS,
        "charts": _charts(report, lang, tz),
    }
    if not ok:
        context["error_key"] = "bad_dates"
    return render(request, "reports.html", context, staff=staff)


def _exported(
    request: Request, session: Session, staff: Staff, start: datetime, end: datetime, kind: str
) -> None:
    with write_apart(session) as apart:  # a download: its own session only reads
        audit.record(
            session=apart,
            who=staff,
            action=AuditAction.report_export,
            target_type="report",
            target_id=kind,
            ip=client_ip(request),
            detail={"start": start.isoformat(), "end": end.isoformat()},
        )


def _file(body: bytes | str, media_type: str, name: str) -> Response:
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media_type, headers=headers)


@router.get("/reports.csv")
def report_csv(
    request: Request,
    session: SessionDep,
    staff: Overseer,
    preset: PresetParam = None,
    start: DateParam = None,
    end: DateParam = None,
) -> Response:
    """Every complaint of the period, one line each."""
    tz = get_settings(request).tz
    begin, finish, _, _ = _period(tz, preset, start, end)
    _exported(request, session, staff, begin, finish, "csv")
    lines = service.complaint_lines(session=session, start=begin, end=finish)
    body = export.to_csv(lines, now=utcnow(), tz=tz, language=language(request, staff))
    name = f"kabar-air-pengaduan-{begin.astimezone(tz).date()}.csv"
    return _file(body, "text/csv; charset=utf-8", name)


@router.get("/reports.xlsx")
def report_xlsx(
    request: Request,
    session: SessionDep,
    staff: Overseer,
    preset: PresetParam = None,
    start: DateParam = None,
    end: DateParam = None,
) -> Response:
    """The period's figures, one sheet per breakdown with charts, and every complaint."""
    tz = get_settings(request).tz
    begin, finish, _, _ = _period(tz, preset, start, end)
    _exported(request, session, staff, begin, finish, "xlsx")
    report = service.build(session=session, start=begin, end=finish, now=utcnow(), tz=tz)
    lines = service.complaint_lines(session=session, start=begin, end=finish)
    body = export.to_xlsx(report, lines, tz=tz, language=language(request, staff))
    return _file(body, XLSX, f"kabar-air-laporan-{begin.astimezone(tz).date()}.xlsx")


@router.get("/reports.pdf")
def report_pdf(
    request: Request, session: SessionDep, staff: Overseer, month: MonthParam = None
) -> Response:
    """The monthly summary for management and the Ombudsman (this month by default)."""
    settings = get_settings(request)
    tz = settings.tz
    chosen = month or monthly.month_of(utcnow(), tz)
    period = monthly.month_period(chosen, tz)
    assert period is not None  # the query's pattern admits real months only
    begin, finish = period
    _exported(request, session, staff, begin, finish, "pdf")
    body = monthly.monthly_pdf(
        session=session,
        start=begin,
        end=finish,
        now=utcnow(),
        tz=tz,
        utility=settings.utility_name,
        language=language(request, staff),
    )
    return _file(body, "application/pdf", f"kabar-air-laporan-bulanan-{chosen}.pdf")
