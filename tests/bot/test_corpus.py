"""The understanding module against 308 labelled customer messages (tests/bot/corpus)."""

from __future__ import annotations

import pytest

from areas.index import AreaIndex
from areas.reference import read_service_areas
from tests.bot.corpus.scoring import Score, read_corpus, score

TARGET = 0.95


@pytest.fixture(scope="module")
def result() -> Score:
    return score(AreaIndex.from_records(read_service_areas()))


def test_the_corpus_is_all_there() -> None:
    rows = read_corpus()
    assert len(rows) == 308
    assert {row["lang"] for row in rows} == {"id", "bjn", "en"}


def test_intent_accuracy(result: Score) -> None:
    assert result.intent_accuracy >= TARGET, "\n".join(result.mistakes)


def test_slot_precision_and_recall(result: Score) -> None:
    assert result.precision() >= TARGET, "\n".join(result.mistakes)
    assert result.recall() >= TARGET, "\n".join(result.mistakes)


def test_english_is_told_from_indonesian_and_banjar(result: Score) -> None:
    assert result.read_as_english == result.english_right  # nothing else is taken for English
    assert result.english_right >= 0.7 * result.english  # one-word "bye", "help" stay open
