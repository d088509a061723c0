"""The webhooks fuzzed with what a forger holding the secret could send: never a 5xx, and
nothing taken in fails later in the conversation (no dead letter).

Telegram: the real secret, and updates of every shape: real-looking updates whose fields
are hostile text or the wrong type, odd nestings, and any JSON at all. Twilio: forms signed
with the account's token (twilio's RequestValidator, as Twilio signs them) carrying random
Body, From, MediaUrl, location and button values, and status callbacks with random ids.
Everything the webhooks took in is then answered by the running service before the checks.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from twilio.request_validator import RequestValidator

from channels.dead_letters import dead_letters
from tests.channels.conftest import PUBLIC, TG_SECRET, Service
from tests.fakes.telegram_updates import WEBHOOK_SECRET_HEADER, telegram_update
from tests.fakes.twilio_webhooks import new_sid, signed_whatsapp_form
from tests.fuzz.hostile import (
    CASES,
    FORM,
    FUZZ,
    HUGE,
    NUMBERS,
    SPECIALS,
    errors_logged,
    form_body,
    hostile_json,
    hostile_scalar,
    hostile_text,
)

pytestmark = pytest.mark.slow  # a few hundred cases each: longer than the fast tier allows

TELEGRAM_EXAMPLES = 300
TWILIO_EXAMPLES = 300
CHATS = [777001, 777002, 777003]  # a few customers, so conversations go on between cases
SETTLE_SECONDS = 120.0
CORPUS = SPECIALS + HUGE
TWILIO_FIELDS = ["NumMedia", "Latitude", "Longitude", "Address", "ButtonPayload", "ButtonText"]
TWILIO_FIELDS += ["WaId", "MessageType", "ChannelMetadata", "MediaContentType0"]


# -- Telegram -----------------------------------------------------------------------------
def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a JSON value (object keys and list positions)."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> None:
    for step in path[:-1]:
        value = value[step]
    value[path[-1]] = new


@st.composite
def telegram_updates(draw: st.DrawFn, update_ids: itertools.count) -> Any:
    """A real-looking update roughened in a few places, or any JSON with an update_id."""
    update_id = next(update_ids)
    shape = draw(st.sampled_from(["text", "text", "photo", "button", "location", "any"]))
    chat = draw(st.sampled_from(CHATS) | st.sampled_from(NUMBERS) | st.integers())
    if shape == "any":
        body = draw(st.dictionaries(hostile_text(huge=False), hostile_json(), max_size=4))
        body["update_id"] = update_id
        if draw(st.booleans()):
            body["message"] = draw(hostile_json())
        return body
    fields: dict[str, Any] = {"from_name": draw(hostile_text(huge=False))}
    if shape == "text":
        fields["text"] = draw(hostile_text() | st.sampled_from(["/start", "2", "1", "/status"]))
    elif shape == "photo":
        fields |= {"photo_file_id": draw(hostile_text()), "caption": draw(hostile_text())}
    elif shape == "button":
        fields["callback_data"] = draw(hostile_text())
    else:
        fields |= {"latitude": draw(st.floats()), "longitude": draw(st.floats())}
    try:
        body = telegram_update(update_id, 1, **fields)
    except (TypeError, ValueError, OverflowError):
        body = telegram_update(update_id, 1, text="halo")
    _replace(body, _chat_path(body), chat)
    places = [path for path in _paths(body) if path != ("update_id",)]
    for path in draw(st.lists(st.sampled_from(places), max_size=3, unique=True)):
        with contextlib.suppress(KeyError, IndexError, TypeError):  # a change took it away
            _replace(body, path, draw(hostile_json(max_leaves=6) | hostile_scalar()))
    return body


def _chat_path(body: dict[str, Any]) -> tuple[Any, ...]:
    if "callback_query" in body:
        return ("callback_query", "message", "chat", "id")
    return ("message", "chat", "id")


def test_telegram_webhook_takes_any_update_without_a_server_error(make_service, caplog):
    service: Service = make_service()
    client = service.client
    update_ids = itertools.count(10_000)
    statuses: dict[int, int] = {}

    @given(update=telegram_updates(update_ids))
    @hypothesis_settings(FUZZ, max_examples=TELEGRAM_EXAMPLES)
    def exercise(update: Any) -> None:
        # as Telegram sends it: ASCII JSON, lone surrogates as "\\ud800" escapes
        response = client.post(
            "/webhooks/telegram",
            content=json.dumps(update).encode(),
            headers={WEBHOOK_SECRET_HEADER: TG_SECRET, "Content-Type": "application/json"},
        )
        CASES["webhook telegram"] += 1
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
        assert response.status_code < 500, (response.status_code, response.text[:300])

    exercise()
    for text in CORPUS:  # each special value once as a message and once as a button
        for fields in ({"text": text}, {"callback_data": text}):
            update = telegram_update(next(update_ids), CHATS[0], **fields)
            response = client.post(
                "/webhooks/telegram",
                content=json.dumps(update).encode(),
                headers={WEBHOOK_SECRET_HEADER: TG_SECRET, "Content-Type": "application/json"},
            )
            CASES["webhook telegram"] += 1
            assert response.status_code < 500, (text[:20], response.status_code)
    _settled_without_dead_letters(service, caplog)
    assert sum(statuses.values()) >= TELEGRAM_EXAMPLES
    assert statuses.get(200, 0) > TELEGRAM_EXAMPLES // 2, statuses  # most reach the engine
    assert client.get("/healthz").status_code == 200


# -- Twilio -------------------------------------------------------------------------------
def _as_received(value: str) -> str:
    """What the server reads from a value sent as surrogatepass bytes (and what it checks
    the signature against): each such byte becomes U+FFFD."""
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _post_signed(service: Service, path: str, params: dict[str, str], query: str = ""):
    url = PUBLIC + path + (f"?{query}" if query else "")
    received = {_as_received(k): _as_received(v) for k, v in params.items()}
    signature = RequestValidator(service.tw.auth_token).compute_signature(url, received)
    headers = FORM | {"X-Twilio-Signature": signature}
    target = path + (f"?{query}" if query else "")
    return service.client.post(target, content=form_body(list(params.items())), headers=headers)


@st.composite
def whatsapp_forms(draw: st.DrawFn) -> dict[str, str]:
    """An incoming-message form with random values in the fields a customer controls."""
    media = draw(st.lists(hostile_text(huge=False), max_size=3))
    params, _ = signed_whatsapp_form(PUBLIC + "/webhooks/whatsapp", num_media=len(media))
    number = draw(st.sampled_from(["+6281234567890", "+6281200000002"]) | hostile_text(huge=False))
    params |= {
        "Body": draw(hostile_text() | st.sampled_from(["menu", "2", "1", "STOP", "MULAI"])),
        "From": draw(st.sampled_from(["whatsapp:"]) | hostile_text(huge=False)) + number,
        "MessageSid": draw(st.just(new_sid()) | hostile_text(huge=False)),
        "ProfileName": draw(hostile_text(huge=False)),
    }
    for index, url in enumerate(media):  # our own scheme half of the time
        params[f"MediaUrl{index}"] = f"https://api.twilio.com/{url}" if index % 2 else url
    for name in draw(
        st.lists(
            st.sampled_from(TWILIO_FIELDS),
            max_size=4,
            unique=True,
        )
    ):
        params[name] = draw(hostile_text(huge=False) | st.sampled_from(NUMBERS).map(str))
    return params


@st.composite
def status_callbacks(draw: st.DrawFn) -> tuple[dict[str, str], str]:
    params = {
        "MessageSid": draw(st.just(new_sid()) | hostile_text(huge=False)),
        "MessageStatus": draw(
            st.sampled_from(["sent", "delivered", "read", "failed", "undelivered"])
            | hostile_text(huge=False)
        ),
        "ErrorCode": draw(st.sampled_from(["", "63016", "21610"]) | hostile_text(huge=False)),
    }
    number = draw(
        st.integers(min_value=0).map(str)
        | st.sampled_from(["1", "2147483648", "9" * 18, "9" * 40, "-1"])
        | hostile_text(huge=False)
    )
    query = urlencode({"message": number}, errors="surrogatepass") if draw(st.booleans()) else ""
    return params, query


def test_twilio_webhooks_take_any_signed_form_without_a_server_error(make_service, caplog):
    service: Service = make_service()
    before = CASES["webhook twilio"]

    @given(
        form=whatsapp_forms(),
        callback=status_callbacks(),
        kind=st.sampled_from(["message", "message", "status"]),
    )
    @hypothesis_settings(FUZZ, max_examples=TWILIO_EXAMPLES)
    def exercise(form: dict[str, str], callback: tuple[dict[str, str], str], kind: str) -> None:
        if kind == "message":
            response = _post_signed(service, "/webhooks/whatsapp", form)
        else:
            response = _post_signed(service, "/webhooks/whatsapp/status", *callback)
        CASES["webhook twilio"] += 1
        assert response.status_code < 500, (kind, response.status_code, response.text[:300])
        assert response.status_code != 403, "the signature is right"

    exercise()
    for text in CORPUS:  # each special value once as a message
        form, _ = signed_whatsapp_form(PUBLIC + "/webhooks/whatsapp")
        response = _post_signed(service, "/webhooks/whatsapp", form | {"Body": text})
        CASES["webhook twilio"] += 1
        assert response.status_code < 500, (text[:20], response.status_code)
    _settled_without_dead_letters(service, caplog)
    assert CASES["webhook twilio"] - before >= TWILIO_EXAMPLES + len(CORPUS)
    assert service.client.get("/healthz").status_code == 200


def _settled_without_dead_letters(service: Service, caplog: pytest.LogCaptureFixture) -> None:
    """Everything taken in was answered, no message was set aside, and no step failed (the
    engine answers a failed step with an apology and logs it: that is our 500)."""
    service.settle(timeout=SETTLE_SECONDS)
    journal = service.runtime.channels.journal
    assert dead_letters(journal) == []
    errors = errors_logged(caplog)
    assert not errors, "\n".join(sorted(set(errors)))
