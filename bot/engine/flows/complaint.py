"""Filing a complaint: category, area, address, account number, description, confirmation.

What the customer's message already said (bot/engine/understanding.py) is filled in, and only
what is missing is asked, in this order: category, area, address (which may carry the account
number), the account number for billing and meter problems, a description when there is none
yet; then one summary to confirm. At any step "eh maksudnya ..." or "bukan X tapi Y" changes
what was noted, and "tidak, cuma nanya" leaves without a complaint. The summary and the
filing itself are in flows/complaint_filing.py.
"""

from __future__ import annotations

from bot.engine import slots
from bot.engine.context import Context
from bot.engine.flows import complaint_filing as filing
from bot.engine.flows import outage, ticket_sense
from bot.engine.flows.common import (
    area_label,
    area_of,
    ask_again,
    mention_namesake,
    offer_kecamatan,
    pick_area,
    tell_outside,
)
from bot.engine.manner import is_skip, just_asking, yes_or_no
from bot.engine.understanding import Understanding
from channels.messages import Choice, Location
from complaints.service import CATEGORIES

MIN_ADDRESS = 5
MAX_FIELD = 1000
ACCOUNT_CATEGORIES = frozenset({"billing", "meter"})  # staff need the account number for these
_CHANGE_WORDS = frozenset(
    ["bukan", "maksud", "maksudnya", "salah", "ralat", "koreksi", "eh", "ganti", "mean"]
)
_RESTATING = frozenset(["maksud", "maksudnya", "salah", "ralat", "koreksi", "mean"])


def start(
    ctx: Context,
    *,
    category: str | None = None,
    area_code: str | None = None,
    area_candidates: list[str] | None = None,
    understood: Understanding | None = None,
) -> None:
    """Begin a complaint with what the customer already told us; ask only for what is missing."""
    place = understood.place if understood else None
    category = category or (understood.category if understood else None)
    if place is not None and place.area is not None and area_code is None:
        area_code = place.area.code
        mention_namesake(ctx, place.area)
    if place is not None and not area_candidates and area_code is None:
        area_candidates = [m.area.code for m in place.matches]
    said = ctx.text[:MAX_FIELD] if category and understood else None
    ctx.data.clear()
    ctx.data.update(
        {
            "category": category,
            "area_code": area_code,
            "candidates": area_candidates or [],
            "regency": place.regency if place else None,
            "account": understood.account_number if understood else None,
            # the customer's own words that began it: the description, and what is offered
            # to an open ticket like it (flows/ticket_sense.py)
            "said": said,
            "description": said,
        }
    )
    if category and understood:
        _note(ctx, "complaint.noted")
    if place is not None and place.outside is not None and not area_code:
        tell_outside(ctx, place.outside)
        ctx.data["outside_told"] = True
    _next(ctx)


def _next(ctx: Context) -> None:
    """Ask for the first thing still missing, or show the summary."""
    data = ctx.data
    if not data.get("category"):
        ask_category(ctx)
    elif not data.get("area_code") and not data.get("located"):
        _ask_area(ctx)
    elif not data.get("address"):
        _ask_address(ctx)
    elif (
        data.get("account") is None
        and not data.get("account_asked")
        and data["category"] in ACCOUNT_CATEGORIES
    ):
        _ask_account(ctx)
    elif not (data.get("description") or data.get("media") or data.get("description_asked")):
        _ask_description(ctx)
    else:
        filing.show_summary(ctx)


def _note(ctx: Context, key: str) -> None:
    """ "Baik, kami catat: Air tidak mengalir di Lok Baintan." before the next question."""
    data = ctx.data
    found = area_of(ctx, data.get("area_code"))
    category = ctx.t(f"complaint_category.{data['category']}") if data.get("category") else "-"
    where = ctx.t("complaint.noted_area", area=area_label(ctx, found)) if found else ""
    ctx.preface(ctx.t(key, category=category, where=where))


def ask_category(ctx: Context, *, again: bool = False) -> None:
    ctx.go("complaint", "category")
    choices = [Choice(ctx.t(f"complaint_category.{c}"), f"cat:{c}") for c in CATEGORIES]
    if again:
        ask_again(ctx, ctx.t("complaint.ask_category"), choices)
    else:
        ctx.say(ctx.t("complaint.ask_category"), choices)


def prefill(ctx: Context) -> None:
    """A conversation left at the old "is this right?" question goes on from what is known."""
    _next(ctx)


def category(ctx: Context) -> None:
    picked = (ctx.choice or "").removeprefix("cat:")
    if ctx.choice and ctx.choice.startswith("cat:") and picked in CATEGORIES:
        ctx.data["category"] = picked
        _next(ctx)
        return
    if just_asking(ctx.text):
        _leave_just_asking(ctx)
        return
    understood = ctx.understood
    if understood.category:
        ctx.data["category"] = understood.category
        if understood.place.area and not ctx.data.get("area_code"):
            ctx.data["area_code"] = understood.place.area.code
        _next(ctx)
        return
    ask_category(ctx, again=True)


def _ask_area(ctx: Context) -> None:
    ctx.go("complaint", "area")
    data = ctx.data
    candidates = [a for a in map(ctx.areas.get, data.pop("candidates", [])) if a]
    if candidates:
        choices = [Choice(area_label(ctx, a), f"area:{a.code}") for a in candidates]
        ctx.say(ctx.t("area.pick"), [*choices, Choice(ctx.t("common.not_in_list"), "area:none")])
    elif data.get("regency"):
        offer_kecamatan(ctx, regency=data.pop("regency"))
    elif data.pop("outside_told", False):
        ctx.say(ctx.t("area.ask_other"))
    else:
        ctx.say(ctx.t("area.ask"))


def area(ctx: Context) -> None:
    if _changed(ctx):
        return
    found = pick_area(ctx)
    if found is not None:
        ctx.data["area_code"] = found.code
        _next(ctx)


def _ask_address(ctx: Context) -> None:
    if ticket_sense.offer_open_ticket(ctx, text=filing.what_they_said(ctx), resume="address"):
        return
    ctx.go("complaint", "address")
    has_account = ctx.data.get("account") is not None
    ctx.say(ctx.t("complaint.ask_address" if has_account else "complaint.ask_address_account"))


def duplicate(ctx: Context) -> None:
    """The answer to 'add this to your open ticket?': added, or on with a new complaint."""
    if ticket_sense.duplicate_answer(ctx) != "new":
        return
    if (ctx.data.pop("duplicate", None) or {}).get("resume") == "file":
        filing.file(ctx)
    else:
        _next(ctx)


def address(ctx: Context) -> None:
    if _changed(ctx):
        return
    account = slots.account_number(ctx.text)
    if account and len(_letters(ctx.text)) < MIN_ADDRESS:  # only the account number
        ctx.data["account"] = account
        ctx.say(ctx.t("complaint.account_noted", account=account))
        ctx.say(ctx.t("complaint.ask_address"))
        return
    if len(ctx.text) < MIN_ADDRESS:
        ask_again(ctx, ctx.t("complaint.address_short"))
        return
    ctx.data["address"] = (slots.without_account(ctx.text) or ctx.text)[:MAX_FIELD]
    if account and ctx.data.get("account") is None:
        ctx.data["account"] = account
    _next(ctx)


def _letters(text: str) -> str:
    return "".join(c for c in text if c.isalpha())


def _ask_account(ctx: Context) -> None:
    ctx.go("complaint", "account")
    ctx.data["account_asked"] = True
    ctx.say(ctx.t("complaint.ask_account"), [Choice(ctx.t("common.skip"), "skip")])


def account(ctx: Context) -> None:
    """Optional: digits however written ("kan sudah saya tulis tadi 0123456789"), or a skip."""
    if _changed(ctx):
        return
    digits = slots.digits_anywhere(ctx.text)
    if ctx.choice == "skip" or (digits is None and is_skip(ctx.text)):
        ctx.data["account"] = None
    elif digits is not None:
        ctx.data["account"] = digits
    else:
        skip = [Choice(ctx.t("common.skip"), "skip")]
        ask_again(ctx, ctx.t("complaint.account_invalid"), skip, skip=True)
        return
    _next(ctx)


def _ask_description(ctx: Context) -> None:
    ctx.go("complaint", "description")
    ctx.data["description_asked"] = True
    key = "complaint.ask_description" if ctx.supports_media else "complaint.ask_description_text"
    ctx.say(ctx.t(key), [Choice(ctx.t("common.skip"), "skip")])


def located(ctx: Context, place: Location) -> None:
    """A location shared when the area or address is asked stands for the address (and for
    the area, which the gazetteer cannot tell from coordinates); staff see it on a map."""
    data = ctx.data
    coordinates = f"{place.latitude:.6f}, {place.longitude:.6f}"
    data["located"] = coordinates
    if not data.get("address"):
        data["address"] = ctx.t("media.location_address", coordinates=coordinates)
    ctx.preface(ctx.t("media.location_noted"))
    _next(ctx)


def ask_current(ctx: Context) -> None:
    """The question still open, asked again (after a file was added to the draft)."""
    if ctx.contact.step == "duplicate":
        return  # the offer to add to an open ticket stands
    if ctx.contact.step == "account":
        ctx.say(ctx.t("complaint.ask_account"), [Choice(ctx.t("common.skip"), "skip")])
        return
    _next(ctx)


def description(ctx: Context) -> None:
    if ctx.choice == "skip" or is_skip(ctx.text):
        _next(ctx)
        return
    if len(ctx.text) < 3 and not (ctx.data.get("media") or ctx.data.get("attached")):
        skip = [Choice(ctx.t("common.skip"), "skip")]
        ask_again(ctx, ctx.t("complaint.description_short"), skip, skip=True)
        return
    if ctx.text:
        ctx.data["description"] = ctx.text[:MAX_FIELD]
    _next(ctx)


def confirm(ctx: Context) -> None:
    if ctx.choice == "restart":
        start(ctx)
        return
    if _changed(ctx):
        return
    answer = _yes_no(ctx)
    if answer:
        filing.file(ctx)
    elif answer is False:
        start(ctx)
    else:
        filing.show_summary(ctx, again=True)


def _changed(ctx: Context) -> bool:
    """A message that corrects what we noted, or says it was only a question; False otherwise.

    "eh maksudnya kecil, bukan mati" changes the category, "eh salah, di Gambut" the area;
    the step that was waiting asks its question again (or the summary is shown again).
    """
    if just_asking(ctx.text):
        _leave_just_asking(ctx)
        return True
    if ctx.choice or not _CHANGE_WORDS.intersection(ctx.simple.split()):
        return False
    understood = ctx.understood
    data = ctx.data
    changed = False
    ruled_out = understood.negated_category == data.get("category")
    restated = bool(_RESTATING.intersection(ctx.simple.split()))
    if understood.category not in (None, data.get("category")) and (ruled_out or restated):
        data["category"] = understood.category
        changed = True
    area = understood.place.area
    if area is not None and area.code != data.get("area_code"):
        data["area_code"] = area.code
        changed = True
    if changed:
        _note(ctx, "complaint.changed")
        _next(ctx)
    return changed


def _leave_just_asking(ctx: Context) -> None:
    """No complaint after all; where we know the area, its disruption news is the answer."""
    found = area_of(ctx, ctx.data.get("area_code"))
    ctx.finish()
    ctx.preface(ctx.t("complaint.just_asking"))
    if found is not None:
        outage.answer(ctx, found)
        return
    choices = [
        Choice(ctx.t("menu.outage"), "menu:outage"),
        Choice(ctx.t("common.back_to_menu"), "menu:main"),
    ]
    ctx.say(ctx.t("complaint.ask_question"), choices)


def _yes_no(ctx: Context) -> bool | None:
    if ctx.choice in {"yes", "no"}:
        return ctx.choice == "yes"
    return yes_or_no(ctx.text)
