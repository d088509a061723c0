"""Console pages for escalations: the list of complaints nearing or past their target, the
header's badge and the inbox's mark, and where a staff member links their Telegram chat.

An agent sees the escalations of the complaints assigned to them, supervisors and admins see
all; only live ones count (the complaint is open and the escalated target not met yet). The
badge and the mark are template functions, so every page that shows the header or the inbox
list has them without each view asking. Linking a chat is audited (`staff.telegram`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from accounts.actions import Target
from accounts.audit import AuditAction
from accounts.deps import SessionDep
from accounts.roles import COMPLAINTS, allowed
from complaints import escalation
from complaints.escalation_notify import link_telegram
from core.services import get_engine, get_settings
from core.texts import t
from db.engine import read_only
from db.models import Staff
from staff.web import TEMPLATES, act, language, page_role, redirect, render

router = APIRouter(prefix="/staff", include_in_schema=False)
Worker = Annotated[Staff, Depends(page_role(*COMPLAINTS))]
PAGE = "/staff/escalations"


def badge_count(request: Request, staff: Staff | None) -> int:
    """The header's badge: live escalations this staff member should see (0 for other roles)."""
    if staff is None or not allowed(staff.role, COMPLAINTS):
        return 0
    with Session(read_only(get_engine(request))) as session:
        return escalation.open_count(session=session, staff=staff)


def inbox_marks(request: Request, rows: Sequence[Any]) -> dict[int, str]:
    """The inbox's mark: the gravest live escalation kind of each listed complaint."""
    ids = [row.complaint.id for row in rows if row.complaint.id is not None]
    with Session(read_only(get_engine(request))) as session:
        return escalation.marks(session=session, complaint_ids=ids)


TEMPLATES.env.globals["escalation_count"] = badge_count
TEMPLATES.env.globals["escalation_marks"] = inbox_marks


def _page(
    request: Request,
    session: Session,
    staff: Staff,
    *,
    errors: dict[str, str] | None = None,
    flash: str | None = None,
    chat_id: str | None = None,
) -> Response:
    context = {
        "rows": escalation.open_escalations(session=session, staff=staff),
        "percent": get_settings(request).escalate_at_percent,
        "errors": errors or {},
        "flash": flash,
        "chat_id": staff.telegram_chat_id if chat_id is None else chat_id,
    }
    status = 400 if errors else 200
    return render(request, "escalations.html", context, staff=staff, status_code=status)


@router.get("/escalations")
def escalations_page(request: Request, session: SessionDep, staff: Worker) -> Response:
    """The live escalations this staff member should act on, newest first."""
    saved = request.query_params.get("telegram")
    lang = language(request, staff)
    flash = {"saved": "escalation.telegram_saved", "removed": "escalation.telegram_removed"}
    return _page(request, session, staff, flash=t(lang, flash[saved]) if saved in flash else None)


@router.post("/escalations/telegram")
def set_telegram(
    request: Request,
    session: SessionDep,
    staff: Worker,
    telegram_chat_id: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Link (or unlink, when empty) the signed-in staff member's own Telegram chat."""
    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.staff_telegram,
        target=Target("staff", staff.username),
        do=lambda: link_telegram(session=session, staff=staff, chat_id=telegram_chat_id),
        refused=lambda errors: _page(
            request, session, staff, errors=errors, chat_id=telegram_chat_id
        ),
        then=lambda kept: redirect(PAGE, telegram="saved" if kept else "removed"),
    )
