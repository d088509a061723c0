"""Pushes reach everyone they should: a customer who subscribes while a notice is live is told
of it at once and hears what follows, the restoration included."""

from __future__ import annotations

from sqlmodel import Session, col, select

from db.models import Contact, Message, Push
from outage_notices import service
from tests.outage_notices.builders import (
    LOK_BAINTAN,
    add_contact,
    events_by_user,
    new_notice,
    wita,
)
from tests.outage_notices.test_pushes import act, publish, push_rows, tick


def told(engine, customer) -> list[str | None]:
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.channel_user_id == customer.sender))
        contact_id = contact.one().id
        query = select(col(Message.notice_event)).where(
            Message.contact_id == contact_id, col(Message.notice_id).is_not(None)
        )
        return list(session.exec(query.order_by(col(Message.id))))


def test_a_customer_who_subscribes_during_a_disruption_hears_it_and_its_end(customer, engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(
            session, now=wita(11, 9), kind="unplanned", starts_at=wita(11, 10), hours=6
        )
    publish(engine, notice.id, wita(11, 9))
    tick(engine, wita(11, 9))
    tick(engine, wita(11, 10))  # nobody subscribed yet: told to no one
    customer.now = wita(11, 11)
    customer.say("langganan")
    answer = customer.say("lok baintan")
    assert "Anda berlangganan info gangguan" in answer
    assert "Sedang berlangsung" in answer and "Perbaikan pipa transmisi" in answer
    assert told(engine, customer) == ["start"]
    act(engine, service.extend, notice.id, wita(11, 12), expected_end_at=wita(11, 20))
    tick(engine, wita(11, 12))
    act(engine, service.restore, notice.id, wita(11, 13))
    tick(engine, wita(11, 13))
    assert push_rows(engine, notice.id)["restore"][0] == "done"
    assert told(engine, customer) == ["start", "extend_1", "restore"]


def test_a_new_subscriber_is_told_of_planned_work_already_published(customer, engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=wita(11, 9), starts_at=wita(14, 8))
    publish(engine, notice.id, wita(11, 9))
    tick(engine, wita(11, 9))
    customer.now = wita(12, 10)
    customer.say("langganan")
    assert "Kecamatan Sungai Tabuk" in customer.say("sungai tabuk")
    answer = customer.say("1")
    assert "Pemeliharaan terencana: Perbaikan pipa transmisi" in answer
    assert "Kamis, 14 Mei 2026 pukul 08.00 WITA" in answer
    for moment in (wita(13, 8), wita(13, 8, 5), wita(14, 7), wita(14, 8)):
        tick(engine, moment)
    assert told(engine, customer) == ["publish", "reminder_24h", "reminder_1h"]


def test_a_customer_already_told_is_not_told_again_when_adding_a_desa(customer, engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=wita(11, 9), starts_at=wita(14, 8))
    publish(engine, notice.id, wita(11, 9))
    customer.now = wita(11, 10)
    customer.say("langganan")
    customer.say("sungai tabuk")
    assert "Perbaikan pipa transmisi" in customer.say("1")  # Kecamatan Sungai Tabuk
    customer.say("langganan")
    answer = customer.say("lok baintan")
    assert "Perbaikan pipa transmisi" not in answer
    tick(engine, wita(11, 10, 5))  # the publish push itself skips who was told already
    assert told(engine, customer) == ["publish"]


def test_a_restoration_nobody_heard_of_is_still_dropped(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "ani", LOK_BAINTAN)
        notice = new_notice(
            session, now=wita(11, 9), kind="unplanned", areas=("63.03.03",), starts_at=wita(11, 9)
        )
    publish(engine, notice.id, wita(11, 9))
    tick(engine, wita(11, 9))
    act(engine, service.restore, notice.id, wita(11, 12))
    tick(engine, wita(11, 12))
    assert push_rows(engine, notice.id)["restore"] == (
        "dropped",
        "no subscriber had been told of this notice",
    )
    with Session(engine) as session:
        assert events_by_user(session, notice.id) == {}
        assert session.exec(select(Push).where(Push.notice_id == notice.id)).all()
