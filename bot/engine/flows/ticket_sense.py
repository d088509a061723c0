"""Ticket sense: the customer's open complaints come before new ones.

A complaint of the same category and area as one of the customer's open complaints filed in
the last DUPLICATE_COMPLAINT_HOURS is offered instead of a new ticket: yes adds the message to
it (a `customer` event staff see), no files the new one. "Sudah lapor, belum ada petugas"
shows the open tickets with their status and adds the chase to the newest.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import bindparam, select

from bot.engine.context import Context
from bot.engine.flows.common import area_label, area_of, ask_again
from bot.engine.intents import answer_yes_no, has_phrase
from channels.messages import Choice
from complaints.attachments import held_since, tie_held
from complaints.calendar import working_calendar
from complaints.service import (
    add_customer_message,
    open_complaints,
    open_duplicate,
    resume_on_answer,
)
from db.models import Complaint
from db.rows import saved_id
from db.vocab import ComplaintStatus

ADD, NEW = "dup:add", "dup:new"
# "I reported already" / "nobody came": the customer is chasing a complaint, not filing one.


class Summarised(Protocol):
    """What a one-line summary of a complaint reads (a Complaint, or a row of OFFERED)."""

    @property
    def ticket_number(self) -> str | None: ...
    @property
    def category(self) -> str: ...
    @property
    def area_code(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def status(self) -> str: ...


COMPLAINT = Complaint.__table__
# The offered complaint as the question shows it, read again at each answer without the ORM.
OFFERED = select(
    COMPLAINT.c.id, COMPLAINT.c.contact_id, COMPLAINT.c.ticket_number, COMPLAINT.c.category,
    COMPLAINT.c.area_code, COMPLAINT.c.created_at, COMPLAINT.c.status,
).where(COMPLAINT.c.id == bindparam("offered_id"))  # fmt: skip
CHASING_PHRASES = (
    "sudah lapor", "udah lapor", "sdh lapor", "dah lapor", "sudah melapor", "udah melapor",
    "sudah saya laporkan", "sudah dilaporkan", "hudah malapor", "hudah lapor", "sudah 2x lapor",
    "belum ada petugas", "blm ada petugas", "belum ada yang datang", "blm ada yg datang",
    "belum ada yg datang", "petugas belum datang", "petugas blm datang", "tidak ada petugas",
    "gak ada petugas", "kadada petugas", "belum ada kabar", "blm ada kabar", "laporan saya",
    "laporan ulun", "already reported", "nobody came", "no one came",
)  # fmt: skip


def is_chasing(simple: str) -> bool:
    """Whether the message is about a complaint the customer already made."""
    return has_phrase(simple, CHASING_PHRASES)


def offer_open_ticket(ctx: Context, *, text: str, resume: str) -> bool:
    """Offer the customer's matching open complaint instead of a new one; False when none.

    `text`: what to add to it if they say yes; `resume`: the complaint step to go on with if
    they want a new ticket after all (`complaint.duplicate` takes it from there).
    """
    data = ctx.data
    if data.get("new_ticket_anyway") or not data.get("category"):
        return False
    since = ctx.now - timedelta(hours=ctx.settings.duplicate_complaint_hours)
    found = open_duplicate(
        session=ctx.session,
        contact_id=ctx.contact.id,
        category=data["category"],
        area_code=data.get("area_code"),
        since=since,
    )
    if found is None:
        return False
    data["duplicate"] = {"id": found.id, "text": text[:1000], "resume": resume}
    ctx.go("complaint", "duplicate")
    ctx.say(
        ctx.t("ticket_sense.duplicate", summary=_summary(ctx, found)),
        [Choice(ctx.t("ticket_sense.add"), ADD), Choice(ctx.t("ticket_sense.new"), NEW)],
    )
    return True


def duplicate_answer(ctx: Context) -> str | None:
    """The customer's answer to the offer: 'added' (done here), 'new', or None (asked again)."""
    offer = ctx.data.get("duplicate") or {}
    answer = ctx.choice == ADD if ctx.choice in {ADD, NEW} else answer_yes_no(ctx.simple)
    offered = ctx.connection.execute(OFFERED, {"offered_id": offer.get("id") or 0}).first()
    if answer is None and offered is not None:  # asked again; ways out from the 2nd miss
        ask_again(
            ctx,
            ctx.t("ticket_sense.duplicate", summary=_summary(ctx, offered)),
            [Choice(ctx.t("ticket_sense.add"), ADD), Choice(ctx.t("ticket_sense.new"), NEW)],
        )
        return None
    if not answer or offered is None or offered.contact_id != ctx.contact.id:
        ctx.data["new_ticket_anyway"] = True
        return "new"
    complaint = ctx.session.get_one(Complaint, offered.id)
    add_customer_message(session=ctx.session, complaint=complaint, text=offer["text"], now=ctx.now)
    _resume(ctx, complaint)
    ctx.complaint_id = complaint.id
    since = held_since(ctx.now, minutes=ctx.settings.conversation_timeout_minutes)
    tie_held(
        session=ctx.session,
        contact_id=ctx.contact.id,
        complaint_id=saved_id(complaint),
        since=since,
    )
    ctx.finish()
    ctx.say(
        ctx.t("ticket_sense.added", ticket=complaint.ticket_number),
        [Choice(ctx.t("common.back_to_menu"), "menu:main")],
    )
    return "added"


def show_open_tickets(ctx: Context) -> None:
    """'Sudah lapor tapi belum ada petugas': each open ticket with its status; the message is
    added to the newest so staff see the customer is waiting."""
    ctx.finish()
    tickets = open_complaints(session=ctx.session, contact_id=ctx.contact.id)
    if not tickets:
        choices = [
            Choice(ctx.t("menu.complaint"), "menu:complaint"),
            Choice(ctx.t("menu.status"), "menu:status"),
            Choice(ctx.t("menu.human"), "menu:human"),
        ]
        ctx.say(ctx.t("ticket_sense.none_open"), choices)
        return
    newest = tickets[0]
    add_customer_message(session=ctx.session, complaint=newest, text=ctx.text, now=ctx.now)
    _resume(ctx, newest)
    ctx.complaint_id = newest.id
    lines = "\n".join(f"• {_summary(ctx, complaint)}" for complaint in tickets)
    choices = [
        Choice(ctx.t("menu.human"), "menu:human"),
        Choice(ctx.t("common.back_to_menu"), "menu:main"),
    ]
    ctx.say(ctx.t("ticket_sense.open", tickets=lines, ticket=newest.ticket_number), choices)


def _summary(ctx: Context, complaint: Summarised) -> str:
    found = area_of(ctx, complaint.area_code)
    return ctx.t(
        "ticket_sense.summary",
        ticket=complaint.ticket_number,
        category=ctx.t(f"complaint_category.{complaint.category}"),
        area=area_label(ctx, found) if found else "-",
        when=ctx.time(complaint.created_at),
        status=ctx.t(f"complaint_status.{complaint.status}"),
    )


def _resume(ctx: Context, complaint: Complaint) -> None:
    """A complaint waiting for the customer's answer goes back to work when they write."""
    if complaint.status != ComplaintStatus.WAITING:
        return  # its clock runs: no calendar to read
    calendar = working_calendar(session=ctx.session, settings=ctx.settings)
    resume_on_answer(session=ctx.session, complaint=complaint, now=ctx.now, calendar=calendar)
