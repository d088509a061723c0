"""Bounded requests: a body over the limit is refused before (or while) it is read."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from core.http_limits import ROW_ID_MAX, BodyLimit, json_too_deep, row_id


class Recorder:
    """An ASGI app that reads the whole body, and what it and the client saw."""

    def __init__(self) -> None:
        self.read = 0
        self.called = False

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.called = True
        while True:
            message = await receive()
            self.read += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 401, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})


def run(limit_app: BodyLimit, path: str, chunks: list[bytes], length: int | None) -> dict:
    headers = [(b"content-length", str(length).encode())] if length is not None else []
    scope = {"type": "http", "path": path, "headers": headers}
    pending = list(chunks)
    pulled = 0
    sent: list[dict] = []

    async def receive() -> Any:
        nonlocal pulled
        pulled += 1
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(limit_app(scope, receive, send))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {"status": status, "pulled": pulled, "body": body}


def test_a_declared_length_over_the_limit_gets_413_without_reading_a_byte():
    app = Recorder()
    answer = run(BodyLimit(app, default=1000, per_prefix={}), "/api/v1/x", [b"x" * 20_000], 20_000)
    assert answer["status"] == 413 and answer["pulled"] == 0 and not app.called
    assert json.loads(answer["body"])["detail"] == "Permintaan terlalu besar."


def test_a_streamed_body_is_cut_off_at_the_limit_and_the_route_answer_becomes_413():
    app = Recorder()
    chunks = [b"x" * 400] * 50  # 20 kB without a Content-Length (chunked)
    answer = run(BodyLimit(app, default=1000, per_prefix={}), "/api/v1/x", chunks, None)
    assert answer["status"] == 413
    assert answer["pulled"] == 3  # 1,200 bytes read of 20,000: no more than the limit and a chunk


def test_a_body_within_the_limit_reaches_the_route():
    app = Recorder()
    answer = run(BodyLimit(app, default=1000, per_prefix={}), "/api/v1/x", [b"x" * 900], None)
    assert answer["status"] == 401 and app.read == 900


def test_a_route_prefix_has_its_own_limit():
    limited = BodyLimit(Recorder(), default=10_000, per_prefix={"/webhooks/": 100})
    assert run(limited, "/webhooks/telegram", [b"x" * 500], 500)["status"] == 413
    assert run(limited, "/api/v1/x", [b"x" * 500], 500)["status"] == 401


def test_json_depth_is_measured_without_parsing_and_strings_do_not_count():
    assert json_too_deep(b"[" * 1000 + b"]" * 1000, 32)
    assert not json_too_deep(b'{"a": [1, {"b": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}]}', 5)
    assert not json_too_deep(b'{"text": "\\"[[[[[[[[[["}', 2)
    assert json_too_deep(b'{"a":{"b":{"c":{}}}}', 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("٣", 3),
        (str(ROW_ID_MAX), ROW_ID_MAX),
        ("", None),
        (None, None),
        ("0", None),
        ("-1", None),
        ("²", None),
        ("①", None),
        ("2147483648", None),
        ("9" * 40, None),
    ],
)
def test_a_row_id_from_text_is_a_number_postgresql_can_hold(text, expected):
    """'²' passes str.isdigit() but not int(); past ROW_ID_MAX PostgreSQL refuses it."""
    assert row_id(text) == expected
