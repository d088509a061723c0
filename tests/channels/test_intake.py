"""Acknowledge first, answer after: what a provider and a customer see of channels.intake."""

from __future__ import annotations

import asyncio

from sqlmodel import Session, select

from channels.intake import IntakeWorker, accept, waiting
from channels.messages import Inbound
from db.models import InboundReceipt


def test_a_stored_message_is_stored_once(engine):
    message = Inbound("telegram", "9001", "halo", raw_id="555")
    assert accept(engine, message) is True
    assert accept(engine, message) is False
    assert [m.text for m in waiting(engine)] == ["halo"]


def test_messages_stored_while_the_service_was_down_are_answered_on_start(engine, make_service):
    accept(engine, Inbound("telegram", "424242", "halo", raw_id="7001", display_name="Siti"))
    accept(engine, Inbound("telegram", "424242", "1", raw_id="7002"))
    service = make_service()
    service.settle()
    texts = [m["text"] for m in service.tg.sent_messages(424242)]
    assert "Pilih layanan" in texts[0]
    assert "Tulis nama desa" in texts[1]
    assert waiting(engine) == []


def test_a_message_that_keeps_failing_is_set_aside_and_the_next_is_answered(engine):
    answered: list[str] = []

    def handle(inbound: Inbound, *, accepted: bool) -> None:
        if inbound.text == "poison":
            raise RuntimeError("cannot take this one")
        answered.append(inbound.text)
        with Session(engine) as session:
            receipt = session.get(InboundReceipt, (inbound.channel, inbound.raw_id))
            receipt.processed_at = receipt.received_at
            session.add(receipt)
            session.commit()

    async def blocking(function, *args, **kwargs):
        return function(*args, **kwargs)

    async def run() -> None:
        worker = IntakeWorker(
            engine=engine, handle=handle, blocking=blocking, answered=lambda: None
        )
        worker.start()
        for _ in range(200):
            await asyncio.sleep(0.05)
            if answered:
                break
        await worker.stop()

    accept(engine, Inbound("whatsapp", "whatsapp:+628111", "poison", raw_id="SM1"))
    accept(engine, Inbound("whatsapp", "whatsapp:+628111", "halo", raw_id="SM2"))
    asyncio.run(run())
    assert answered == ["halo"]
    with Session(engine) as session:
        unanswered = session.exec(
            select(InboundReceipt).where(InboundReceipt.processed_at.is_(None))
        ).all()
    assert unanswered == []


def test_a_burst_is_stored_together_and_a_redelivery_inside_it_counts_once(engine):
    from channels.intake import accept_many

    first = Inbound("whatsapp", "whatsapp:+628111", "halo", raw_id="SMa")
    other = Inbound("whatsapp", "whatsapp:+628222", "menu", raw_id="SMb")
    assert accept_many(engine, [first, other, first]) == [True, True, False]
    assert accept_many(engine, [other]) == [False]
    assert [m.raw_id for m in waiting(engine)] == ["SMa", "SMb"]
