"""The response-time report page and its CSV / XLSX exports (supervisors and admins)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from accounts import audit
from accounts.audit import AuditAction
from accounts.deps import SessionDep, client_ip
from accounts.roles import OVERSIGHT
from core.services import get_settings
from db.engine import write_apart
from db.models import Staff
from db.types import utcnow
from reports import export, service
from staff.web import language, page_role, render

router = APIRouter(prefix="/staff", include_in_schema=False)
Overseer = Annotated[Staff, Depends(page_role(*OVERSIGHT))]
DateParam = Annotated[str | None, Query(max_length=10, pattern=r"^\d{4}-\d{2}-\d{2}$")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(
    request: Request, start: str | None, end: str | None
) -> tuple[datetime, datetime, bool]:
    """WITA calendar days [start, end] as UTC moments; the last 30 days by default."""
    tz = get_settings(request).tz
    today = utcnow().astimezone(tz).date()
    ok = True
    try:
        first = date.fromisoformat(start) if start else today - timedelta(days=29)
        last = date.fromisoformat(end) if end else today
    except ValueError:
        first, last, ok = today - timedelta(days=29), today, False
    if last < first or (last - first).days > 3660:
        first, last, ok = today - timedelta(days=29), today, False
    begin = datetime.combine(first, time(0), tz)
    finish = datetime.combine(last + timedelta(days=1), time(0), tz)
    return begin, finish, ok


def _report(
    request: Request, session: Session, start: str | None, end: str | None
) -> tuple[service.Report, bool]:
    begin, finish, ok = _period(request, start, end)
    report = service.build(session=session, start=begin, end=finish, now=utcnow())
    return report, ok


@router.get("/reports")
def report_page(
    request: Request,
    session: SessionDep,
    staff: Overseer,
    start: DateParam = None,
    end: DateParam = None,
) -> Response:
    """Response times per category and kecamatan for a period, with download links."""
    report, ok = _report(request, session, start, end)
    tz = get_settings(request).tz
    context = {
        "report": report,
        "start": report.start.astimezone(tz).date().isoformat(),
        "end": (report.end.astimezone(tz).date() - timedelta(days=1)).isoformat(),
    }
    if not ok:
        context["error_key"] = "bad_dates"
    return render(request, "reports.html", context, staff=staff)


def _exported(
    request: Request, session: Session, staff: Staff, report: service.Report, kind: str
) -> None:
    with write_apart(session) as apart:  # a download: its own session only reads
        audit.record(
            session=apart,
            who=staff,
            action=AuditAction.report_export,
            target_type="report",
            target_id=kind,
            ip=client_ip(request),
            detail={
                "start": report.start.isoformat(),
                "end": report.end.isoformat(),
                "complaints": len(report.lines),
            },
        )


@router.get("/reports.csv")
def report_csv(
    request: Request,
    session: SessionDep,
    staff: Overseer,
    start: DateParam = None,
    end: DateParam = None,
) -> Response:
    return _download(request, session, staff, start, end, "csv")


@router.get("/reports.xlsx")
def report_xlsx(
    request: Request,
    session: SessionDep,
    staff: Overseer,
    start: DateParam = None,
    end: DateParam = None,
) -> Response:
    return _download(request, session, staff, start, end, "xlsx")


# file kind -> (writer, name prefix, media type)
DOWNLOADS = {
    "csv": (export.to_csv, "kabar-air-complaints", "text/csv; charset=utf-8"),
    "xlsx": (export.to_xlsx, "kabar-air-response-times", XLSX),
}


def _download(
    request: Request,
    session: Session,
    staff: Staff,
    start: str | None,
    end: str | None,
    kind: str,
) -> Response:
    """The report as a file, with the export on record."""
    write, prefix, media_type = DOWNLOADS[kind]
    report, _ = _report(request, session, start, end)
    _exported(request, session, staff, report, kind)
    body = write(report, get_settings(request).tz, language(request, staff))
    name = f"{prefix}-{report.start.date()}.{kind}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media_type, headers=headers)
