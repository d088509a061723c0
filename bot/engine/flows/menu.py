"""Greeting, menu, help, language switch and talk-to-a-person."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.engine.context import Context
from bot.engine.flows.common import show_menu
from channels.messages import Choice
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
    start_language(ctx)


def set_language(ctx: Context, language: str) -> None:
    ctx.contact.language = language
    ctx.language_changed = True
    ctx.finish()
    ctx.say(ctx.t("language.set"))
    show_menu(ctx)


def talk_to_person(ctx: Context) -> None:
    """Flag the conversation for staff and say honestly when someone will answer."""
    ask_for_a_person(session=ctx.session, contact_id=ctx.contact.id, now=ctx.now)
    settings = ctx.settings
    hours = ctx.t(
        "human.hours",
        days=_days_label(ctx),
        start=timefmt.clock(settings.business_hours_start, ctx.lang),
        end=timefmt.clock(settings.business_hours_end, ctx.lang),
        zone=timefmt.zone_name(settings.tz, ctx.now),
    )
    ctx.finish()
    next_open = next_opening(ctx, ctx.now)
    if next_open is None:
        ctx.say(ctx.t("human.open", hours=hours))
    else:
        ctx.say(ctx.t("human.closed", hours=hours, next_open=ctx.time(next_open)))


def _days_label(ctx: Context) -> str:
    if ctx.settings.business_weekdays == {0, 1, 2, 3, 4}:
        return ctx.t("time.weekdays")
    return ctx.settings.business_days


def next_opening(ctx: Context, now: datetime) -> datetime | None:
    """None while staff are on duty; otherwise when the next shift starts (UTC)."""
    settings = ctx.settings
    local = now.astimezone(settings.tz)
    start, end = settings.business_hours_start, settings.business_hours_end
    on_duty_day = local.weekday() in settings.business_weekdays
    if on_duty_day and start <= local.time() < end:
        return None
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    for _ in range(8):
        if day.weekday() in settings.business_weekdays:
            opening = datetime.combine(day, start, tzinfo=settings.tz)
            return opening.astimezone(now.tzinfo)
        day += timedelta(days=1)
    return None
