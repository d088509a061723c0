"""The channel-agnostic conversation engine: one inbound message in, replies out, state kept."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from areas.index import AreaIndex
from areas.outside import outside_index
from bot.engine import intents, store
from bot.engine.context import Context
from bot.engine.flows import (
    attachments,
    complaint,
    handoff,
    idle,
    menu,
    outage,
    rating,
    restore,
    status,
    subscribe,
)
from bot.engine.flows.common import show_menu
from bot.engine.manner import language_of
from channels.messages import Inbound, Outbound
from complaints.calendar import national_holidays
from complaints.service import parse_ticket
from core.metrics import CONVERSATION_TURNS, ESCALATIONS
from core.settings import Settings
from db.types import utcnow

log = logging.getLogger(__name__)

MAX_TEXT = 2000  # longer messages get a polite request to shorten
MAX_STORED = 20000  # what we keep of an oversized message

Step = Callable[[Context], None]
STEPS: dict[tuple[str, str], Step] = {
    ("complaint", "prefill"): complaint.prefill,
    ("complaint", "category"): complaint.category,
    ("complaint", "area"): complaint.area,
    ("complaint", "address"): complaint.address,
    ("complaint", "account"): complaint.account,
    ("complaint", "description"): complaint.description,
    ("complaint", "confirm"): complaint.confirm,
    ("complaint", "duplicate"): complaint.duplicate,
    ("outage", "area"): outage.area_step,
    ("status", "ticket"): status.ticket_step,
    ("subscribe", "area"): subscribe.area_step,
    ("language", "choose"): menu.language_choose,
    ("restore_check", "ask"): restore.ask,
    ("satisfaction", "rating"): rating.rating_step,
    ("satisfaction", "comment"): rating.comment_step,
}
MENU_ACTIONS: dict[str, Step] = {
    "main": show_menu,
    "outage": outage.start,
    "complaint": complaint.start,
    "status": status.start,
    "subscribe": subscribe.start,
    "human": menu.talk_to_person,
    "language": menu.start_language,
}


@dataclass(frozen=True, slots=True)
class Turn:
    replies: list[Outbound]
    outbox_ids: list[int]
    duplicate: bool = False
    contact_id: int | None = None


class ConversationEngine:
    """Runs every turn in one transaction: receipt, contact, state, messages and outbox rows."""

    def __init__(self, *, engine: Engine, settings: Settings, areas: AreaIndex) -> None:
        self.engine = engine
        self.settings = settings
        self.areas = areas
        outside_index()  # built once per process here, not during a customer's turn
        today = utcnow().astimezone(settings.tz).date()
        for year in (today.year, today.year + 1):  # the holiday tables filing a complaint reads
            national_holidays(year)

    def handle(
        self,
        inbound: Inbound,
        *,
        now: datetime | None = None,
        queue_replies: bool = True,
        accepted: bool = False,
    ) -> Turn:
        """Answer one message. A redelivered message (same raw_id) is acknowledged and ignored.

        If a step fails, its transaction is rolled back and the turn is run again as a plain
        apology with the menu, so the message is still stored and the customer still answered.
        `accepted`: a webhook already stored the message (see channels.intake).
        """
        now = now or utcnow()
        try:
            return self._turn(inbound, now, queue_replies, accepted, failed=False)
        except Exception:
            log.exception("conversation step failed (%s)", inbound.channel)
            return self._turn(inbound, now, queue_replies, accepted, failed=True)

    def handle_run(
        self, inbounds: Sequence[Inbound], *, queue_replies: bool = True, accepted: bool = False
    ) -> list[Turn] | None:
        """Answer several messages in order in one transaction, committed once.

        On SQLite a commit and its BEGIN cost about as much as a short turn, so a queue of
        stored messages is answered a run at a time. If any step fails, the whole run is rolled
        back and None returned: the caller then answers them one by one with `handle`, where a
        failure is that message's own (an apology, or set aside) and the others are unharmed.
        """
        try:
            with self.engine.begin() as connection:
                turns = [
                    self._turn_on(connection, inbound, utcnow(), queue_replies, accepted)
                    for inbound in inbounds
                ]
        except Exception as error:
            log.info("a run of %d messages is answered one by one: %r", len(inbounds), error)
            return None
        for inbound, (turn, escalated) in zip(inbounds, turns, strict=True):
            self._count(inbound, turn, escalated)
        return [turn for turn, _ in turns]

    def _turn(
        self, inbound: Inbound, now: datetime, queue_replies: bool, accepted: bool, failed: bool
    ) -> Turn:
        with self.engine.begin() as connection:
            turn, escalated = self._turn_on(
                connection, inbound, now, queue_replies, accepted, failed=failed
            )
        self._count(inbound, turn, escalated)  # committed: it counts
        return turn

    @staticmethod
    def _count(inbound: Inbound, turn: Turn, escalated: bool) -> None:
        if turn.duplicate:
            return
        CONVERSATION_TURNS.labels(inbound.channel).inc()
        if escalated:
            ESCALATIONS.labels("person").inc()

    def _turn_on(
        self,
        connection: Connection,
        inbound: Inbound,
        now: datetime,
        queue_replies: bool,
        accepted: bool,
        failed: bool = False,
    ) -> tuple[Turn, bool]:
        """One turn in the caller's transaction; the turn, and whether it asked for a person."""
        if not store.claim_receipt(connection, inbound, now, accepted=accepted):
            return Turn(replies=[], outbox_ids=[], duplicate=True), False
        contact = store.load_contact(
            connection, inbound, now, language=self.settings.default_language
        )
        waited_for_a_person = contact.needs_human
        text = (inbound.text or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL
        ctx = Context(
            connection=connection,
            contact=contact,
            inbound=inbound,
            text=text[:MAX_TEXT],
            simple=intents.simplify(text[:MAX_TEXT]),
            now=now,
            settings=self.settings,
            areas=self.areas,
        )
        if failed:
            ctx.finish()
            ctx.say(ctx.t("common.error"))
            show_menu(ctx)
        else:
            self._dispatch(ctx, text)
            ctx.flush()
        ids = store.save_turn(
            connection,
            contact=contact,
            inbound=inbound,
            stored_text=text[:MAX_STORED],
            replies=ctx.replies,
            queue_replies=queue_replies,
            complaint_id=ctx.complaint_id,
            language_changed=ctx.language_changed,
            now=now,
        )
        escalated = contact.needs_human and not waited_for_a_person
        return Turn(replies=ctx.replies, outbox_ids=ids, contact_id=contact.id), escalated

    def _dispatch(self, ctx: Context, text: str) -> None:
        if len(text) > MAX_TEXT:
            ctx.say(ctx.t("common.too_long", length=len(text), limit=MAX_TEXT))
            return
        if not text and not ctx.inbound.media and ctx.inbound.location is None:
            ctx.say(ctx.t("common.empty"))
            show_menu(ctx)
            return
        self._expire_stale_flow(ctx)
        _follow_language(ctx)
        if ctx.contact.needs_human and not ctx.contact.flow and handoff.take(ctx):
            return  # waiting for a person: the message is for staff
        if attachments.take(ctx):
            return  # files or a location, recorded and acknowledged (flows/attachments.py)
        if self._global_command(ctx):
            return
        ctx.choice = _picked_choice(ctx)
        if ctx.choice and self._global_choice(ctx):
            return
        step = STEPS.get((ctx.contact.flow or "", ctx.contact.step or ""))
        if step is not None:
            step(ctx)
            return
        self._idle(ctx)

    def _expire_stale_flow(self, ctx: Context) -> None:
        contact = ctx.contact
        timeout = timedelta(minutes=self.settings.conversation_timeout_minutes)
        if contact.flow == "satisfaction":  # waits days for its answer, then ends unsaid
            if rating.is_stale(ctx):
                ctx.finish()
            return
        if (
            contact.flow
            and contact.state_updated_at
            and ctx.now - contact.state_updated_at > timeout
        ):
            ctx.finish()
            ctx.say(ctx.t("common.expired", minutes=self.settings.conversation_timeout_minutes))

    def _global_command(self, ctx: Context) -> bool:
        """Words that mean the same anywhere in a conversation."""
        simple = ctx.simple
        if simple in intents.STOP_WORDS:
            subscribe.stop(ctx)
        elif simple in intents.RESUME_WORDS and not ctx.contact.flow:
            subscribe.resume(ctx) if ctx.contact.opted_out else show_menu(ctx)
        elif simple in intents.MENU_WORDS or simple in intents.CANCEL_WORDS or ctx.text == "?":
            if ctx.contact.flow and simple in intents.CANCEL_WORDS:
                ctx.say(ctx.t("common.cancelled"))
            ctx.finish()
            show_menu(ctx)
        elif simple in intents.ENGLISH_WORDS - {"en"} or simple == "english":
            menu.set_language(ctx, "en")
        elif simple in {"bahasa indonesia", "indonesia"}:
            menu.set_language(ctx, "id")
        elif (ticket := parse_ticket(ctx.text, self.settings.ticket_prefix)) and (
            not ctx.contact.flow or ctx.contact.flow == "status" or simple.startswith("status")
        ):
            status.show(ctx, ticket)
        else:
            return False
        return True

    def _global_choice(self, ctx: Context) -> bool:
        """Buttons that start something new wherever the customer was."""
        kind, _, value = (ctx.choice or "").partition(":")
        if kind == "menu" and value in MENU_ACTIONS:
            ctx.finish()
            MENU_ACTIONS[value](ctx)
        elif kind == "sub" and (area := self.areas.get(value)):
            subscribe.add(ctx, area)
        elif kind == "complain" and self.areas.get(value):
            complaint.start(ctx, area_code=value)
        elif kind == "lang" and value in {"id", "en"}:
            menu.set_language(ctx, value)
        else:
            return False
        return True

    def _idle(self, ctx: Context) -> None:
        """Free text outside any flow: understood, answered, prefilled (flows/idle.py)."""
        idle.answer(ctx)


def _follow_language(ctx: Context) -> None:
    """Answer in the language the customer writes in, and remember it on the contact."""
    if " " not in ctx.simple:
        return  # one word ("ok", "hello", "menu") says nothing about the language
    language = language_of(ctx.text)
    if language and language != ctx.contact.language:
        ctx.contact.language = language
        ctx.language_changed = True


def _picked_choice(ctx: Context) -> str | None:
    """Map '2', a button's value or its label back to the choice last offered."""
    offered = ctx.data.get("_choices") or []
    text = ctx.text.strip()
    if text.isdecimal() and 1 <= int(text) <= len(offered):
        return offered[int(text) - 1][0]
    lowered = text.lower()
    for value, label in offered:
        if text == value or lowered == label.lower():
            return value
    if ":" in text and text.split(":", 1)[0] in {
        "menu",
        "sub",
        "complain",
        "lang",
        "area",
        "cat",
        "ticket",
    }:
        return text  # a button from an older message
    if not offered and text.isdecimal() and 1 <= int(text) <= len(MENU_ACTIONS) - 1:
        return f"menu:{list(MENU_ACTIONS)[int(text)]}"
    return None
