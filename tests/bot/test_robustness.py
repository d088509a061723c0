"""Restarts, silence, and everything customers type that is not what we asked for."""

import pytest
from sqlmodel import Session, select

from areas.reference import load_area_index
from bot.engine import ConversationEngine
from db.models import Complaint, Message
from tests.bot.conftest import Customer


def test_a_half_finished_complaint_survives_a_restart(customer, engine, settings):
    customer.say("2")
    customer.say("1")
    customer.say("tatah bangkal")
    restarted = ConversationEngine(engine=engine, settings=settings, areas=load_area_index(engine))
    again = Customer(restarted, customer.sender)
    again.now = customer.now
    assert "Ceritakan masalahnya" in again.say("Jl. Tatah Bangkal RT 7")


def test_silence_for_thirty_minutes_drops_the_flow_and_says_so(customer, engine):
    customer.say("2")
    customer.say("1")
    customer.wait(minutes=31)
    answer = customer.say("Tatah Bangkal")
    assert "tidak ada balasan selama 30 menit" in answer
    assert "Alamat" not in answer
    assert "Tatah Bangkal" in answer  # the message is answered as a fresh question


def test_within_thirty_minutes_the_flow_continues(customer):
    customer.say("2")
    customer.say("1")
    customer.wait(minutes=29)
    assert "alamat lengkap" in customer.say("Tatah Bangkal")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀🙏",
        "?!?!...,,,",
        "'; DROP TABLE complaint; --",
        "1 OR 1=1",
        "<script>alert(1)</script>",
        "\x00\x01",
    ],
)
def test_odd_input_gets_a_helpful_answer(customer, text):
    answer = customer.say(text)
    assert answer
    assert "Traceback" not in answer
    assert "Pilih layanan" in answer or "belum mengerti" in answer


def test_ten_thousand_characters_get_a_polite_reply_and_are_kept(customer, engine):
    text = "air mati " * 1112
    answer = customer.say(text[:10000])
    assert "terlalu panjang (10000 karakter)" in answer
    with Session(engine) as session:
        stored = session.exec(select(Message).where(Message.direction == "in")).one()
    assert len(stored.text) == 10000


def test_sql_looking_text_is_stored_as_text_and_tables_survive(customer, engine):
    customer.say("2")
    customer.say("1")
    customer.say("tatah bangkal")
    customer.say("'); DELETE FROM complaint; --")
    customer.say("lewati")
    customer.say("x'); DROP TABLE message; --")
    customer.say("kirim")
    with Session(engine) as session:
        complaint = session.exec(select(Complaint)).one()
    assert complaint.address == "'); DELETE FROM complaint; --"


def test_a_failing_step_still_answers_and_keeps_the_message(customer, engine, monkeypatch):
    from bot.engine.flows import outage

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(outage, "disruptions_for_area", broken)
    answer = customer.say("gangguan di gambut barat")
    assert "terjadi gangguan pada sistem kami" in answer
    assert "Pilih layanan" in answer
    with Session(engine) as session:
        texts = session.exec(select(Message.text).where(Message.direction == "in")).all()
    assert texts == ["gangguan di gambut barat"]


def test_every_message_in_and_out_is_stored(customer, engine):
    customer.say("halo")
    customer.say("1")
    with Session(engine) as session:
        rows = session.exec(select(Message.direction, Message.status)).all()
    assert rows.count(("in", "received")) == 2
    assert rows.count(("out", "sent")) == 2


def test_replies_for_provider_channels_wait_in_the_outbox(conversation, engine):
    from channels.messages import Inbound

    turn = conversation.handle(Inbound("telegram", "777", "halo", raw_id="1"))
    with Session(engine) as session:
        queued = session.exec(select(Message).where(Message.direction == "out")).all()
    assert [m.id for m in queued] == turn.outbox_ids
    assert {m.status for m in queued} == {"pending"}
    assert queued[0].choices[0] == {
        "label": "Cek gangguan air di daerah saya",
        "value": "menu:outage",
    }


def test_a_run_of_messages_is_answered_as_one_by_one_in_order(conversation, engine):
    """The intake worker hands the conversation runs of stored messages (one commit each)."""
    from channels.messages import Inbound

    run = [
        Inbound("telegram", "71", "halo", raw_id="r1"),
        Inbound("telegram", "72", "status", raw_id="r2"),
        Inbound("telegram", "71", "1", raw_id="r3"),  # needs the state the first one left
    ]
    turns = conversation.handle_run(run)
    assert turns is not None
    assert "Pilih layanan" in turns[0].replies[0].text
    assert "Belum ada pengaduan" in turns[1].replies[0].text
    assert "Tulis nama desa" in turns[2].replies[0].text
    with Session(engine) as session:
        stored = session.exec(select(Message.text).where(Message.direction == "in")).all()
    assert stored == ["halo", "status", "1"]


def test_a_failing_step_in_a_run_keeps_nothing_of_it_and_one_by_one_all_are_answered(
    conversation, engine, monkeypatch
):
    from bot.engine.flows import outage
    from channels.messages import Inbound

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(outage, "disruptions_for_area", broken)
    run = [
        Inbound("telegram", "81", "halo", raw_id="f1"),
        Inbound("telegram", "82", "gangguan di gambut barat", raw_id="f2"),
    ]
    assert conversation.handle_run(run) is None
    with Session(engine) as session:
        assert session.exec(select(Message)).all() == []
    halo, outage_question = (conversation.handle(inbound) for inbound in run)
    assert "Pilih layanan" in halo.replies[0].text
    assert "terjadi gangguan pada sistem kami" in outage_question.replies[0].text
