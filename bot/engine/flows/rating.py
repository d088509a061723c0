"""After a resolution: the customer's 1–5 rating, then an optional comment, then thanks.

complaints/satisfaction.py asks and marks the conversation; this reads the answers. "5",
"4 bagus", "mantap 5", "lima" are ratings; anything else ("status", a new complaint, a question)
ends the wait and is answered as if no question had been asked, so the customer is never
trapped. The wait ends by itself after satisfaction.WAIT, without a word.
"""

from __future__ import annotations

from bot.engine.context import Context
from bot.engine.flows import idle
from bot.engine.intents import WORD
from bot.engine.manner import is_skip
from channels.messages import Choice
from complaints import satisfaction
from complaints.satisfaction import Recorded

NUMBER_WORDS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "ampat": 4,
    "lima": 5,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
}
NO_COMMENT = {"tidak", "tdk", "gak", "ga", "nggak", "enggak", "kada", "no", "nope", "cukup"}
# Intents that mean the customer wants something else, not to leave a comment.
ELSEWHERE = frozenset(
    {"complaint_status", "human", "subscribe", "unsubscribe", "resubscribe", "menu", "language"}
)

NOT_A_RATING = ELSEWHERE | {"complaint", "outage_check", "already_reported"}


def rating_in(text: str) -> int | None:
    """The one rating a message gives ("4 bagus", "mantap 5", "lima", "5/5"), else None."""
    words = WORD.findall(text.lower())
    found: set[int] = set()
    for word in words:
        if word.isdecimal():
            if len(word) > 1 or not 1 <= int(word) <= 5:
                return None  # a ticket, a phone number, "10": not a rating
            found.add(int(word))
        elif word in NUMBER_WORDS:
            found.add(NUMBER_WORDS[word])
    return found.pop() if len(found) == 1 else None


def _rating_said(ctx: Context) -> int | None:
    rating = rating_in(ctx.text)
    if rating is None or ctx.text.strip().isdecimal():
        return rating
    # "air mati lagi dua hari" is a new complaint, not a 2
    return None if ctx.understood.intent in NOT_A_RATING else rating


def is_stale(ctx: Context) -> bool:
    """The question was asked longer ago than the wait lasts."""
    updated = ctx.contact.state_updated_at
    return updated is not None and ctx.now - updated > satisfaction.WAIT


def rating_step(ctx: Context) -> None:
    kind, _, value = (ctx.choice or "").partition(":")
    rating = int(value) if kind == "rate" and value.isdecimal() else _rating_said(ctx)
    complaint_id = int(ctx.data.get("complaint_id") or 0)
    if rating is None or not complaint_id:
        ctx.finish()  # something else: no trap, the message is answered as it stands
        idle.answer(ctx)
        return
    ticket = satisfaction.ticket_of(session=ctx.session, complaint_id=complaint_id)
    outcome = satisfaction.record(
        session=ctx.session,
        complaint_id=complaint_id,
        contact_id=ctx.contact.id,
        rating=rating,
        now=ctx.now,
    )
    ctx.finish()
    if outcome == Recorded.ALREADY:
        ctx.say(ctx.t("satisfaction.already", ticket=ticket))
    elif outcome == Recorded.SAVED:
        ctx.go(satisfaction.FLOW, satisfaction.COMMENT_STEP)
        ctx.data["complaint_id"] = complaint_id
        skip = Choice(ctx.t("satisfaction.skip"), "skip")
        ctx.say(ctx.t("satisfaction.comment", rating=rating, ticket=ticket), [skip])
    else:
        idle.answer(ctx)


def comment_step(ctx: Context) -> None:
    complaint_id = int(ctx.data.get("complaint_id") or 0)
    ctx.finish()
    ticket = satisfaction.ticket_of(session=ctx.session, complaint_id=complaint_id)
    if ctx.choice == "skip" or is_skip(ctx.text) or ctx.simple in NO_COMMENT:
        ctx.say(ctx.t("satisfaction.thanks", ticket=ticket))
        return
    if ctx.understood.intent in ELSEWHERE:
        idle.answer(ctx)
        return
    satisfaction.add_comment(
        session=ctx.session, complaint_id=complaint_id, contact_id=ctx.contact.id, text=ctx.text
    )
    ctx.say(ctx.t("satisfaction.thanks", ticket=ticket))
