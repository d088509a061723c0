"""Console page for messages in doubt: what a crash caught mid-send, and resending it.

A supervisor sees every 'unknown' message (notice pushes and complaint replies), is told in
plain words that the customer may get a resent one twice, and resends one or all of those
listed. Each resend is audited (`message.resend`); the sender takes the rows up at once.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from accounts.actions import Target
from accounts.audit import AuditAction
from accounts.deps import SessionDep, wake_outbox
from accounts.roles import OVERSIGHT
from channels import in_doubt
from core.texts import t
from db.models import Staff
from staff.web import act, language, page_role, redirect, render

router = APIRouter(prefix="/staff", include_in_schema=False)
Overseer = Annotated[Staff, Depends(page_role(*OVERSIGHT))]
PAGE = "/staff/outbox/unknown"
SHOWN = 1000


def _page(
    request: Request,
    session: SessionDep,
    staff: Staff,
    notice: int | None,
    error: str | None = None,
) -> Response:
    rows = in_doubt.in_doubt(session, notice_id=notice, limit=SHOWN)
    resent = request.query_params.get("resent", "")
    lang = language(request, staff)
    context = {
        "rows": rows,
        "notice": notice,
        "total": in_doubt.count_in_doubt(session),
        "error": error,
        "flash": t(lang, "staff.resent", n=resent) if resent.isdigit() else None,
    }
    return render(request, "unknown.html", context, staff=staff, status_code=400 if error else 200)


@router.get("/outbox/unknown")
def unknown_page(
    request: Request,
    session: SessionDep,
    staff: Overseer,
    notice: Annotated[int | None, Query()] = None,
) -> Response:
    """Messages that may or may not have reached their customer, oldest first."""
    return _page(request, session, staff, notice)


@router.post("/outbox/unknown/resend")
def resend_unknown(
    request: Request,
    session: SessionDep,
    staff: Overseer,
    ids: Annotated[list[int] | None, Form(max_length=SHOWN)] = None,
    notice: Annotated[int | None, Form()] = None,
) -> Response:
    """Queue the chosen unknown messages again (the page warned: maybe twice)."""

    def done(resent: list[int]) -> Response:
        wake_outbox(request)
        back = {"resent": str(len(resent))} | ({"notice": str(notice)} if notice else {})
        return redirect(PAGE, **back)

    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.message_resend,
        target=lambda resent: Target("message", resent[0] if len(resent) == 1 else None),
        do=lambda: in_doubt.resend(session=session, ids=ids or []),
        detail=lambda resent: {"messages": resent},
        refused=lambda errors: _page(request, session, staff, notice, " ".join(errors.values())),
        then=done,
    )
