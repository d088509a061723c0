"""Free text outside any flow: understand it, answer courteously, start what it asks for.

One table maps each intent (bot/engine/understanding.py) to what the bot does; a salam is
answered with a salam and an upset customer gets a short apology first, whatever follows.
What nothing else takes goes to the FAQ (flows/faq.py), and only then "not understood", said
briefly with the offer of a person, not the whole menu.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.engine.context import Context
from bot.engine.flows import complaint, faq, menu, outage, status, subscribe, ticket_sense
from bot.engine.flows.common import mention_namesake, show_menu
from bot.engine.names import address_name
from bot.engine.understanding import Understanding
from channels.messages import Choice
from complaints.service import ticket_number

# An apology comes first for these when the customer is clearly upset.
APOLOGISE_FOR = frozenset(
    {"complaint", "outage_check", "already_reported", "complaint_status", "human", None}
)


def answer(ctx: Context) -> None:
    understood = ctx.understood
    intent = understood.intent
    if understood.salam and intent not in ("salam", "goodbye"):
        ctx.preface(ctx.t("courtesy.salam_reply"))
    if understood.upset and intent in APOLOGISE_FOR:
        ctx.preface(ctx.t("courtesy.sorry"))
    chasing = intent in (None, "complaint") and ticket_sense.is_chasing(ctx.simple)
    if intent == "already_reported" or chasing:
        ticket_sense.show_open_tickets(ctx)
        return
    ACTIONS.get(intent or "", _question_or_fallback)(ctx, understood)


def _greeting(ctx: Context, _: Understanding) -> None:
    show_menu(ctx)


def _salam(ctx: Context, _: Understanding) -> None:
    name = address_name(ctx.contact.display_name, ctx.lang)
    greeting = f" {name}" if name else ""
    show_menu(ctx, ctx.t("courtesy.salam_menu", name=greeting, utility=ctx.settings.utility_name))


def _thanks(ctx: Context, _: Understanding) -> None:
    ctx.say(ctx.t("courtesy.thanks"), [Choice(ctx.t("common.back_to_menu"), "menu:main")])


def _goodbye(ctx: Context, understood: Understanding) -> None:
    if understood.salam:
        ctx.preface(ctx.t("courtesy.salam_reply"))
    ctx.say(ctx.t("courtesy.goodbye", utility=ctx.settings.utility_name))


def _menu(ctx: Context, _: Understanding) -> None:
    show_menu(ctx)


def _language(ctx: Context, understood: Understanding) -> None:
    wanted = understood.wanted_language or "id"
    if wanted == "id" and "banjar" in ctx.simple.split():
        ctx.preface(ctx.t("courtesy.banjar"))
    menu.set_language(ctx, wanted)


def _complaint(ctx: Context, understood: Understanding) -> None:
    complaint.start(ctx, understood=understood)


def _outage_check(ctx: Context, understood: Understanding) -> None:
    area = understood.place.area
    if area is not None:
        mention_namesake(ctx, area)
        outage.answer(ctx, area)
    else:
        outage.start(ctx, place=understood.place)


def _status(ctx: Context, understood: Understanding) -> None:
    if understood.ticket is None:
        status.start(ctx)
    else:
        status.show(ctx, ticket_number(understood.ticket, ctx.settings.ticket_prefix))


def _subscribe(ctx: Context, understood: Understanding) -> None:
    area = understood.place.area
    if area is not None:
        mention_namesake(ctx, area)
        subscribe.add(ctx, area)
    else:
        subscribe.start(ctx, place=understood.place)


def _unsubscribe(ctx: Context, _: Understanding) -> None:
    subscribe.stop(ctx)


def _resubscribe(ctx: Context, _: Understanding) -> None:
    subscribe.resume(ctx)


def _human(ctx: Context, _: Understanding) -> None:
    menu.talk_to_person(ctx)


def _question_or_fallback(ctx: Context, understood: Understanding) -> None:
    if not ctx.simple or not faq.answer_question(ctx, ctx.text, topic=understood.faq_topic):
        not_understood(ctx)  # no words at all ("?!?!") is no question either


def not_understood(ctx: Context) -> None:
    """Honest and short: what we can do, a person, the menu; not the whole menu again."""
    choices = [
        Choice(ctx.t("menu.human"), "menu:human"),
        Choice(ctx.t("common.back_to_menu"), "menu:main"),
    ]
    ctx.say(ctx.t("common.not_understood"), choices)


ACTIONS: dict[str, Callable[[Context, Understanding], None]] = {
    "greeting": _greeting,
    "salam": _salam,
    "thanks": _thanks,
    "goodbye": _goodbye,
    "menu": _menu,
    "language": _language,
    "complaint": _complaint,
    "outage_check": _outage_check,
    "complaint_status": _status,
    "subscribe": _subscribe,
    "unsubscribe": _unsubscribe,
    "resubscribe": _resubscribe,
    "human": _human,
}
