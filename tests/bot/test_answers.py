"""Questions with a known answer: answered from the entries editors keep, at once after an edit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from answers import service
from answers.matching import best_answer, live_entries
from answers.service import AnswerInput
from db.models import Answer
from db.types import utcnow

CORPUS = Path(__file__).parent / "corpus" / "messages.jsonl"


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("jam berapa kantor pdam buka?", "Kantor pelayanan buka Senin–Jumat 08.00–16.00 WITA"),
        ("berapa biaya pasang baru?", "Langkah pasang sambungan baru"),
        ("aman kah diminum?", "Masak air sampai mendidih sebelum diminum"),
    ],
)
def test_the_issue_questions_are_answered_from_the_entries(customer, question, answered):
    answer = customer.say(question)
    assert answered in answer
    assert "belum mengerti" not in answer
    assert "1. Bicara dengan petugas" in answer and "2. Kembali ke menu" in answer
    assert "Cek gangguan air" not in answer  # not the whole menu again


def test_the_offered_person_is_one_number_away(customer, engine):
    customer.say("jam berapa kantor pdam buka?")
    assert "diteruskan ke petugas" in customer.say("1")


def test_an_english_customer_gets_the_english_answer(customer):
    customer.say("english")
    answer = customer.say("is the water safe to drink?")
    assert "Boil the water before drinking it" in answer
    assert "1. Talk to a person" in answer


def test_a_question_without_an_answer_says_so_and_offers_a_person(customer):
    answer = customer.say("apakah ptam sedang buka lowongan kerja?")
    assert "belum punya jawaban" in answer
    assert "1. Bicara dengan petugas" in answer
    assert "Cek gangguan air" not in answer
    assert "diteruskan ke petugas" in customer.say("1")


def test_gibberish_is_still_not_understood(customer):
    assert "belum mengerti" in customer.say("qwerty zxcv")


def _entry(engine, topic: str) -> Answer:
    with Session(engine) as session:
        return session.exec(select(Answer).where(Answer.topic == topic)).one()


def test_an_edit_is_answered_from_at_once_and_a_removal_too(customer, engine):
    assert "Kantor pelayanan buka" in customer.say("jam berapa kantor buka?")
    hours = _entry(engine, "office_hours")
    with Session(engine) as session:
        row = session.get(Answer, hours.id)
        data = AnswerInput(
            question=row.question,
            question_en=row.question_en,
            answer="Kantor buka Senin–Sabtu 07.30–15.00. Loket bayar tutup 14.00.",
            answer_en=row.answer_en,
            examples=row.examples,
            examples_en=row.examples_en,
        )
        service.update_answer(session=session, answer=row, data=data, staff=None, now=utcnow())
        session.commit()
    assert "Senin–Sabtu 07.30–15.00" in customer.say("jam berapa kantor buka?")
    with Session(engine) as session:
        row = session.get(Answer, hours.id)
        service.remove_answer(session=session, answer=row, staff=None, now=utcnow())
        session.commit()
    answer = customer.say("jam berapa kantor buka?")
    assert "Senin–Sabtu" not in answer and "belum punya jawaban" in answer


def test_a_new_entry_is_answered_from_its_examples(customer, engine):
    with Session(engine) as session:
        data = AnswerInput(
            question="Lowongan kerja",
            question_en="Jobs",
            answer="Lowongan diumumkan di papan pengumuman kantor pusat.",
            answer_en="Vacancies are posted on the head office notice board.",
            examples="ada lowongan kerja\nbuka lowongan",
        )
        service.create_answer(session=session, data=data, staff=None, now=utcnow())
        session.commit()
    assert "papan pengumuman" in customer.say("apakah ptam sedang buka lowongan kerja?")


def test_every_faq_message_of_the_corpus_finds_its_topic(engine):
    """The starter entries against the corpus: each question answered by the right entry, and
    no other message answered except complaints by 'how to report' (a harmless reply)."""
    with engine.connect() as connection:
        entries = live_entries(connection)
    wrong, taken = [], []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        message = json.loads(line)
        found = best_answer(entries, message["text"])
        if message["intent"] == "faq":
            if found is None or found.entry.topic != message["slots"]["faq_topic"]:
                wrong.append(message["text"])
        elif found is not None and not (
            message["intent"] == "complaint"
            and found.entry.topic in {"complaint_howto", "water_safety"}
        ):
            taken.append((message["text"], found.entry.topic))
    assert wrong == []
    assert taken == []
