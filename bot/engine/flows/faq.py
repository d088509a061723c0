"""Questions with a known answer ("jam berapa kantor buka?"): the engine's one place to ask.

The engine calls `answer_question` for a message it did not take as a request it can act on
(a complaint, an outage check, a subscription...), before it says it did not understand.
Answers come from the `answer` table that editors keep in the console (answers/), read on
every question, so an edit is answered from at once.
"""

from __future__ import annotations

from answers.matching import best_answer, live_entries
from answers.starters import OFFICE_HOURS
from bot.engine.context import Context
from bot.engine.flows.menu import service_hours
from channels.messages import Choice

# A message that asks something: when no entry answers it, we say so instead of "not understood".
QUESTION_WORDS = {
    "berapa", "brp", "barapa", "kapan", "bagaimana", "gimana", "gmn", "dimana", "dmn",
    "mengapa", "kenapa", "apakah", "bisakah", "bolehkah", "kah",
}  # fmt: skip
OPENING_WORDS = {
    "apa", "siapa", "mana", "how", "what", "when", "where", "why", "which", "who", "can", "is",
    "are", "do", "does",
}  # fmt: skip


def answer_question(ctx: Context, text: str, *, topic: str | None = None) -> bool:
    """Answer `text` from the knowledge base; False when there is no answer to give.

    `topic`: the question's topic when it was already understood (office_hours, payment, ...).
    A question no entry answers gets an honest "we have no answer to that" and the offer of a
    person (True); anything else that matches nothing is left to the caller (False).
    """
    found = best_answer(live_entries(ctx.connection), text, topic=topic)
    choices = [
        Choice(ctx.t("menu.human"), "menu:human"),
        Choice(ctx.t("common.back_to_menu"), "menu:main"),
    ]
    if found is not None:
        answer = found.entry.text(ctx.lang).replace(OFFICE_HOURS, service_hours(ctx))
        ctx.say(answer, choices)
        return True
    if looks_like_a_question(text, ctx.simple):
        ctx.say(ctx.t("faq.no_answer"), choices)
        return True
    return False


def looks_like_a_question(text: str, simple: str) -> bool:
    words = simple.split()
    if "?" in text or (words and words[0] in OPENING_WORDS):
        return True
    return any(word in QUESTION_WORDS for word in words)
