"""A message that fails is set aside at once (channels.dead_letters): its sender is told,
everyone else is answered without waiting, and staff list and retry it through the API.

Before, a failing message was retried five times in line (0.5 + 1 + 2 + 4 s of pauses):
twenty customers behind it waited 9 s, and the bad one was never answered at all.
"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from channels.dead_letters import dead_letters
from channels.intake import accept, waiting
from channels.messages import Inbound
from db.models import AuditLog, Contact
from tests.channels.conftest import wait_until
from tests.channels.intake_worker import mark_processed, run_worker
from tests.staff.factories import add_staff, api_token

BAD_CHAT, ENGLISH_CHAT = 990001, 990002
CUSTOMERS = range(990100, 990120)
RETRIES_IN_LINE = 0.5 + 1 + 2 + 4  # what the old worker paused before giving up on a message
SORRY_ID = "Maaf, pesan terakhir Anda tidak dapat kami proses"
SORRY_EN = "Sorry, we could not process your last message"


def _poison(service, *, texts: set[str]) -> list[str]:
    """Make the conversation fail on these texts; returns the texts it was handed alone.

    A run of messages with one of them in it fails as the conversation's does when a step
    fails (nothing kept: `ConversationEngine.handle_run`), so each is then handed alone."""
    intake = service.runtime.channels.intake
    real, real_run, seen = intake.handle, intake.handle_run, []

    def handle(inbound: Inbound, **options):
        seen.append(inbound.text)
        if inbound.text in texts:
            raise ValueError("A string literal cannot contain NUL (0x00) characters.")
        return real(inbound, **options)

    def handle_run(inbounds: list[Inbound], **options) -> bool:
        assert real_run is not None
        return not any(i.text in texts for i in inbounds) and real_run(inbounds, **options)

    intake.handle, intake.handle_run = handle, handle_run
    return seen


def _english_contact(engine) -> None:
    with Session(engine) as session:
        session.add(Contact(channel="telegram", channel_user_id=str(ENGLISH_CHAT), language="en"))
        session.commit()


def test_a_poison_message_is_set_aside_and_twenty_customers_are_answered_at_once(
    make_service, engine
):
    service = make_service()
    _english_contact(engine)
    seen = _poison(service, texts={"racun", "poison"})
    started = time.monotonic()
    service.telegram(service.next_update(BAD_CHAT, text="racun"))
    service.telegram(service.next_update(ENGLISH_CHAT, text="poison"))
    for chat in CUSTOMERS:
        assert service.telegram(service.next_update(chat, text="halo")).status_code == 200
    wait_until(lambda: all(service.tg.sent_messages(chat) for chat in CUSTOMERS), 20, "answers")
    elapsed = time.monotonic() - started
    assert elapsed < RETRIES_IN_LINE, f"twenty customers waited {elapsed:.1f} s"
    assert seen.count("racun") == 1 and seen.count("poison") == 1  # never retried in line
    sorry = wait_until(lambda: service.tg.sent_messages(BAD_CHAT), what="the apology")
    assert SORRY_ID in sorry[0]["text"]
    english = wait_until(lambda: service.tg.sent_messages(ENGLISH_CHAT), what="the apology")
    assert SORRY_EN in english[0]["text"]


def test_staff_list_and_retry_a_dead_letter(make_service, engine):
    service = make_service()
    admin = TestClient(service.client.app)
    admin.headers["Authorization"] = (
        f"Bearer {api_token(engine, add_staff(engine, 'eka', 'admin'))}"
    )
    agent = api_token(engine, add_staff(engine, "siti", "agent"))
    intake = service.runtime.channels.intake
    real, real_run = intake.handle, intake.handle_run
    _poison(service, texts={"racun"})
    update = service.next_update(BAD_CHAT, text="racun")
    service.telegram(update)
    wait_until(lambda: service.tg.sent_messages(BAD_CHAT), what="the apology")

    listed = admin.get("/api/v1/intake/dead-letters").json()
    assert [(d["channel"], d["raw_id"], d["preview"]) for d in listed] == [
        ("telegram", str(update["update_id"]), "racun")
    ]
    assert listed[0]["failure"] == "builtins.ValueError"
    forbidden = service.client.get(
        "/api/v1/intake/dead-letters", headers={"Authorization": f"Bearer {agent}"}
    )
    assert forbidden.status_code == 403

    intake.handle, intake.handle_run = real, real_run  # the cause is fixed
    retried = admin.post(f"/api/v1/intake/dead-letters/telegram/{update['update_id']}/retry")
    assert retried.status_code == 200 and retried.json() == {"queued": True}
    answers = wait_until(lambda: service.tg.sent_messages(BAD_CHAT)[1:], what="the real answer")
    assert "Pilih layanan" in answers[0]["text"] or "mengerti" in answers[0]["text"]
    assert admin.get("/api/v1/intake/dead-letters").json() == []
    again = admin.post(f"/api/v1/intake/dead-letters/telegram/{update['update_id']}/retry")
    assert again.status_code == 404
    with Session(engine) as session:  # the retry is in the audit trail, the 404 is not
        lines = session.exec(select(AuditLog).where(AuditLog.action == "dead_letter.retry")).all()
    assert [(line.target_type, line.target_id) for line in lines] == [
        ("dead_letter", f"telegram:{update['update_id']}")
    ]
    assert lines[0].detail == {"via": "api"}


def test_a_passing_failure_pauses_only_its_sender_and_keeps_their_order(engine):
    """A locked database for one message: the others go ahead; that sender's next message
    waits behind it, and both are answered once it passes."""
    answered: list[str] = []
    failures = {"A1": 1}

    def handle(inbound: Inbound, *, accepted: bool) -> None:
        if failures.get(inbound.raw_id, 0):
            failures[inbound.raw_id] -= 1
            raise OperationalError("UPDATE contact", {}, Exception("database is locked"))
        assert inbound.raw_id is not None
        answered.append(inbound.raw_id)
        mark_processed(engine, inbound)

    accept(engine, Inbound("telegram", "111", "halo", raw_id="A1"))
    accept(engine, Inbound("telegram", "111", "1", raw_id="A2"))
    accept(engine, Inbound("telegram", "222", "halo", raw_id="B1"))
    run_worker(engine, handle, until=lambda: len(answered) == 3, polls=100)
    assert answered == ["B1", "A1", "A2"]
    assert waiting(engine) == [] and dead_letters(engine) == []
