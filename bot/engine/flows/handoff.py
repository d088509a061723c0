"""While a customer waits for a person: their messages are for staff, not for the bot.

After "bicara dengan petugas" the contact is flagged (`contact.needs_human`) and every message
is stored for staff (the hand-off list and the contact page show them) with a short
acknowledgement, at most one per `ACK_EVERY` so a burst of messages gets one; outside office
hours it says when staff are back. It ends when staff settle the conversation in the console,
or when the customer types MENU, picks the button back or a service from a menu. STOP and a
change of language keep working.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.engine import intents
from bot.engine.context import Context
from bot.engine.flows.common import show_menu
from bot.engine.flows.menu import next_opening
from channels.messages import Choice
from subscriptions.preferences import no_longer_waiting

ACK_EVERY = timedelta(minutes=2)
BACK = "menu:main"


LANGUAGE_WORDS = (intents.ENGLISH_WORDS - {"en"}) | {"english", "bahasa indonesia", "indonesia"}


def take(ctx: Context) -> bool:
    """Handle a message of a customer waiting for a person; False for what the bot still does:
    STOP, a change of language, and a service picked from a menu we showed (which ends the wait).
    """
    if ctx.simple in intents.STOP_WORDS or ctx.simple in LANGUAGE_WORDS:
        return False
    picked = _picked(ctx)
    if ctx.simple in intents.MENU_WORDS or ctx.simple in intents.CANCEL_WORDS or picked == BACK:
        leave(ctx)
    elif picked and picked.startswith("menu:"):
        _stop_waiting(ctx)
        return False
    else:
        relay(ctx)
    return True


def _picked(ctx: Context) -> str | None:
    """The value of a choice we offered that the message picks ('1', or the value itself)."""
    text = ctx.text.strip()
    offered = [value for value, _ in ctx.data.get("_choices") or []]
    if text in offered:
        return text
    if text.isdecimal() and 1 <= int(text) <= len(offered):
        return offered[int(text) - 1]
    return None


def relay(ctx: Context) -> None:
    """The message is already stored for staff with the turn; say so, briefly."""
    last = ctx.data.get("handoff_ack")
    if last and ctx.now - datetime.fromisoformat(last) < ACK_EVERY:
        return
    ctx.data["handoff_ack"] = ctx.now.isoformat()
    next_open = next_opening(ctx, ctx.now)
    if next_open is None:
        text = ctx.t("handoff.ack")
    else:
        text = ctx.t("handoff.ack_closed", next_open=ctx.time(next_open))
    ctx.say(text, [Choice(ctx.t("handoff.back"), BACK)])


def leave(ctx: Context) -> None:
    """The customer wants the bot again: off the staff's waiting list, back to the menu."""
    _stop_waiting(ctx)
    ctx.finish()
    show_menu(ctx, ctx.t("handoff.left"))


def _stop_waiting(ctx: Context) -> None:
    no_longer_waiting(session=ctx.session, contact_id=ctx.contact.id)
    ctx.contact.needs_human = False
