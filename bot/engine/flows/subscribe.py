"""Notices for the areas a customer cares about; STOP and MULAI."""

from __future__ import annotations

from areas.index import Area
from bot.engine.context import Context
from bot.engine.flows.common import area_label, pick_area
from bot.engine.understanding import Place
from channels.messages import Choice, Outbound
from outage_notices.latecomers import catch_up
from subscriptions.preferences import set_opted_out
from subscriptions.service import subscribe, subscribed_area_codes


def start(ctx: Context, *, place: Place | None = None) -> None:
    """Subscribe to the place the message named ("daftar info gangguan kertak hanyar"), or ask."""
    ctx.go("subscribe", "area")
    if place is not None and (place.matches or place.outside or place.regency):
        area_step(ctx, place=place)
    else:
        ctx.say(ctx.t("area.ask"))


def area_step(ctx: Context, *, place: Place | None = None) -> None:
    found = pick_area(ctx, place=place)
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
    _tell_live_notices(ctx, area)
    choices = [
        Choice(ctx.t("subscribe.add_more"), "menu:subscribe"),
        Choice(ctx.t("common.back_to_menu"), "menu:main"),
    ]
    ctx.say(ctx.t("subscribe.more"), choices)


def _tell_live_notices(ctx: Context, area: Area) -> None:
    """A disruption already published for the area is told now, as its push would have."""
    for missed in catch_up(
        ctx.session,
        contact_id=ctx.contact.id,
        language=ctx.lang,
        code=area.code,
        kecamatan_code=area.kecamatan_code,
        is_kecamatan=area.level == "district",
        tz=ctx.settings.tz,
        now=ctx.now,
    ):
        reply = Outbound(missed.text, notice_id=missed.notice_id, notice_event=missed.event)
        ctx.replies.append(reply)


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
