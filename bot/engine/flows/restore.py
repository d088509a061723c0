"""After a restoration: 'is your water back?' A 'no' reopens the complaint.

A 'yes' resolves a complaint staff had reopened; its resolution clock stops in working time
(the calendar of complaints/calendar.py), like a resolution in the console.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.engine.context import Context
from bot.engine.flows.common import ask_again
from bot.engine.intents import answer_yes_no
from channels.messages import Choice
from complaints.calendar import working_calendar
from complaints.service import set_status
from core.texts import t
from db.models import Complaint
from db.vocab import OPEN_COMPLAINT_STATUSES
from db.vocab import ComplaintStatus as S


def ask(ctx: Context) -> None:
    answer = ctx.choice == "yes" if ctx.choice in {"yes", "no"} else answer_yes_no(ctx.simple)
    if answer is None:
        choices = [Choice(ctx.t("common.yes"), "yes"), Choice(ctx.t("common.no"), "no")]
        ask_again(ctx, ctx.t("restore.ask_again"), choices)
        return
    ids = [int(i) for i in ctx.data.get("complaint_ids", [])]
    complaints = ctx.session.exec(
        select(Complaint).where(
            col(Complaint.id).in_(ids), col(Complaint.contact_id) == ctx.contact.id
        )
    ).all()
    tickets = ", ".join(c.ticket_number or "" for c in complaints)
    ctx.finish()
    calendar = working_calendar(session=ctx.session, settings=ctx.settings)
    for complaint in complaints:
        if answer and complaint.status in OPEN_COMPLAINT_STATUSES:
            set_status(
                session=ctx.session,
                complaint=complaint,
                status=S.RESOLVED,
                now=ctx.now,
                calendar=calendar,
                text=t(ctx.settings.default_language, "restore.history_confirmed"),
            )
        elif not answer and complaint.status in (S.RESOLVED, S.CLOSED, S.RECEIVED):
            set_status(
                session=ctx.session,
                complaint=complaint,
                status=S.IN_PROGRESS,
                now=ctx.now,
                calendar=calendar,
                text=t(ctx.settings.default_language, "restore.history_not_back"),
            )
    ctx.say(ctx.t("restore.thanks" if answer else "restore.reopened", tickets=tickets))
