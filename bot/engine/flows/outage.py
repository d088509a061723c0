"""'Is the water off in my area, and until when?'"""

from __future__ import annotations

from datetime import timedelta

from areas.index import Area
from bot.engine.context import Context
from bot.engine.flows.common import area_label, pick_area
from bot.engine.understanding import Place
from channels.messages import Choice
from core import timefmt
from outage_notices.lookup import Disruption, disruptions_for_area
from outage_notices.rotation import windows_on

MAX_SHOWN = 4


def start(ctx: Context, *, place: Place | None = None) -> None:
    """Ask for the area, or go on with the place the message already named."""
    ctx.go("outage", "area")
    if place is not None and (place.matches or place.outside or place.regency):
        area_step(ctx, place=place)
    else:
        ctx.say(ctx.t("area.ask"))


def area_step(ctx: Context, *, place: Place | None = None) -> None:
    area = pick_area(ctx, place=place)
    if area is not None:
        answer(ctx, area)


def answer(ctx: Context, area: Area) -> None:
    """Ongoing and upcoming disruptions and rotation windows for this area, then what next."""
    ctx.finish()
    label = area_label(ctx, area)
    disruptions = disruptions_for_area(
        ctx.connection,
        code=area.code,
        kecamatan_code=area.kecamatan_code,
        is_kecamatan=area.level == "district",
        now=ctx.now,
    )
    parts = []
    if disruptions:
        parts.append(ctx.t("outage.header", area=label))
        parts += [_describe(ctx, item, area) for item in disruptions[:MAX_SHOWN]]
    rotation = _rotation_text(ctx, area, label)
    if rotation:
        parts.append(rotation)
    if not parts:
        parts.append(ctx.t("outage.nothing", area=label))
    choices = [
        Choice(ctx.t("outage.offer_subscribe", area=area.name), f"sub:{area.code}"),
        Choice(ctx.t("outage.offer_complaint"), f"complain:{area.code}"),
        Choice(ctx.t("common.back_to_menu"), "menu:main"),
    ]
    ctx.say("\n\n".join(parts), choices)


def _describe(ctx: Context, item: Disruption, asked: Area) -> str:
    notice = item.notice
    ongoing = item.is_ongoing(ctx.now)
    names = ", ".join(item.area_names)
    where = "" if item.area_names == [asked.name] else ctx.t("outage.where", areas=names)
    end = (
        ctx.time(notice.expected_end_at) if notice.expected_end_at else ctx.t("outage.end_unknown")
    )
    lines = [
        ctx.t(
            "outage.item",
            badge=ctx.t("outage.ongoing" if ongoing else "outage.upcoming"),
            title=notice.title,
            where=where,
            start=ctx.time(notice.starts_at),
            end=end,
        )
    ]
    if notice.cause:
        lines.append(ctx.t("outage.cause", cause=notice.cause))
    if notice.advice:
        lines.append(ctx.t("outage.advice", advice=notice.advice))
    if item.latest_update is not None:
        update = item.latest_update
        lines.append(ctx.t("outage.update", time=ctx.time(update.created_at), text=update.text))
    return "\n".join(lines)


def _rotation_text(ctx: Context, area: Area, label: str) -> str | None:
    """Today's and tomorrow's supply windows (giliran) for the area or its kecamatan."""
    tz = ctx.settings.tz
    today = ctx.now.astimezone(tz).date()
    codes = [area.code] + ([area.kecamatan_code] if area.kecamatan_code else [])
    windows = [
        window
        for day in (today, today + timedelta(days=1))
        for window in windows_on(ctx.connection, codes=codes, day=day, tz=tz)
    ]
    if not windows:
        return None
    lines = [ctx.t("outage.rotation_header", area=label)]
    for window in windows:
        starts, ends = (
            window.starts_at.astimezone(tz),
            window.ends_at.astimezone(tz),
        )
        lines.append(
            ctx.t(
                "outage.rotation_item",
                day=timefmt.day(starts.date(), ctx.lang),
                start=timefmt.clock(starts, ctx.lang),
                end=timefmt.clock(ends, ctx.lang),
                zone=timefmt.zone_name(tz, window.starts_at),
                note=f" ({window.note})" if window.note else "",
            )
        )
    return "\n".join(lines)
