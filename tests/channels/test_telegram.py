"""Telegram end to end: webhook in, the real engine, the outbox, sendMessage out to the fake."""

from __future__ import annotations

import json
import re

import pytest
from sqlmodel import Session, func, select

from channels.telegram import command_text, parse_update
from db.models import Complaint, Contact, InboundReceipt, Message
from tests.channels.conftest import PUBLIC, TG_SECRET, TelegramCustomer, wait_until
from tests.fakes._telegram_wire import BLOCKED_BY_USER, too_many_requests
from tests.fakes.telegram_updates import telegram_update

TICKET = re.compile(r"ADU-\d{6}")
CHAT = 777001


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_start_registers_the_webhook_with_its_secret(service):
    webhook = wait_until(lambda: service.tg.webhook, what="setWebhook")
    assert webhook["url"] == PUBLIC + "/webhooks/telegram"
    assert webhook["secret_token"] == TG_SECRET
    assert "callback_query" in webhook["allowed_updates"]
    assert service.tg.calls_to("getMe")


def test_a_customer_files_a_complaint_checks_it_subscribes_and_stops(service):
    budi = TelegramCustomer(service, CHAT)
    budi.send(text="/start")
    [menu] = budi.new_messages()
    assert "Pilih layanan" in menu["text"]
    assert "Buat pengaduan" in menu["button_labels"]
    complaint_button = menu["callback_data"][menu["button_labels"].index("Buat pengaduan")]

    budi.send(callback_data=complaint_button)
    [categories] = budi.new_messages()
    assert service.tg.callback_answers(), "the button's spinner is stopped"
    no_water = categories["callback_data"][0]
    assert "Tulis nama desa" in budi.tap(no_water)
    assert "alamat lengkap" in budi.say("Tatah Bangkal")
    assert "Ceritakan masalahnya" in budi.say("Jl. Tatah Bangkal RT 3, dekat langgar")
    budi.send(text="Sejak subuh air tidak keluar", photo_file_id="AgACAgUAAxkBAAIBfoto")
    [summary] = budi.new_messages()
    assert "Masalah: Air tidak mengalir" in summary["text"]
    answer = budi.tap(summary["callback_data"][0])  # Kirim
    ticket = TICKET.search(answer).group(0)

    status = budi.say("/status")
    assert ticket in status
    assert ticket in budi.say(f"/status {ticket}")

    budi.say("/menu")
    budi.say("4")
    assert "Kecamatan Aluh Aluh" in budi.say("aluh2")
    assert "tidak akan menerima info gangguan lagi" in budi.say("/stop")

    with Session(service.engine) as session:
        contact = session.exec(select(Contact)).one()
        complaint = session.exec(select(Complaint)).one()
    assert (contact.channel, contact.channel_user_id) == ("telegram", str(CHAT))
    assert contact.display_name == "Budi Santoso"
    assert contact.opted_out is True
    assert complaint.ticket_number == ticket
    assert complaint.media_ref == "AgACAgUAAxkBAAIBfoto"  # the largest size's file_id


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", TG_SECRET + "x"])
def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_stored(service, secret):
    response = service.telegram(telegram_update(1, CHAT, text="halo"), secret=secret)
    assert response.status_code == 403
    assert count(service.engine, Message) == 0
    assert count(service.engine, InboundReceipt) == 0
    assert count(service.runtime.channels.journal, InboundReceipt) == 0
    assert count(service.engine, Contact) == 0


def test_a_redelivered_update_changes_nothing(service):
    budi = TelegramCustomer(service, CHAT)
    for text in ["/start", "2", "1", "Tatah Bangkal", "Jl. Mawar 1", "lewati", "air mati"]:
        budi.say(text)
    update = budi.send(text="1")  # Kirim
    assert TICKET.search(budi.read())
    messages = count(service.engine, Message)
    for _ in range(3):
        assert service.telegram(update).status_code == 200
    service.settle()
    assert count(service.engine, Complaint) == 1
    assert count(service.engine, Message) == messages
    assert budi.read() == ""  # no second answer


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b"{}",
        b'{"update_id": "12"}',
        b'{"update_id": 5, "callback_query": {"data": "x"}}',
        b"\xff\xfe",
    ],
)
def test_malformed_bodies_get_400_never_500(service, body):
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}
    response = service.client.post("/webhooks/telegram", content=body, headers=headers)
    assert response.status_code == 400
    assert count(service.engine, Message) == 0


def test_deeply_nested_json_gets_400_never_500(service):
    """Depth 1000 in 2 kB: Python's parser gives up (RecursionError), which was a 500."""
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}
    body = b'{"update_id": 5, "message": ' + b"[" * 1000 + b"]" * 1000 + b"}"
    response = service.client.post("/webhooks/telegram", content=body, headers=headers)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    assert count(service.engine, Message) == 0


def test_nul_and_lone_surrogates_in_an_update_are_dropped_and_the_customer_answered(service):
    """NUL failed every turn on PostgreSQL, a lone surrogate on SQLite: no answer at all."""
    update = service.next_update(CHAT, text="halo\x00 \ud800", from_name="Budi\x00 \udfff")
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"}
    body = json.dumps(update)  # "\ud800" escaped, as a JSON sender may write it
    assert (
        service.client.post("/webhooks/telegram", content=body, headers=headers).status_code == 200
    )
    service.settle()
    assert "Pilih layanan" in service.tg.sent_messages(CHAT)[0]["text"]
    with Session(service.engine) as session:
        contact = session.exec(select(Contact)).one()
        stored = session.exec(select(Message.text).where(Message.direction == "in")).one()
    assert contact.display_name == "Budi \ufffd" and stored == "halo \ufffd"


def test_updates_with_nothing_to_answer_are_acknowledged(service):
    edited = {"update_id": 9, "edited_message": {"message_id": 1, "chat": {"id": 1}, "text": "x"}}
    group = telegram_update(10, -100200, text="halo")
    group["message"]["chat"]["type"] = "group"
    for update in (edited, group):
        assert service.telegram(update).status_code == 200
    assert count(service.engine, Message) == 0


def test_a_customer_who_blocked_the_bot_is_marked_unreachable(service):
    service.tg.block_chat(CHAT, BLOCKED_BY_USER)
    TelegramCustomer(service, CHAT).send(text="halo")
    with Session(service.engine) as session:
        contact = session.exec(select(Contact)).one()
        reply = session.exec(select(Message).where(Message.direction == "out")).one()
    assert contact.active is False
    assert reply.status == "failed"
    assert "blocked" in reply.last_error


def test_blocking_the_bot_in_telegram_marks_the_contact_inactive(service):
    TelegramCustomer(service, CHAT).say("halo")
    kicked = {
        "update_id": 50,
        "my_chat_member": {
            "chat": {"id": CHAT, "type": "private"},
            "from": {"id": CHAT, "is_bot": False, "first_name": "Budi"},
            "date": 0,
            "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True}},
            "new_chat_member": {"status": "kicked", "user": {"id": 1, "is_bot": True}},
        },
    }
    assert service.telegram(kicked).status_code == 200
    with Session(service.engine) as session:
        assert session.exec(select(Contact)).one().active is False


def test_a_429_storm_delays_replies_but_loses_none(service):
    service.tg.fail_next(too_many_requests(1), times=4, method="sendMessage")
    chats = [TelegramCustomer(service, CHAT + n) for n in range(5)]
    for chat in chats:
        response = service.telegram(service.next_update(chat.chat_id, text="halo"))
        assert response.status_code == 200
    service.settle(timeout=20)
    for chat in chats:
        [menu] = chat.new_messages()
        assert "Pilih layanan" in menu["text"]
    with Session(service.engine) as session:
        replies = session.exec(select(Message).where(Message.direction == "out")).all()
    assert {r.status for r in replies} == {"sent"}
    assert all(r.attempts <= 1 for r in replies)  # a 429 is not the message's fault


def test_polling_mode_without_a_public_url(make_service):
    service = make_service(public_base_url=None)
    wait_until(lambda: service.tg.calls_to("getUpdates"), what="long polling")
    assert service.tg.calls_to("deleteWebhook")
    service.tg.queue_update(telegram_update(1, CHAT, text="/start"))
    wait_until(lambda: service.tg.sent_messages(CHAT), what="the menu")
    service.tg.queue_update(telegram_update(1, CHAT, text="/start"))  # redelivered
    service.tg.queue_update(telegram_update(2, CHAT, text="menu"))
    wait_until(lambda: len(service.tg.sent_messages(CHAT)) == 2, what="the second menu")
    assert count(service.engine, InboundReceipt) == 2


@pytest.mark.parametrize(
    ("typed", "engine_sees"),
    [
        ("/start", "menu"),
        ("/start ref123", "menu"),
        ("/menu", "menu"),
        ("/MENU@KabarAirBot", "menu"),
        ("/status", "status"),
        ("/status ADU-000123", "status ADU-000123"),
        ("/stop", "STOP"),
        ("/unknown", "/unknown"),
        ("air mati", "air mati"),
    ],
)
def test_commands_become_words_the_engine_understands(typed, engine_sees):
    assert command_text(typed) == engine_sees


def test_a_callback_query_becomes_its_value_from_the_chat():
    update = parse_update(telegram_update(3, CHAT, callback_data="menu:complaint"))
    assert update.inbound.text == "menu:complaint"
    assert update.inbound.sender_id == str(CHAT)
    assert update.inbound.raw_id == "3"
    assert update.callback_query_id


def test_location_and_shared_phone_are_kept():
    data = telegram_update(4, CHAT, latitude=-3.4, longitude=114.8, contact_phone="+6281255")
    inbound = parse_update(data).inbound
    assert (inbound.location.latitude, inbound.location.longitude) == (-3.4, 114.8)
    assert inbound.phone == "+6281255"
