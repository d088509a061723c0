"""Answers in the console: editors add, edit and remove entries (audited); the bot answers from
them at once; agents cannot change them."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from areas.reference import load_area_index
from bot.engine import ConversationEngine
from db.models import Answer, AuditLog
from tests.bot.conftest import Customer
from tests.staff.factories import console_app, csrf_of, signed_in

FORM = {
    "question": "Lowongan kerja",
    "question_en": "Job vacancies",
    "answer": "Lowongan kerja diumumkan di papan pengumuman kantor pusat.",
    "answer_en": "Vacancies are posted on the head office notice board.",
    "examples": "ada lowongan kerja\nbuka lowongan\nrekrutmen pegawai",
    "examples_en": "are you hiring\njob vacancy",
    "note": "",
}


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


@pytest.fixture
def customer(engine, settings) -> Customer:
    areas = load_area_index(engine)
    return Customer(ConversationEngine(engine=engine, settings=settings, areas=areas), "6281")


def actions(engine) -> list[tuple[str, str | None]]:
    with Session(engine) as session:
        rows = session.exec(select(AuditLog).order_by(col(AuditLog.id))).all()
        return [(row.action, row.target_id) for row in rows if row.action != "login"]


def entry_id(engine, question: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Answer).where(Answer.question == question)).one()
        assert found.id is not None
        return found.id


def test_the_list_shows_the_starter_entries_and_what_is_left_to_complete(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    page = client.get("/staff/answers")
    assert page.status_code == 200
    assert "Jam buka kantor pelayanan" in page.text and "Tarif air" in page.text
    assert "perlu dilengkapi" in page.text
    form = client.get(f"/staff/answers/{entry_id(engine, 'Alamat kantor')}")
    assert "PERLU DILENGKAPI: tulis alamat kantor pusat" in form.text


def test_an_editor_adds_edits_and_removes_an_entry_and_the_bot_follows(app, engine, customer):
    client = signed_in(app, engine, "eddy", "editor")
    assert "belum punya jawaban" in customer.say("apakah ada lowongan kerja?")

    token = csrf_of(client.get("/staff/answers/new").text)
    added = client.post("/staff/answers", data=FORM | {"csrf_token": token})
    assert added.status_code == 200 and "Tersimpan" in added.text
    assert "Lowongan kerja" in added.text
    answer_id = entry_id(engine, "Lowongan kerja")
    assert "papan pengumuman kantor pusat" in customer.say("apakah ada lowongan kerja?")

    page = client.get(f"/staff/answers/{answer_id}")
    changed = FORM | {
        "answer": "Lowongan kerja diumumkan di situs resmi PTAM.",
        "csrf_token": csrf_of(page.text),
    }
    edited = client.post(f"/staff/answers/{answer_id}", data=changed)
    assert edited.status_code == 200
    assert "situs resmi PTAM" in customer.say("apakah ada lowongan kerja?")

    page = client.get(f"/staff/answers/{answer_id}")
    removed = client.post(
        f"/staff/answers/{answer_id}/remove", data={"csrf_token": csrf_of(page.text)}
    )
    assert removed.status_code == 200 and "Dihapus" in removed.text
    assert "Lowongan kerja" not in removed.text
    assert "belum punya jawaban" in customer.say("apakah ada lowongan kerja?")
    assert client.get(f"/staff/answers/{answer_id}").status_code == 404

    assert actions(engine) == [
        ("answer.create", str(answer_id)),
        ("answer.update", str(answer_id)),
        ("answer.remove", str(answer_id)),
    ]
    audit = signed_in(app, engine, "sari", "supervisor").get("/staff/audit")
    assert "Jawaban ditambahkan" in audit.text and "Jawaban diubah" in audit.text
    assert "Jawaban dihapus" in audit.text and "Yang diubah: Jawaban" in audit.text


def test_a_form_without_the_english_answer_is_refused_beside_the_field(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    token = csrf_of(client.get("/staff/answers/new").text)
    refused = client.post("/staff/answers", data=FORM | {"answer_en": "", "csrf_token": token})
    assert refused.status_code == 400
    assert 'data-error="answer_en"' in refused.text and "wajib diisi" in refused.text
    assert "papan pengumuman kantor pusat" in refused.text  # what was typed stays
    assert actions(engine) == []
    with Session(engine) as session:
        assert session.exec(select(Answer).where(Answer.question == "Lowongan kerja")).all() == []


def test_editors_can_try_a_question_against_the_entries(app, engine):
    client = signed_in(app, engine, "eddy", "editor")
    tried = client.get("/staff/answers", params={"try": "berapa biaya pasang baru?"})
    assert (
        f'data-tried="{entry_id(engine, "Pasang sambungan baru: syarat, langkah dan biaya")}"'
        in (tried.text)
    )
    none = client.get("/staff/answers", params={"try": "siapa nama direktur?"})
    assert 'data-tried=""' in none.text


def test_an_agent_cannot_see_or_change_the_answers(app, engine):
    agent = signed_in(app, engine, "agus", "agent")
    assert agent.get("/staff/answers").status_code == 403
    answer_id = entry_id(engine, "Tarif air")
    token = csrf_of(agent.get("/staff/inbox").text)
    edit = agent.post(f"/staff/answers/{answer_id}", data=FORM | {"csrf_token": token})
    remove = agent.post(f"/staff/answers/{answer_id}/remove", data={"csrf_token": token})
    assert edit.status_code == 403 and remove.status_code == 403
    with Session(engine) as session:
        entry = session.get(Answer, answer_id)
        assert entry.question == "Tarif air" and entry.removed_at is None
    assert actions(engine) == []
    assert "/staff/answers" not in agent.get("/staff/inbox").text
