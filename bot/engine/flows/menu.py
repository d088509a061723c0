"""Greeting, menu, help, language switch and talk-to-a-person."""

from __future__ import annotations

from datetime import datetime

from bot.engine.context import Context
from bot.engine.flows.common import ask_again, show_menu
from channels.messages import Choice
from complaints.calendar import working_calendar
from core import timefmt
from subscriptions.preferences import ask_for_a_person


def start_language(ctx: Context) -> None:
    ctx.go("language", "choose")
    choices = [Choice(ctx.t("language.indonesian"), "lang:id"), Choice("English", "lang:en")]
    ctx.say(ctx.t("language.ask"), choices)


def language_choose(ctx: Context) -> None:
    if ctx.choice in {"lang:id", "lang:en"}:
        set_language(ctx, ctx.choice.removeprefix("lang:"))
        return
    choices = [Choice(ctx.t("language.indonesian"), "lang:id"), Choice("English", "lang:en")]
    ask_again(ctx, ctx.t("language.ask"), choices)


def set_language(ctx: Context, language: str) -> None:
    ctx.contact.language = language
    ctx.language_changed = True
    ctx.finish()
    ctx.say(ctx.t("language.set"))
    show_menu(ctx)


def talk_to_person(ctx: Context) -> None:
    """Flag the conversation for staff and say honestly when someone will answer.

    From here on the customer's messages go to staff (flows/handoff.py) until staff settle
    the conversation or the customer types MENU.
    """
    ask_for_a_person(session=ctx.session, contact_id=ctx.contact.id, now=ctx.now)
    ctx.contact.needs_human = True
    hours = service_hours(ctx)
    ctx.finish()
    next_open = next_opening(ctx, ctx.now)
    if next_open is None:
        ctx.say(ctx.t("human.open", hours=hours))
    else:
        ctx.say(ctx.t("human.closed", hours=hours, next_open=ctx.time(next_open)))


def service_hours(ctx: Context) -> str:
    """When staff answer, in words: 'Senin–Jumat 08.00–16.00 WITA'."""
    settings = ctx.settings
    return ctx.t(
        "human.hours",
        days=_days_label(ctx),
        start=timefmt.clock(settings.business_hours_start, ctx.lang),
        end=timefmt.clock(settings.business_hours_end, ctx.lang),
        zone=timefmt.zone_name(settings.tz, ctx.now),
    )


def _days_label(ctx: Context) -> str:
    if ctx.settings.business_weekdays == {0, 1, 2, 3, 4}:
        return ctx.t("time.weekdays")
    return ctx.settings.business_days


def next_opening(ctx: Context, now: datetime) -> datetime | None:
    """None while staff are on duty; otherwise when the office next opens (UTC).

    The working calendar decides (complaints/calendar.py): its hours, the national holidays
    and cuti bersama, and the local closures.
    """
    calendar = working_calendar(session=ctx.session, settings=ctx.settings)
    try:
        return calendar.next_open(now)
    except ValueError:  # no working time at all in the calendar
        return None
