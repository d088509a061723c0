"""Console pages for the answers the bot gives to common questions: list, try, add, edit, remove.

Editors (and supervisors and admins) keep them; every change goes through the one action helper
with its audit line, and the bot answers from the database, so a saved change counts at once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from accounts.actions import Target
from accounts.audit import AuditAction
from accounts.deps import SessionDep
from accounts.roles import ANSWERS
from answers import service
from answers.matching import best_answer, live_entries
from answers.service import AnswerInput
from core.errors import DomainError
from core.http_limits import RowId
from core.texts import t
from db.models import Answer, Staff
from db.types import utcnow
from staff.web import PageError, act, language, page_role, redirect, render

router = APIRouter(prefix="/staff", include_in_schema=False)
Editor = Annotated[Staff, Depends(page_role(*ANSWERS))]
FLASHES = {"saved", "removed"}
FIELDS = ("question", "question_en", "answer", "answer_en", "examples", "examples_en", "note")


class AnswerForm:
    """The fields of the answer form, as posted."""

    def __init__(
        self,
        question: Annotated[str, Form(max_length=1000)] = "",
        question_en: Annotated[str, Form(max_length=1000)] = "",
        answer: Annotated[str, Form(max_length=5000)] = "",
        answer_en: Annotated[str, Form(max_length=5000)] = "",
        examples: Annotated[str, Form(max_length=10000)] = "",
        examples_en: Annotated[str, Form(max_length=10000)] = "",
        note: Annotated[str, Form(max_length=5000)] = "",
    ) -> None:
        self.data = AnswerInput(
            question, question_en, answer, answer_en, examples, examples_en, note
        )

    def values(self) -> dict[str, str]:
        return {name: getattr(self.data, name) for name in FIELDS}


def _answer(session: Session, answer_id: int) -> Answer:
    try:
        return service.get_answer(session=session, answer_id=answer_id)
    except DomainError:
        raise PageError(404, "not_found") from None


def _form_page(
    request: Request,
    staff: Staff,
    form: dict[str, Any],
    answer: Answer | None,
    errors: dict[str, str] | None = None,
) -> Response:
    context = {"form": form, "answer": answer, "errors": errors or {}}
    return render(
        request, "answer_form.html", context, staff=staff, status_code=400 if errors else 200
    )


@router.get("/answers")
def answers_page(
    request: Request,
    session: SessionDep,
    staff: Editor,
    question: Annotated[str, Query(alias="try", max_length=500)] = "",
) -> Response:
    """Every entry, those still to be completed marked; and a box to try a customer's question."""
    tried = None
    if question.strip():
        found = best_answer(live_entries(session.connection()), question)
        tried = {"question": question, "id": found.entry.id if found else None}
    key = request.query_params.get("ok")
    context = {
        "answers": service.list_answers(session=session),
        "tried": tried,
        "flash": t(language(request, staff), f"staff.{key}") if key in FLASHES else None,
    }
    return render(request, "answers.html", context, staff=staff)


@router.get("/answers/new")
def new_answer(request: Request, staff: Editor) -> Response:
    return _form_page(request, staff, {}, None)


@router.post("/answers")
def create_answer(
    request: Request, session: SessionDep, staff: Editor, form: Annotated[AnswerForm, Depends()]
) -> Response:
    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.answer_create,
        target=lambda answer: Target("answer", answer.id),
        do=lambda: service.create_answer(
            session=session, data=form.data, staff=staff, now=utcnow()
        ),
        detail=lambda answer: {"question": answer.question},
        refused=lambda errors: _form_page(request, staff, form.values(), None, errors),
        then=lambda _: redirect("/staff/answers", ok="saved"),
    )


@router.get("/answers/{answer_id}")
def edit_answer(request: Request, answer_id: RowId, session: SessionDep, staff: Editor) -> Response:
    answer = _answer(session, answer_id)
    form = {name: getattr(answer, name) for name in FIELDS}
    return _form_page(request, staff, form, answer)


@router.post("/answers/{answer_id}")
def update_answer(
    request: Request,
    answer_id: RowId,
    session: SessionDep,
    staff: Editor,
    form: Annotated[AnswerForm, Depends()],
) -> Response:
    answer = _answer(session, answer_id)
    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.answer_update,
        target=Target("answer", answer_id),
        do=lambda: service.update_answer(
            session=session, answer=answer, data=form.data, staff=staff, now=utcnow()
        ),
        detail=lambda changed: {"question": answer.question, "changed": changed},
        refused=lambda errors: _form_page(
            request, staff, form.values(), _answer(session, answer_id), errors
        ),
        then=lambda _: redirect("/staff/answers", ok="saved"),
    )


@router.post("/answers/{answer_id}/remove")
def remove_answer(
    request: Request, answer_id: RowId, session: SessionDep, staff: Editor
) -> Response:
    answer = _answer(session, answer_id)
    question = answer.question
    return act(
        request,
        session=session,
        staff=staff,
        action=AuditAction.answer_remove,
        target=Target("answer", answer_id),
        do=lambda: service.remove_answer(session=session, answer=answer, staff=staff, now=utcnow()),
        detail={"question": question},
        refused=lambda errors: _form_page(
            request, staff, {n: getattr(answer, n) for n in FIELDS}, answer, errors
        ),
        then=lambda _: redirect("/staff/answers", ok="removed"),
    )
