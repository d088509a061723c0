"""'Where is my complaint?': status and history, only for the contact who filed it."""

from __future__ import annotations

from datetime import datetime

from bot.engine import slots
from bot.engine.context import Context
from bot.engine.flows.common import area_label, area_of, ask_again
from channels.messages import Choice
from complaints.service import (
    complaint_of_contact,
    parse_ticket,
    public_history,
    recent_tickets,
    ticket_number,
)
from db.models import Complaint, ComplaintEvent


def start(ctx: Context) -> None:
    """Offer the contact's own recent tickets, or ask for a number."""
    example = ticket_number(123, ctx.settings.ticket_prefix)
    recent = recent_tickets(ctx.connection, contact_id=ctx.contact.id)
    ctx.go("status", "ticket")
    if not recent:
        ctx.finish()
        ctx.say(ctx.t("status.none"))
        return
    choices = [
        Choice(
            f"{c.ticket_number} – {ctx.t(f'complaint_category.{c.category}')}",
            f"ticket:{c.ticket_number}",
        )
        for c in recent
    ]
    ctx.say(ctx.t("status.pick") + "\n" + ctx.t("status.ask", example=example), choices)


def ticket_step(ctx: Context) -> None:
    if ctx.choice and ctx.choice.startswith("ticket:"):
        show(ctx, ctx.choice.removeprefix("ticket:"))
        return
    ticket = parse_ticket(ctx.text, ctx.settings.ticket_prefix)
    if ticket is None and ctx.text.strip().isdecimal() and len(ctx.text.strip()) <= 6:
        ticket = ticket_number(int(ctx.text.strip()), ctx.settings.ticket_prefix)
    if ticket is None and (digits := slots.ticket_digits(ctx.text, ctx.settings.ticket_prefix)):
        ticket = ticket_number(digits, ctx.settings.ticket_prefix)  # "tiket 45"
    if ticket is None:
        example = ticket_number(123, ctx.settings.ticket_prefix)
        ask_again(ctx, ctx.t("status.ask", example=example))
        return
    show(ctx, ticket)


def show(ctx: Context, ticket: str) -> None:
    """The status and history; someone else's ticket reads exactly like an unknown one."""
    ctx.finish()
    complaint = complaint_of_contact(session=ctx.session, contact_id=ctx.contact.id, ticket=ticket)
    if complaint is None:
        example = ticket_number(123, ctx.settings.ticket_prefix)
        ctx.say(ctx.t("status.not_found", ticket=ticket, example=example))
        return
    assert complaint.id is not None  # a stored complaint
    events = public_history(session=ctx.session, complaint_id=complaint.id)
    found = area_of(ctx, complaint.area_code)
    history = "\n".join(
        ctx.t("status.history_item", time=ctx.time(e.created_at), text=_event_text(ctx, e))
        for e in events
    )
    ctx.say(
        ctx.t(
            "status.show",
            ticket=complaint.ticket_number,
            category=ctx.t(f"complaint_category.{complaint.category}"),
            area=area_label(ctx, found) if found else "-",
            status=ctx.t(f"complaint_status.{complaint.status}"),
            updated=ctx.time(_last_update(complaint, events)),
            history=history,
        ),
        [Choice(ctx.t("common.back_to_menu"), "menu:main")],
    )


def _last_update(complaint: Complaint, events: list[ComplaintEvent]) -> datetime:
    return events[-1].created_at if events else complaint.updated_at


def _event_text(ctx: Context, event: ComplaintEvent) -> str:
    if event.kind == "status" and event.from_status is None:
        return ctx.t("status.event_created")
    if event.kind == "status":
        text = ctx.t("status.event_status", status=ctx.t(f"complaint_status.{event.to_status}"))
        return f"{text} – {event.text}" if event.text else text
    if event.kind == "reply":
        return ctx.t("status.event_reply", text=event.text)
    if event.kind == "customer":
        return ctx.t("status.event_customer", text=event.text)
    return ctx.t("status.event_link", text=event.text)
