"""Which answer a customer's question asks for: fuzzy word overlap with the example questions.

Each entry's question and examples (both languages) are folded the way customers write
("brp" is "berapa", "kah" and "ya" say nothing) and compared word by word, forgiving typos
and Indonesian affixes ("diminum" ~ "minum"). An example scores by how much of it the message
contains and how much of the message it explains (an F-measure); the best entry above
`THRESHOLD` is the answer. Entries are read from the database on every lookup, so an edit in
the console is answered from at once; what is folded from a row is cached by the row's values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, select

from db.models import Answer

ANSWER = Answer.__table__
LIVE = select(
    ANSWER.c.id,
    ANSWER.c.topic,
    ANSWER.c.question,
    ANSWER.c.question_en,
    ANSWER.c.answer,
    ANSWER.c.answer_en,
    ANSWER.c.examples,
    ANSWER.c.examples_en,
).where(ANSWER.c.removed_at.is_(None))

THRESHOLD = 0.6  # tuned on tests/bot/corpus: every question answered, no complaint taken
WORD_MATCH = 80.0  # rapidfuzz ratio at which two words count as the same word
WORD = re.compile(r"[a-z0-9]+")
# The same word as customers type it.
SPELLINGS = {
    "brp": "berapa", "barapa": "berapa", "brapa": "berapa", "brpa": "berapa",
    "dmn": "mana", "dimana": "mana", "dmna": "mana", "manakah": "mana",
    "gmn": "bagaimana", "gimana": "bagaimana", "gmna": "bagaimana", "kaya": "bagaimana",
    "skrg": "sekarang", "skrang": "sekarang", "wayahini": "sekarang",
    "kntr": "kantor", "bs": "bisa", "kawa": "bisa", "bisakah": "bisa",
    "tdk": "tidak", "gak": "tidak", "ga": "tidak", "gk": "tidak", "nggak": "tidak",
    "kada": "tidak", "enggak": "tidak", "bayi2": "bayi", "buat": "untuk", "utk": "untuk",
    "pdam": "ptam", "banyu": "air", "minum2": "minum", "sambung": "sambungan",
    "pasang2": "pasang", "byr": "bayar", "tagihan2": "tagihan", "rek": "rekening",
}  # fmt: skip
# Words that carry no question of their own.
FILLER = {
    "ya", "yah", "kah", "lah", "dong", "sih", "nih", "deh", "kak", "min", "mas", "mba", "mbak",
    "pak", "bu", "bang", "pian", "ulun", "sy", "saya", "aku", "kami", "kita", "anda", "di",
    "ke", "dari", "tidak", "yang", "yg", "itu", "ini", "dan", "atau", "apa", "apakah", "mau",
    "ingin", "tolong", "mohon", "info", "tanya", "nanya", "halo", "haja", "aja", "saja", "nang",
    "gin", "pang", "lagi", "lg", "juga", "jua", "air", "ptam",
    "the", "a", "an", "is", "are", "do", "does", "i", "my", "you", "your", "to", "of", "for",
    "in", "please", "water", "how", "much", "what", "when", "where", "can",
}  # fmt: skip
PARTICLES = ("kah", "lah", "nya")


@dataclass(frozen=True, slots=True)
class Entry:
    """An answer as the matcher holds it: both texts and the folded ways of asking."""

    id: int
    topic: str | None
    answer: str
    answer_en: str
    phrasings: tuple[tuple[str, ...], ...]

    def text(self, language: str) -> str:
        return self.answer_en if language == "en" and self.answer_en else self.answer


@dataclass(frozen=True, slots=True)
class Found:
    entry: Entry
    score: float


def words(text: str) -> tuple[str, ...]:
    """The words of a question that say what it asks: 'Jam brp kantor buka kah?' → jam berapa
    kantor buka."""
    folded = unicodedata.normalize("NFKD", text.lower())
    found = []
    for word in WORD.findall(folded):
        for particle in PARTICLES:
            if len(word) > len(particle) + 3 and word.endswith(particle):
                word = word[: -len(particle)]
                break
        word = SPELLINGS.get(word, word)
        if word not in FILLER:
            found.append(word)
    return tuple(dict.fromkeys(found))


@lru_cache(maxsize=512)
def entry_of(row: tuple[Any, ...]) -> Entry:
    """An entry from its row's values, in `LIVE`'s order (cached: an edited row is a new key)."""
    id_, topic, question, question_en, answer, answer_en, examples, examples_en = row
    lines = [question, question_en, *examples.splitlines(), *examples_en.splitlines()]
    phrasings = tuple(dict.fromkeys(w for w in map(words, lines) if w))
    return Entry(id_, topic, answer, answer_en, phrasings)


def live_entries(connection: Connection) -> list[Entry]:
    """Every entry customers are answered from, as it is in the database now."""
    return [entry_of(tuple(row)) for row in connection.execute(LIVE)]


def _matches(asked: tuple[str, ...], vocabulary: set[str]) -> dict[str, set[int]]:
    """For each word of the entries, which words of the message are the same word.

    Short words must be equal; longer ones may differ by a typo or an affix. rapidfuzz
    compares each message word with the whole vocabulary in one call.
    """
    found: dict[str, set[int]] = {}
    for index, word in enumerate(asked):
        if word in vocabulary:
            found.setdefault(word, set()).add(index)
        if len(word) < 4:
            continue
        for other, _, _ in process.extract(
            word, vocabulary, scorer=fuzz.ratio, score_cutoff=WORD_MATCH, limit=None
        ):
            if len(other) >= 4:
                found.setdefault(other, set()).add(index)
    return found


def _overlap(asked: tuple[str, ...], phrasing: tuple[str, ...], same: dict[str, set[int]]) -> float:
    """How well one phrasing fits the message: the F-measure of words found on each side."""
    hits = [same[word] for word in phrasing if word in same]
    if not hits:
        return 0.0
    explained = set().union(*hits)
    recall, precision = len(hits) / len(phrasing), len(explained) / len(asked)
    return 2 * recall * precision / (recall + precision)


def best_answer(entries: Iterable[Entry], text: str, *, topic: str | None = None) -> Found | None:
    """The entry the message asks for, or None when none fits well enough.

    `topic`: what the message was already understood to ask about (a starter topic); the
    entry of that topic answers it when there is one.
    """
    entries = list(entries)
    if topic:
        for entry in entries:
            if entry.topic == topic:
                return Found(entry, 1.0)
    asked = words(text)
    if not asked:
        return None
    same = _matches(asked, {word for entry in entries for p in entry.phrasings for word in p})
    scored = [
        Found(entry, max((_overlap(asked, p, same) for p in entry.phrasings), default=0.0))
        for entry in entries
    ]
    best = max(scored, key=lambda found: found.score, default=None)
    return best if best is not None and best.score >= THRESHOLD else None
