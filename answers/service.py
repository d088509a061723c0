"""Editing the answers: list, add, change and remove entries, checked the one way for every door."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TypedDict

from sqlmodel import Session, col, select

from core.errors import DomainError, Problem
from db.models import Answer, Staff
from db.rows import saved_id

MAX_QUESTION = 200
MAX_ANSWER = 1500  # WhatsApp through Twilio takes 1,600 characters
MAX_EXAMPLES = 30
MAX_EXAMPLE = 200
MAX_NOTE = 1000


class Fields(TypedDict):
    """An entry's editable fields, checked and cleaned."""

    question: str
    question_en: str
    answer: str
    answer_en: str
    examples: str
    examples_en: str
    note: str


@dataclass(frozen=True, slots=True)
class AnswerInput:
    """An entry as an editor wrote it; examples are one question per line."""

    question: str
    question_en: str
    answer: str
    answer_en: str
    examples: str = ""
    examples_en: str = ""
    note: str = ""


def list_answers(*, session: Session) -> list[Answer]:
    """The entries customers are answered from, in the order they were added."""
    statement = select(Answer).where(col(Answer.removed_at).is_(None)).order_by(col(Answer.id))
    return list(session.exec(statement))


def get_answer(*, session: Session, answer_id: int) -> Answer:
    answer = session.get(Answer, answer_id)
    if answer is None or answer.removed_at is not None:
        raise DomainError.of(None, "answer_not_found", id=answer_id)
    return answer


def create_answer(
    *, session: Session, data: AnswerInput, staff: Staff | None, now: datetime
) -> Answer:
    answer = Answer(**_checked(data), created_at=now, updated_at=now)
    answer.updated_by = staff.id if staff is not None else None
    session.add(answer)
    session.flush()
    return answer


def update_answer(
    *, session: Session, answer: Answer, data: AnswerInput, staff: Staff | None, now: datetime
) -> list[str]:
    """Change an entry; returns the names of the fields that changed (for the audit line)."""
    checked = _checked(data)
    changed = [name for name, value in checked.items() if getattr(answer, name) != value]
    for name in changed:
        setattr(answer, name, checked[name])  # type: ignore[literal-required]
    answer.updated_at = now
    answer.updated_by = staff.id if staff is not None else None
    session.add(answer)
    session.flush()
    return changed


def remove_answer(*, session: Session, answer: Answer, staff: Staff | None, now: datetime) -> int:
    """Take an entry out of the bot's answers (its row stays, so a starter is not seeded again)."""
    answer.removed_at = now
    answer.updated_at = now
    answer.updated_by = staff.id if staff is not None else None
    session.add(answer)
    session.flush()
    return saved_id(answer)


def _checked(data: AnswerInput) -> Fields:
    """The entry cleaned (spaces, blank and repeated example lines), or every problem at once."""
    problems: list[Problem] = []

    def text(field: str, value: str, limit: int, *, required: bool) -> str:
        value = (value or "").replace("\r\n", "\n").strip()
        if required and not value:
            problems.append(Problem(field, "required"))
        elif len(value) > limit:
            problems.append(Problem(field, "at_most", {"limit": limit, "length": len(value)}))
        return value

    def lines(field: str, value: str) -> str:
        found = list(dict.fromkeys(line.strip() for line in (value or "").splitlines()))
        found = [line for line in found if line]
        if len(found) > MAX_EXAMPLES:
            problems.append(Problem(field, "too_many_lines", {"most": MAX_EXAMPLES}))
        for line in found:
            if len(line) > MAX_EXAMPLE:
                problems.append(Problem(field, "line_too_long", {"limit": MAX_EXAMPLE}))
                break
        return "\n".join(found)

    checked: Fields = {
        "question": text("question", data.question, MAX_QUESTION, required=True),
        "question_en": text("question_en", data.question_en, MAX_QUESTION, required=True),
        "answer": text("answer", data.answer, MAX_ANSWER, required=True),
        "answer_en": text("answer_en", data.answer_en, MAX_ANSWER, required=True),
        "examples": lines("examples", data.examples),
        "examples_en": lines("examples_en", data.examples_en),
        "note": text("note", data.note, MAX_NOTE, required=False),
    }
    if problems:
        raise DomainError(*problems)
    return checked
