"""Filing a complaint: category, area, address, account number, description, confirmation."""

from __future__ import annotations

import re

from bot.engine.context import Context
from bot.engine.flows.common import area_label, area_of, pick_area
from bot.engine.intents import SKIP_WORDS, answer_yes_no
from channels.messages import Choice
from complaints.service import (
    CATEGORIES,
    create_complaint,
    first_response_due,
    first_response_minutes,
)
from db.models import Complaint
from db.vocab import Channel
from outage_notices.linking import LINKABLE_CATEGORIES, link_complaint
from outage_notices.lookup import ongoing_disruption

ACCOUNT = re.compile(r"^\d{5,15}$")
MIN_ADDRESS = 5
MAX_FIELD = 1000


def start(
    ctx: Context,
    *,
    category: str | None = None,
    area_code: str | None = None,
    area_candidates: list[str] | None = None,
) -> None:
    """Begin a complaint; what the customer already told us is filled in for them to confirm."""
    ctx.data.clear()
    ctx.data.update(
        {"category": category, "area_code": area_code, "candidates": area_candidates or []}
    )
    if category:
        ctx.go("complaint", "prefill")
        area = area_of(ctx, area_code)
        name = ctx.t(f"complaint_category.{category}")
        if area:
            text = ctx.t("complaint.confirm_prefill", category=name, area=area_label(ctx, area))
        else:
            text = ctx.t("complaint.confirm_prefill_no_area", category=name)
        ctx.say(text, [Choice(ctx.t("common.yes"), "yes"), Choice(ctx.t("common.no"), "no")])
        return
    ask_category(ctx)


def ask_category(ctx: Context) -> None:
    ctx.go("complaint", "category")
    choices = [Choice(ctx.t(f"complaint_category.{c}"), f"cat:{c}") for c in CATEGORIES]
    ctx.say(ctx.t("complaint.ask_category"), choices)


def prefill(ctx: Context) -> None:
    answer = _yes_no(ctx)
    if answer is None:
        start(
            ctx,
            category=ctx.data.get("category"),
            area_code=ctx.data.get("area_code"),
            area_candidates=ctx.data.get("candidates"),
        )
    elif answer:
        _after_category(ctx)
    else:
        ctx.data["area_code"] = None
        ask_category(ctx)


def category(ctx: Context) -> None:
    picked = (ctx.choice or "").removeprefix("cat:")
    if ctx.choice and ctx.choice.startswith("cat:") and picked in CATEGORIES:
        ctx.data["category"] = picked
        _after_category(ctx)
        return
    ask_category(ctx)


def _after_category(ctx: Context) -> None:
    if ctx.data.get("area_code"):
        _ask_address(ctx)
        return
    ctx.go("complaint", "area")
    candidates = [a for a in map(ctx.areas.get, ctx.data.pop("candidates", [])) if a]
    if candidates:
        choices = [Choice(area_label(ctx, a), f"area:{a.code}") for a in candidates]
        ctx.say(ctx.t("area.pick"), [*choices, Choice(ctx.t("common.not_in_list"), "area:none")])
    else:
        ctx.say(ctx.t("area.ask"))


def area(ctx: Context) -> None:
    if ctx.choice == "area:none":
        ctx.say(ctx.t("area.ask"))
        return
    found = pick_area(ctx)
    if found is not None:
        ctx.data["area_code"] = found.code
        _ask_address(ctx)


def _ask_address(ctx: Context) -> None:
    ctx.go("complaint", "address")
    ctx.say(ctx.t("complaint.ask_address"))


def address(ctx: Context) -> None:
    if len(ctx.text) < MIN_ADDRESS:
        ctx.say(ctx.t("complaint.address_short"))
        return
    ctx.data["address"] = ctx.text[:MAX_FIELD]
    ctx.go("complaint", "account")
    ctx.say(ctx.t("complaint.ask_account"), [Choice(ctx.t("common.skip"), "skip")])


def account(ctx: Context) -> None:
    digits = re.sub(r"[\s.\-/]", "", ctx.text)
    if ctx.choice == "skip" or ctx.simple in SKIP_WORDS:
        ctx.data["account"] = None
    elif ACCOUNT.match(digits):
        ctx.data["account"] = digits
    else:
        ctx.say(ctx.t("complaint.account_invalid"), [Choice(ctx.t("common.skip"), "skip")])
        return
    ctx.go("complaint", "description")
    key = "complaint.ask_description" if ctx.supports_media else "complaint.ask_description_text"
    ctx.say(ctx.t(key))


def description(ctx: Context) -> None:
    if ctx.inbound.media:
        ctx.data["media"] = ctx.inbound.media[0]
    if len(ctx.text) < 3 and not ctx.data.get("media"):
        ctx.say(ctx.t("complaint.description_short"))
        return
    ctx.data["description"] = ctx.text[:MAX_FIELD]
    _confirm(ctx)


def _confirm(ctx: Context) -> None:
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
        photo=ctx.t("complaint.photo_attached") if data.get("media") else "",
    )
    choices = [Choice(ctx.t("complaint.send"), "yes"), Choice(ctx.t("complaint.edit"), "restart")]
    ctx.say(text, [*choices, Choice(ctx.t("common.back_to_menu"), "menu:main")])


def confirm(ctx: Context) -> None:
    if ctx.choice == "restart":
        start(ctx)
        return
    answer = _yes_no(ctx)
    if answer:
        _file(ctx)
    elif answer is False:
        start(ctx)
    else:
        _confirm(ctx)


def _file(ctx: Context) -> None:
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
    )
    ctx.complaint_id = complaint.id
    ctx.finish()
    minutes = first_response_minutes(session=ctx.session, category=complaint.category)
    due = first_response_due(created_at=complaint.created_at, minutes=minutes)
    target = ctx.t("complaint.target_during_hours", when=ctx.time(due))
    ctx.say(ctx.t("complaint.created", ticket=complaint.ticket_number, target=target))
    _link_to_known_disruption(ctx, complaint)


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


def _yes_no(ctx: Context) -> bool | None:
    if ctx.choice in {"yes", "no"}:
        return ctx.choice == "yes"
    return answer_yes_no(ctx.simple)
