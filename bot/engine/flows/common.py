"""Pieces several flows share: the menu, area picking, labels."""

from __future__ import annotations

from areas.index import Area, AreaMatch
from bot.engine.context import Context
from channels.messages import Choice

MENU_ITEMS = ("outage", "complaint", "status", "subscribe", "human", "language")
# A top candidate this far ahead of the next is taken without asking.
CLEAR_LEAD = 5.0
SURE_SCORE = 80.0
MAX_CHOICES = 6


def show_menu(ctx: Context, intro: str | None = None) -> None:
    """The main menu, as buttons or a numbered list; '1'..'6' pick from it."""
    name = f" {ctx.contact.display_name.split()[0]}" if ctx.contact.display_name else ""
    text = intro or ctx.t("menu.intro", name=name, utility=ctx.settings.utility_name)
    choices = [Choice(ctx.t(f"menu.{item}"), f"menu:{item}") for item in MENU_ITEMS]
    ctx.say(f"{text}", choices)


def area_label(ctx: Context, area: Area) -> str:
    if area.level == "district":
        return ctx.t("area.kecamatan_label", name=area.name)
    return ctx.t("area.desa_label", name=area.name, kecamatan=area.kecamatan_name or "-")


def decide(matches: list[AreaMatch]) -> Area | None:
    """The one area meant, when the text leaves no doubt; None when the customer must choose."""
    if not matches:
        return None
    best = matches[0]
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    if best.score >= SURE_SCORE and best.score - runner_up >= CLEAR_LEAD:
        return best.area
    return None


def pick_area(ctx: Context, *, matches: list[AreaMatch] | None = None) -> Area | None:
    """The area from a choice or free text; when unsure, offers choices and returns None.

    `matches`: candidates the caller already looked up for this text.
    """
    if ctx.choice and ctx.choice.startswith("area:"):
        return ctx.areas.get(ctx.choice.removeprefix("area:"))
    if matches is None:
        matches = ctx.areas.find(ctx.text, limit=MAX_CHOICES) if ctx.text else []
    area = decide(matches)
    if area is not None:
        return area
    if not matches:
        shown = ctx.text[:60] or "…"
        ctx.say(ctx.t("area.not_found", text=shown, utility=ctx.settings.utility_name))
        ctx.say(ctx.t("area.ask"))
        return None
    choices = [Choice(area_label(ctx, m.area), f"area:{m.area.code}") for m in matches]
    ctx.say(ctx.t("area.pick"), [*choices, Choice(ctx.t("common.not_in_list"), "area:none")])
    return None


def area_of(ctx: Context, code: str | None) -> Area | None:
    return ctx.areas.get(code) if code else None
