"""The end of filing a complaint: the summary the customer confirms, and the filing itself.

Filing creates the complaint, ties to it what the customer sent during the conversation
(photos, voice notes, a location: complaints.attachments) and, for a no-water report in an
area under a known disruption, links it and tells the customer at once. The steps that ask
for each field live in flows/complaint.py; nothing here decides which question comes next.
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.flows import ticket_sense
from bot.engine.flows.common import area_label, area_of, ask_again
from channels.messages import Choice
from complaints.attachments import held_since, tie_held
from complaints.calendar import working_calendar
from complaints.service import create_complaint
from db.models import Complaint
from db.vocab import Channel
from outage_notices.linking import LINKABLE_CATEGORIES, link_complaint
from outage_notices.lookup import ongoing_disruption


def show_summary(ctx: Context, *, again: bool = False) -> None:
    """Everything noted, in one message, with Kirim / Ubah / Menu."""
    ctx.go("complaint", "confirm")
    data = ctx.data
    found = area_of(ctx, data.get("area_code"))
    none = ctx.t("complaint.none_value")
    text = ctx.t(
        "complaint.summary",
        category=ctx.t(f"complaint_category.{data['category']}"),
        area=area_label(ctx, found) if found else none,
        address=data.get("address") or none,
        account=data.get("account") or none,
        description=data.get("description") or none,
        photo=_attached_line(ctx),
    )
    choices = [Choice(ctx.t("complaint.send"), "yes"), Choice(ctx.t("complaint.edit"), "restart")]
    choices.append(Choice(ctx.t("common.back_to_menu"), "menu:main"))
    if again:
        ask_again(ctx, text, choices)
    else:
        ctx.say(text, choices)


def _attached_line(ctx: Context) -> str:
    """'Foto: terlampir', or 'Lampiran: Foto, Pesan suara' when more than a photo is sent."""
    kinds = ctx.data.get("attached") or (["photo"] if ctx.data.get("media") else [])
    if not kinds:
        return ""
    if kinds == ["photo"]:
        return ctx.t("complaint.photo_attached")
    what = ", ".join(ctx.t(f"media_kind.{kind}") for kind in kinds)
    return ctx.t("media.summary_line", what=what)


def what_they_said(ctx: Context) -> str:
    """The customer's own words so far, offered to an open ticket like it (ticket_sense)."""
    data = ctx.data
    parts = [data.get("said") or "", data.get("address") or "", data.get("description") or ""]
    return "\n".join(dict.fromkeys(part for part in parts if part)) or ctx.text


def file(ctx: Context) -> None:
    """File the complaint (unless an open ticket like it is offered first) and say its number."""
    if ticket_sense.offer_open_ticket(ctx, text=what_they_said(ctx), resume="file"):
        return
    data = ctx.data
    complaint = create_complaint(
        session=ctx.session,
        contact_id=ctx.contact.id,
        channel=Channel(ctx.contact.channel),
        category=data["category"],
        area_code=data.get("area_code"),
        address=data.get("address") or "",
        account_number=data.get("account"),
        description=data.get("description") or "",
        media_ref=data.get("media"),
        ticket_prefix=ctx.settings.ticket_prefix,
        now=ctx.now,
        calendar=working_calendar(session=ctx.session, settings=ctx.settings),
    )
    ctx.complaint_id = complaint.id
    tie_held_attachments(ctx, complaint.id)
    ctx.finish()
    due = complaint.first_response_due_at or complaint.created_at  # set on every new complaint
    target = ctx.t("complaint.target_during_hours", when=ctx.time(due))
    ctx.say(ctx.t("complaint.created", ticket=complaint.ticket_number, target=target))
    _link_to_known_disruption(ctx, complaint)


def tie_held_attachments(ctx: Context, complaint_id: int | None) -> None:
    """What the customer sent during this conversation goes with the complaint."""
    if complaint_id is None:
        return
    since = held_since(ctx.now, minutes=ctx.settings.conversation_timeout_minutes)
    tie_held(session=ctx.session, contact_id=ctx.contact.id, complaint_id=complaint_id, since=since)


def _link_to_known_disruption(ctx: Context, complaint: Complaint) -> None:
    """A no-water report in an area under a known disruption joins it and is told at once."""
    found = area_of(ctx, complaint.area_code)
    if complaint.category not in LINKABLE_CATEGORIES or found is None:
        return
    notice = ongoing_disruption(
        ctx.connection, code=found.code, kecamatan_code=found.kecamatan_code, now=ctx.now
    )
    if notice is None:
        return
    link_complaint(session=ctx.session, complaint=complaint, notice=notice, now=ctx.now)
    end = ctx.time(notice.expected_end_at) if notice.expected_end_at else None
    summary = (
        f"{notice.title}\n"
        + ctx.t(
            "outage.item",
            badge=ctx.t("outage.ongoing"),
            title="",
            where="",
            start=ctx.time(notice.starts_at),
            end=end or ctx.t("outage.end_unknown"),
        ).strip()
    )
    ctx.say(ctx.t("complaint.linked", notice=summary))
    choices = [
        Choice(ctx.t("outage.offer_subscribe", area=found.name), f"sub:{found.code}"),
        Choice(ctx.t("common.back_to_menu"), "menu:main"),
    ]
    ctx.say(ctx.t("complaint.offer_subscribe", area=area_label(ctx, found)), choices)
