"""Acknowledge first, answer after: what a provider and a customer see of channels.intake."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from bot.engine import ConversationEngine
from channels.dead_letters import dead_letters
from channels.intake import accept, accept_many, mark_done, prune, waiting
from channels.messages import Inbound
from db.models import Contact, InboundReceipt
from tests.channels.intake_worker import mark_processed, run_worker
from tests.fakes.telegram_updates import telegram_update


def test_a_stored_message_is_stored_once(engine):
    message = Inbound("telegram", "9001", "halo", raw_id="555")
    assert accept(engine, message) is True
    assert accept(engine, message) is False
    assert [m.text for m in waiting(engine)] == ["halo"]


def test_messages_stored_while_the_service_was_down_are_answered_on_start(journal, make_service):
    accept(journal, Inbound("telegram", "424242", "halo", raw_id="7001", display_name="Siti"))
    accept(journal, Inbound("telegram", "424242", "1", raw_id="7002"))
    service = make_service()
    service.settle()
    texts = [m["text"] for m in service.tg.sent_messages(424242)]
    assert "Pilih layanan" in texts[0]
    assert "Tulis nama desa" in texts[1]
    assert waiting(journal) == []


def test_a_message_answered_just_before_a_crash_is_not_answered_again(
    engine, journal, make_service
):
    """The turn committed, then the process died before the journal heard it was done."""
    halo = Inbound("telegram", "515151", "halo", raw_id="8001", display_name="Rina")
    accept(journal, halo)
    service = make_service()
    service.settle()
    assert len(service.tg.sent_messages(515151)) == 1
    if journal is engine:  # PostgreSQL: the journal row is the receipt, marked by the turn
        with Session(engine) as session:
            assert session.get(InboundReceipt, ("telegram", "8001")).processed_at is not None
        return
    with journal.begin() as connection:  # SQLite's side file: as if it never heard
        connection.execute(update(InboundReceipt).values(processed_at=None))
    service.runtime.channels.intake.wake()
    service.settle()
    assert waiting(journal) == []
    assert len(service.tg.sent_messages(515151)) == 1


def test_a_message_that_fails_is_set_aside_at_once_and_the_next_is_answered(engine):
    attempts: list[str] = []
    answered: list[str] = []

    def handle(inbound: Inbound, *, accepted: bool) -> None:
        attempts.append(inbound.text)
        if inbound.text == "poison":
            raise RuntimeError("cannot take this one")
        answered.append(inbound.text)
        mark_processed(engine, inbound)

    accept(engine, Inbound("whatsapp", "whatsapp:+628111", "poison", raw_id="SM1"))
    accept(engine, Inbound("whatsapp", "whatsapp:+628111", "halo", raw_id="SM2"))
    run_worker(engine, handle, until=lambda: bool(answered))
    assert answered == ["halo"]
    assert attempts == ["poison", "halo"]  # tried once, never again in line
    assert waiting(engine) == []
    assert [(d.raw_id, d.failure) for d in dead_letters(engine)] == [
        ("SM1", "builtins.RuntimeError")
    ]


def test_a_burst_is_stored_together_and_a_redelivery_inside_it_counts_once(engine):
    from channels.intake import accept_many

    first = Inbound("whatsapp", "whatsapp:+628111", "halo", raw_id="SMa")
    other = Inbound("whatsapp", "whatsapp:+628222", "menu", raw_id="SMb")
    assert accept_many(engine, [first, other, first]) == [True, True, False]
    assert accept_many(engine, [other]) == [False]
    assert [m.raw_id for m in waiting(engine)] == ["SMa", "SMb"]


def test_a_webhook_is_acknowledged_while_another_writer_holds_the_main_database(
    engine, make_service
):
    """A 100,000-row fan-out or a staff save must not make providers wait (or redeliver)."""
    service = make_service()
    contacts = Contact.__table__
    with engine.begin() as busy:  # on SQLite: the main file's one write lock, held
        busy.execute(update(contacts).values(needs_human=False))
        response = service.telegram(telegram_update(1, 616161, text="halo"))
        assert response.status_code == 200
    service.settle()
    assert "Pilih layanan" in service.tg.sent_messages(616161)[0]["text"]


def test_messages_taken_up_days_ago_are_pruned_from_the_journal_and_waiting_ones_kept(journal):
    old, waiting_one = (
        Inbound("telegram", "717171", "halo", raw_id="9001"),
        Inbound("telegram", "717171", "menu", raw_id="9002"),
    )
    accept_many(journal, [old, waiting_one])
    mark_done(journal, [old])
    assert prune(journal, now=datetime.now(UTC) + timedelta(days=1)) == 0
    assert prune(journal, now=datetime.now(UTC) + timedelta(days=4)) == 1
    assert accept(journal, old) is True  # forgotten by the journal (the receipt stays in main)
    assert [m.raw_id for m in waiting(journal)] == ["9002", "9001"]


def test_replies_go_out_while_a_burst_is_still_being_answered(
    engine, journal, make_service, fake_telegram, monkeypatch
):
    """The first customers of a burst hear back before the last ones are answered: the
    sender's claims and results are not starved by the conversation's turns. (On SQLite
    they once waited in SQLite's busy handler, whose sleeps rarely met a gap between turns,
    so replies left only after the whole burst had been turned.)"""
    customers = range(880_000, 880_100)
    sent_before_turn: list[int] = []
    turn_on = ConversationEngine._turn_on

    def heavy_turn(
        conversation: ConversationEngine, connection: Any, *args: Any, **kwargs: Any
    ) -> Any:
        """A turn, then 10 ms more in its transaction (the main database's write lock held)."""
        sent_before_turn.append(len(fake_telegram.sent_messages()))
        turn = turn_on(conversation, connection, *args, **kwargs)
        connection.execute(update(Contact).where(col(Contact.id) == -1).values(active=True))
        time.sleep(0.01)
        return turn

    monkeypatch.setattr(ConversationEngine, "_turn_on", heavy_turn)
    accept_many(
        journal,
        [Inbound("telegram", str(chat), "halo", raw_id=f"b{chat}") for chat in customers],
    )
    service = make_service(telegram_rate_per_second=0, telegram_rate_per_chat_per_second=0)
    service.settle(timeout=60)
    assert all("Pilih layanan" in service.tg.sent_messages(chat)[0]["text"] for chat in customers)
    assert len(sent_before_turn) == len(customers)
    replies = len(service.tg.sent_messages())
    assert sent_before_turn[-1] >= replies * 0.6  # most went out while the burst was worked on


def test_one_failing_message_in_a_burst_gets_the_apology_and_the_rest_their_answers(
    journal, make_service, monkeypatch
):
    """A burst is answered a run at a time in one transaction; a step that fails in a run
    undoes the run, whose messages are then answered one by one: nobody is left unanswered
    or answered twice."""
    from bot.engine.flows import outage

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database went away")

    monkeypatch.setattr(outage, "disruptions_for_area", broken)
    customers = range(890_000, 890_040)
    unlucky = 890_020
    accept_many(
        journal,
        [
            Inbound("telegram", str(c), "gangguan di gambut barat" if c == unlucky else "halo",
                    raw_id=f"f{c}")
            for c in customers
        ],
    )  # fmt: skip
    service = make_service()
    service.settle()
    apology = "\n".join(m["text"] for m in service.tg.sent_messages(unlucky))
    assert "terjadi gangguan pada sistem kami" in apology
    for chat in customers:
        if chat != unlucky:
            [reply] = service.tg.sent_messages(chat)  # once, not twice
            assert "Pilih layanan" in reply["text"]
    assert waiting(journal) == []
