"""Answer entries: checked one way, starters seeded once, matched as customers write."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, col, select

from answers import service
from answers.matching import best_answer, entry_of, words
from answers.service import AnswerInput
from answers.starters import STARTERS, ensure_starter_answers
from core.errors import DomainError
from db.models import Answer
from db.types import utcnow

GOOD = AnswerInput(
    question="Lowongan kerja",
    question_en="Jobs",
    answer="Diumumkan di kantor pusat.",
    answer_en="Posted at the head office.",
    examples=" ada lowongan \n\nada lowongan\nbuka lowongan kerja ",
)


def test_examples_are_cleaned_and_every_missing_field_is_named(engine):
    with Session(engine) as session:
        entry = service.create_answer(session=session, data=GOOD, staff=None, now=utcnow())
        assert entry.examples == "ada lowongan\nbuka lowongan kerja"
        bad = AnswerInput("", "", "x" * 1501, "", examples="\n".join(f"q{n}" for n in range(31)))
        with pytest.raises(DomainError) as refused:
            service.create_answer(session=session, data=bad, staff=None, now=utcnow())
    assert refused.value.keys() == {
        "question": "required",
        "question_en": "required",
        "answer": "at_most",
        "answer_en": "required",
        "examples": "too_many_lines",
    }


def test_an_update_reports_what_changed(engine):
    with Session(engine) as session:
        entry = service.create_answer(session=session, data=GOOD, staff=None, now=utcnow())
        changed = service.update_answer(
            session=session,
            answer=entry,
            data=replace(GOOD, answer="Lihat situs resmi."),
            staff=None,
            now=utcnow(),
        )
    assert changed == ["answer"]


def test_starters_are_seeded_once_and_a_removed_one_stays_removed(engine):
    assert ensure_starter_answers(engine) == 0  # the install already has them
    with Session(engine) as session:
        topics = session.exec(select(Answer.topic).order_by(col(Answer.id))).all()
        assert topics == [starter.topic for starter in STARTERS]
        tariff = session.exec(select(Answer).where(Answer.topic == "tariff")).one()
        service.remove_answer(session=session, answer=tariff, staff=None, now=utcnow())
        session.commit()
    assert ensure_starter_answers(engine) == 0
    with Session(engine) as session:
        assert "Tarif air" not in [a.question for a in service.list_answers(session=session)]


def test_every_starter_speaks_both_languages():
    for starter in STARTERS:
        assert starter.answer and starter.answer_en and starter.examples and starter.examples_en


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("Jam brp kantor buka kak?", "office_hours"),
        ("bayar rekening di mana aja?", "payment"),
        ("amankah airnya diminum?", "water_safety"),
        ("How much is a new connection?", "new_connection"),
        ("air mati di gambut", None),
        ("makasih ya", None),
    ],
)
def test_matching_forgives_how_customers_write(question, topic):
    entries = [
        entry_of((n, s.topic, s.question, s.question_en, s.answer, s.answer_en, s.examples,
                  s.examples_en))
        for n, s in enumerate(STARTERS)
    ]  # fmt: skip
    found = best_answer(entries, question)
    assert (found.entry.topic if found else None) == topic


def test_words_drop_fillers_and_fold_spellings():
    assert words("Jam brp kantor PDAM buka ya kak?") == ("jam", "berapa", "kantor", "buka")
