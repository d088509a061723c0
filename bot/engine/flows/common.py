"""Pieces several flows share: the menu, area picking, asking again with a way out, labels."""

from __future__ import annotations

from areas.index import Area, AreaMatch
from areas.outside import OutsidePlace, outside_index
from bot.engine.context import Context
from bot.engine.names import address_name
from bot.engine.understanding import Place, find_place
from channels.messages import Choice

MENU_ITEMS = ("outage", "complaint", "status", "subscribe", "human", "language")
# A top candidate this far ahead of the next is taken without asking.
CLEAR_LEAD = 5.0
SURE_SCORE = 80.0
MAX_CHOICES = 6
WAY_OUT_AFTER = 2  # unusable answers at one step before the ways out are offered
AREA_LIST = "area:list"


def show_menu(ctx: Context, intro: str | None = None) -> None:
    """The main menu, as buttons or a numbered list; '1'..'6' pick from it."""
    name = address_name(ctx.contact.display_name, ctx.lang)
    greeting = f" {name}" if name else ""
    text = intro or ctx.t("menu.intro", name=greeting, utility=ctx.settings.utility_name)
    choices = [Choice(ctx.t(f"menu.{item}"), f"menu:{item}") for item in MENU_ITEMS]
    ctx.say(f"{text}", choices)


def ask_again(
    ctx: Context,
    text: str,
    choices: list[Choice] | None = None,
    *,
    skip: bool = False,
    area_list: bool = False,
) -> None:
    """Ask the step's question again; from the second unusable answer on, offer ways out.

    The ways out: skip (optional questions), choose from a list (areas), a person, the menu.
    """
    offered = list(choices or [])
    if ctx.missed() >= WAY_OUT_AFTER:
        text = f"{text}\n\n{ctx.t('common.way_out')}"
        values = {c.value for c in offered}
        extra = [
            Choice(ctx.t("common.skip"), "skip") if skip else None,
            Choice(ctx.t("area.from_list"), AREA_LIST) if area_list else None,
            Choice(ctx.t("menu.human"), "menu:human"),
            Choice(ctx.t("common.back_to_menu"), "menu:main"),
        ]
        offered += [c for c in extra if c is not None and c.value not in values]
    ctx.say(text, offered or None)


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


def pick_area(ctx: Context, *, place: Place | None = None) -> Area | None:
    """The area from a choice or free text; when unsure, says why, offers choices, returns None.

    `place`: what the message already said (ctx.understood.place); looked up when not given.
    A place outside the service area is named with the utility that serves it; a served
    kabupaten/kota alone ("bjb") is asked about by its kecamatan.
    """
    if ctx.choice and ctx.choice.startswith("area:"):
        value = ctx.choice.removeprefix("area:")
        if value == "list":
            offer_kecamatan(ctx)
        elif value == "none":
            ask_again(ctx, ctx.t("area.ask"), area_list=True)
        return ctx.areas.get(value)
    if place is None:
        place = find_place(ctx.text, ctx.areas) if ctx.text else Place()
    if place.area is not None:
        mention_namesake(ctx, place.area)
        return place.area
    if place.outside is not None:
        tell_outside(ctx, place.outside)
        ask_again(ctx, ctx.t("area.ask_other"), area_list=True)
    elif place.matches:
        choices = [Choice(area_label(ctx, m.area), f"area:{m.area.code}") for m in place.matches]
        ctx.say(ctx.t("area.pick"), [*choices, Choice(ctx.t("common.not_in_list"), "area:none")])
    elif place.regency:
        offer_kecamatan(ctx, regency=place.regency)
    else:
        shown = ctx.text[:60] or "…"
        ctx.say(ctx.t("area.not_found", text=shown, utility=ctx.settings.utility_name))
        ask_again(ctx, ctx.t("area.ask"), area_list=True)
    return None


def offer_kecamatan(ctx: Context, *, regency: str | None = None) -> None:
    """Every kecamatan served (or those of one kabupaten/kota) to choose from."""
    kecamatan = [k for k in ctx.areas.kecamatan() if regency is None or k.parent_code == regency]
    choices = [Choice(area_label(ctx, k), f"area:{k.code}") for k in kecamatan]
    ctx.say(ctx.t("area.pick_kecamatan"), choices)


def tell_outside(ctx: Context, place: OutsidePlace) -> None:
    """ "Banjarmasin is not ours; PTAM Bandarmasih serves it." """
    provider = place.utility or ctx.t("area.local_utility")
    where = place.name if place.level == "regency" else f"{place.name} ({place.regency_name})"
    ctx.say(
        ctx.t("area.outside", place=where, utility=ctx.settings.utility_name, provider=provider)
    )


def mention_namesake(ctx: Context, area: Area) -> None:
    """A served name that also exists outside ("Sungai Lulut"): say which one we took."""
    namesake = outside_index().same_name(area.name)
    if namesake is None:
        return
    provider = namesake.utility or ctx.t("area.local_utility")
    ctx.preface(
        ctx.t(
            "area.namesake",
            area=area_label(ctx, area),
            name=namesake.name,
            regency=namesake.regency_name,
            provider=provider,
        )
    )


def area_of(ctx: Context, code: str | None) -> Area | None:
    return ctx.areas.get(code) if code else None
