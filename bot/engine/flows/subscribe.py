"""Notices for the areas a customer cares about; STOP and MULAI."""

from __future__ import annotations

from areas.index import Area
from bot.engine.context import Context
from bot.engine.flows.common import area_label, pick_area
from channels.messages import Choice
from subscriptions.preferences import set_opted_out
from subscriptions.service import subscribe, subscribed_area_codes


def start(ctx: Context) -> None:
    ctx.go("subscribe", "area")
    ctx.say(ctx.t("area.ask"))


def area_step(ctx: Context) -> None:
    if ctx.choice == "area:none":
        ctx.say(ctx.t("area.ask"))
        return
    found = pick_area(ctx)
    if found is not None:
        add(ctx, found)


def add(ctx: Context, area: Area) -> None:
    """Subscribe (again if they had stopped) and list everything they now receive."""
    ctx.finish()
    if ctx.contact.opted_out:
        set_opted_out(session=ctx.session, contact_id=ctx.contact.id, opted_out=False)
        ctx.contact.opted_out = False
    added = subscribe(
        session=ctx.session, contact_id=ctx.contact.id, area_code=area.code, now=ctx.now
    )
    if not added:
        ctx.say(ctx.t("subscribe.already", area=area_label(ctx, area)))
    ctx.say(ctx.t("subscribe.done", areas=_subscribed_names(ctx)))
    choices = [
        Choice(ctx.t("subscribe.add_more"), "menu:subscribe"),
        Choice(ctx.t("common.back_to_menu"), "menu:main"),
    ]
    ctx.say(ctx.t("subscribe.more"), choices)


def stop(ctx: Context) -> None:
    ctx.finish()
    set_opted_out(session=ctx.session, contact_id=ctx.contact.id, opted_out=True)
    ctx.contact.opted_out = True
    ctx.say(ctx.t("subscribe.stopped"))


def resume(ctx: Context) -> None:
    ctx.finish()
    set_opted_out(session=ctx.session, contact_id=ctx.contact.id, opted_out=False)
    ctx.contact.opted_out = False
    names = _subscribed_names(ctx)
    ctx.say(ctx.t("subscribe.resumed", areas=names) if names else ctx.t("subscribe.resumed_none"))


def _subscribed_names(ctx: Context) -> str:
    codes = subscribed_area_codes(session=ctx.session, contact_id=ctx.contact.id)
    areas = [ctx.areas.get(code) for code in codes]
    return ", ".join(area_label(ctx, area) for area in areas if area is not None)
