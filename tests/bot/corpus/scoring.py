"""Scoring the understanding module against the labelled corpus (messages.jsonl).

Shared by tests/bot/test_corpus.py (the thresholds) and bench/bench_understanding.py (the figures).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from areas.index import AreaIndex
from bot.engine.understanding import understand

CORPUS = Path(__file__).resolve().parent / "messages.jsonl"


@dataclass
class Score:
    messages: int = 0
    intents_right: int = 0
    found: Counter[str] = field(default_factory=Counter)  # slot -> right values found
    extra: Counter[str] = field(default_factory=Counter)  # slot -> values found but wrong/absent
    missed: Counter[str] = field(default_factory=Counter)  # slot -> labelled values not found
    english_right: int = 0  # messages labelled English that were read as English
    english: int = 0
    read_as_english: int = 0
    upset_right: int = 0
    mistakes: list[str] = field(default_factory=list)

    @property
    def intent_accuracy(self) -> float:
        return self.intents_right / self.messages

    def precision(self, slot: str | None = None) -> float:
        right, wrong = self._counts(slot, self.extra)
        return right / (right + wrong) if right + wrong else 1.0

    def recall(self, slot: str | None = None) -> float:
        right, missed = self._counts(slot, self.missed)
        return right / (right + missed) if right + missed else 1.0

    def slots(self) -> list[str]:
        return sorted(set(self.found) | set(self.extra) | set(self.missed))

    def _counts(self, slot: str | None, other: Counter[str]) -> tuple[int, int]:
        if slot is None:
            return sum(self.found.values()), sum(other.values())
        return self.found[slot], other[slot]


def read_corpus(path: Path = CORPUS) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(index: AreaIndex, rows: list[dict] | None = None) -> Score:
    """Run every message through `understand` and compare with its labels."""
    result = Score()
    for row in rows if rows is not None else read_corpus():
        understood = understand(row["text"], areas=index)
        result.messages += 1
        intent = understood.intent or "out_of_scope"
        if intent == row["intent"]:
            result.intents_right += 1
        else:
            result.mistakes.append(f"intent {intent!r} for {row['intent']!r}: {row['text']}")
        got, expected = understood.slots(), row["slots"]
        for slot in set(got) | set(expected):
            if got.get(slot) == expected.get(slot):
                result.found[slot] += 1
                continue
            if slot in got:
                result.extra[slot] += 1
            if slot in expected:
                result.missed[slot] += 1
            result.mistakes.append(f"{slot} {got.get(slot)!r} for {expected.get(slot)!r}")
        english = understood.language == "en"
        result.english += row["lang"] == "en"
        result.english_right += english and row["lang"] == "en"
        result.read_as_english += english
        result.upset_right += understood.upset == bool(row.get("upset"))
    return result
