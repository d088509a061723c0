"""The fakes, driven through the real python-telegram-bot and twilio clients."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Conflict, Forbidden, RetryAfter
from twilio.base.exceptions import TwilioRestException
from twilio.request_validator import RequestValidator

from channels.twilio_client import BaseUrlHttpClient, make_twilio_client
from tests.fakes._server import FakeServer, Request, Response
from tests.fakes.telegram_api import (
    CHAT_NOT_FOUND,
    MESSAGE_NOT_MODIFIED,
    FakeTelegramApi,
    too_many_requests,
)
from tests.fakes.telegram_updates import WEBHOOK_SECRET_HEADER, telegram_update
from tests.fakes.twilio_api import OUTSIDE_WINDOW, FakeTwilioApi
from tests.fakes.twilio_api import too_many_requests as twilio_429
from tests.fakes.twilio_webhooks import signed_whatsapp_form

CUSTOMER = "whatsapp:+6281234567890"
SENDER = "whatsapp:+14155238886"


class Receiver(FakeServer):
    """Stands in for our app's webhook endpoint: records what the fakes POST to it."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Request] = []

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        return Response(200, b"{}")


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Ya", callback_data="ok:1"),
                InlineKeyboardButton("Tidak", callback_data="no:1"),
            ]
        ]
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


# --- Telegram ----------------------------------------------------------------------------------


def test_get_me_and_send_message_records_buttons(fake_telegram: FakeTelegramApi) -> None:
    async def scenario() -> telegram.Message:
        async with fake_telegram.bot() as bot:  # initialize() calls getMe
            assert bot.username == "KabarAirBot"
            return await bot.send_message(6281, "Air mati besok?", reply_markup=keyboard())

    message = run(scenario())

    assert message.message_id == 1 and message.chat.id == 6281
    assert message.reply_markup == keyboard()
    [sent] = fake_telegram.sent_messages(6281)
    assert sent["text"] == "Air mati besok?"
    assert sent["button_labels"] == ["Ya", "Tidak"]
    assert sent["callback_data"] == ["ok:1", "no:1"]
    assert [c.method for c in fake_telegram.calls] == ["getMe", "sendMessage"]


# PTB 22 warns that RetryAfter.retry_after will become a timedelta; either is fine here.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_scripted_errors_raise_ptbs_real_exceptions(fake_telegram: FakeTelegramApi) -> None:
    fake_telegram.fail_next(too_many_requests(2), method="sendMessage")  # not initialize's getMe
    fake_telegram.block_chat(1)
    fake_telegram.fail_next(CHAT_NOT_FOUND, chat_id=2)

    async def scenario() -> list[Exception]:
        errors: list[Exception] = []
        async with fake_telegram.bot() as bot:
            for chat_id in (3, 1, 2):
                try:
                    await bot.send_message(chat_id, "halo")
                except telegram.error.TelegramError as exc:
                    errors.append(exc)
            await bot.send_message(2, "sekarang bisa")  # the chat-not-found was for one call
        return errors

    retry, blocked, not_found = run(scenario())
    assert isinstance(retry, RetryAfter)
    assert retry.retry_after in (2, timedelta(seconds=2))
    assert isinstance(blocked, Forbidden) and "blocked by the user" in blocked.message.lower()
    assert isinstance(not_found, BadRequest) and "chat not found" in not_found.message.lower()
    assert [m["chat_id"] for m in fake_telegram.sent_messages()] == [2]


def test_get_updates_honours_offset_and_parses_as_updates(fake_telegram: FakeTelegramApi) -> None:
    fake_telegram.queue_update(
        telegram_update(10, 77, text="/start"),
        telegram_update(11, 77, photo_file_id="PHOTO-A", caption="pipa bocor"),
        telegram_update(12, 77, callback_data="ok:1", message_id=5),
    )

    async def scenario() -> tuple[tuple[Update, ...], tuple[Update, ...], bytes]:
        async with fake_telegram.bot() as bot:
            first = await bot.get_updates(timeout=1)
            rest = await bot.get_updates(offset=12, timeout=0)
            photo_message = first[1].message
            assert photo_message is not None
            file = await bot.get_file(photo_message.photo[-1].file_id)
            return first, rest, bytes(await file.download_as_bytearray())

    first, rest, content = run(scenario())
    assert [u.update_id for u in first] == [10, 11, 12]
    assert first[0].message.text == "/start" and first[0].message.entities[0].type == "bot_command"
    assert first[1].message.caption == "pipa bocor"
    assert (
        first[2].callback_query.data == "ok:1" and first[2].callback_query.message.message_id == 5
    )
    assert [u.update_id for u in rest] == [12]
    assert content.startswith(b"\xff\xd8")


def test_edit_markup_and_answer_callback(fake_telegram: FakeTelegramApi) -> None:
    async def scenario() -> None:
        async with fake_telegram.bot() as bot:
            message = await bot.send_message(5, "Pilih:", reply_markup=keyboard())
            await bot.answer_callback_query("cq-1", text="Terima kasih")
            await bot.edit_message_reply_markup(5, message.message_id, reply_markup=None)
            with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
                await bot.edit_message_reply_markup(5, message.message_id, reply_markup=None)

    run(scenario())
    [sent] = fake_telegram.sent_messages(5)
    assert sent["edited"] and sent["buttons"] == []
    assert fake_telegram.callback_answers() == [
        {"callback_query_id": "cq-1", "text": "Terima kasih"}
    ]
    assert fake_telegram.calls[-1].error == MESSAGE_NOT_MODIFIED.description


def test_webhook_set_info_conflict_and_delivery(fake_telegram: FakeTelegramApi) -> None:
    with Receiver() as app:
        url = f"{app.url}/telegram/webhook"

        async def scenario() -> telegram.WebhookInfo:
            async with fake_telegram.bot() as bot:
                await bot.set_webhook(url, secret_token="rahasia")
                with pytest.raises(Conflict):
                    await bot.get_updates()
                return await bot.get_webhook_info()

        info = run(scenario())
        fake_telegram.deliver_to_webhook(telegram_update(1, 9, text="halo"))

    assert info.url == url
    [request] = app.requests
    assert request.headers[WEBHOOK_SECRET_HEADER.lower()] == "rahasia"
    assert json.loads(request.body)["message"]["text"] == "halo"


def test_slow_mode_delays_each_response() -> None:
    with FakeTelegramApi(delay_ms=150) as fake:
        started = time.perf_counter()
        run(_send_one(fake))
        assert time.perf_counter() - started >= 0.3  # getMe + sendMessage


async def _send_one(fake: FakeTelegramApi) -> None:
    async with fake.bot() as bot:
        await bot.send_message(1, "lambat")


def test_stop_cuts_long_polls_short_and_leaves_no_threads() -> None:
    before = set(threading.enumerate())
    with FakeTelegramApi(max_long_poll=10) as fake:
        url = f"{fake.base_url}{fake.token}/getUpdates"
        poller = threading.Thread(target=httpx.post, args=(url,), kwargs={"data": {"timeout": 10}})
        poller.start()
        time.sleep(0.1)
        started = time.perf_counter()
    poller.join()
    assert time.perf_counter() - started < 2
    assert set(threading.enumerate()) <= before


# --- Twilio ------------------------------------------------------------------------------------


def test_create_message_is_recorded_and_fetchable(fake_twilio: FakeTwilioApi) -> None:
    client = fake_twilio.client()
    message = client.messages.create(
        to=CUSTOMER,
        from_=SENDER,
        content_sid="HX" + "a" * 32,
        content_variables=json.dumps({"1": "Senin"}),
        status_callback="https://example.test/twilio/status",
    )

    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert message.status == "queued" and message.error_code is None
    [sent] = fake_twilio.sent_messages(to=CUSTOMER)
    assert sent["content_variables"] == {"1": "Senin"} and sent["from"] == SENDER
    assert client.messages(message.sid).fetch().to == CUSTOMER


def test_twilio_errors_raise_twilio_rest_exception(fake_twilio: FakeTwilioApi) -> None:
    client = fake_twilio.client()
    fake_twilio.fail_next(OUTSIDE_WINDOW, to=CUSTOMER)
    fake_twilio.fail_next(twilio_429(3))

    with pytest.raises(TwilioRestException) as outside:
        client.messages.create(to=CUSTOMER, from_=SENDER, body="Halo")
    with pytest.raises(TwilioRestException) as busy:
        client.messages.create(to="whatsapp:+6281111111111", from_=SENDER, body="Halo")
    retry_after = client.http_client._test_only_last_response.headers["Retry-After"]
    client.messages.create(to=CUSTOMER, from_=SENDER, body="Halo lagi")

    assert (outside.value.code, outside.value.status) == (63016, 400)
    assert (busy.value.status, retry_after) == (429, "3")
    assert [s["body"] for s in fake_twilio.sent_messages()] == ["Halo lagi"]


def test_wrong_auth_token_is_401(fake_twilio: FakeTwilioApi) -> None:
    client = make_twilio_client(fake_twilio.account_sid, "wrong-token", fake_twilio.url)
    with pytest.raises(TwilioRestException) as exc:
        client.messages.create(to=CUSTOMER, from_=SENDER, body="Halo")
    assert (exc.value.status, exc.value.code) == (401, 20003)


def test_status_callback_is_signed_for_request_validator(fake_twilio: FakeTwilioApi) -> None:
    message = fake_twilio.client().messages.create(to=CUSTOMER, from_=SENDER, body="Halo")
    with Receiver() as app:
        url = f"{app.url}/twilio/status"
        fake_twilio.send_status_callback(url, message.sid, "undelivered", error_code=63016)

    [request] = app.requests
    params = dict(parse_qsl(request.body.decode()))
    signature = request.headers["x-twilio-signature"]
    assert RequestValidator(fake_twilio.auth_token).validate(url, params, signature)
    assert (params["MessageStatus"], params["ErrorCode"]) == ("undelivered", "63016")
    assert fake_twilio.client().messages(message.sid).fetch().status == "undelivered"


def test_signed_whatsapp_form_validates_and_tampering_fails() -> None:
    url = "https://kabar-air.example/webhooks/whatsapp"
    params, headers = signed_whatsapp_form(
        url,
        "token-123",
        body="Air keruh",
        media_urls=("https://x.test/a.jpg",),
        latitude=-8.58,
        longitude=116.1,
    )
    validator = RequestValidator("token-123")

    assert validator.validate(url, params, headers["X-Twilio-Signature"])
    assert not validator.validate(url, {**params, "Body": "lain"}, headers["X-Twilio-Signature"])
    assert params["NumMedia"] == "1" and params["MediaContentType0"] == "image/jpeg"
    assert params["WaId"] == "6281234567890" and params["Latitude"] == "-8.58"


def test_base_url_rewrite_touches_only_the_api_twilio_com_origin() -> None:
    http = BaseUrlHttpClient("http://127.0.0.1:9/")
    assert (
        http.rewrite("https://api.twilio.com/2010-04-01/x.json")
        == "http://127.0.0.1:9/2010-04-01/x.json"
    )
    assert (
        http.rewrite("https://api.twilio.com.evil.test/x") == "https://api.twilio.com.evil.test/x"
    )
    assert http.rewrite("https://messaging.twilio.com/v1/x") == "https://messaging.twilio.com/v1/x"
