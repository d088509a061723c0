"""The whole OpenAPI schema fuzzed with schemathesis and hostile values: no answer is a 5xx.

Each case is one operation (drawn from all of them) with schemathesis' generated parameters
and body, then roughened: path parameters point at real rows half of the time (so the
authenticated paths run their domain code, and the lifecycle calls change the rows later
cases see), some fields get hostile text or a value of the wrong type, or the body is
replaced by a valid one with one field made hostile. An admin's API token signs every call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from bot.app import create_app
from bot.runtime import Runtime
from tests.fuzz.hostile import (
    CASES,
    FUZZ,
    NUMBERS,
    errors_logged,
    hostile_json,
    hostile_scalar,
    hostile_text,
    server_error,
)
from tests.staff.factories import add_complaint, add_staff, api_token

pytestmark = pytest.mark.slow  # a few hundred cases each: longer than the fast tier allows

EXAMPLES = 500

# Valid bodies to roughen one field at a time: they get past the schema into the domain.
VALID_BODIES: dict[str, dict[str, Any]] = {
    "POST /api/v1/notices": {
        "kind": "planned",
        "title": "Perbaikan pipa",
        "areas": ["63.03.04"],
        "starts_at": "2031-01-05T08:00:00",
        "expected_end_at": "2031-01-05T12:00:00",
        "cause": "pipa bocor",
        "advice": "tampung air",
        "reminder_hours": "24,1",
    },
    "PATCH /api/v1/notices/{notice_id}": {"title": "Judul baru", "note": "diubah"},
    "POST /api/v1/notices/{notice_id}/extend": {
        "expected_end_at": "2031-01-06T12:00:00",
        "text": "diperpanjang",
    },
    "POST /api/v1/notices/{notice_id}/restore": {"text": "air sudah mengalir"},
    "POST /api/v1/notices/{notice_id}/cancel": {"text": "dibatalkan"},
    "POST /api/v1/notices/{notice_id}/publish": {"confirm_short_notice": True},
    "POST /api/v1/complaints/{ticket}/reply": {"text": "Petugas menuju lokasi"},
    "POST /api/v1/complaints/{ticket}/notes": {"text": "cek meteran"},
    "POST /api/v1/complaints/{ticket}/status": {"status": "in_progress", "reason": "dikerjakan"},
    "POST /api/v1/complaints/{ticket}/assign": {"assignee": "fuzz-admin"},
    "PUT /api/v1/response-targets/{category}": {
        "first_response_minutes": 60,
        "resolution_minutes": 600,
    },
    "POST /api/v1/rotations": {
        "area": "63.03.04",
        "weekdays": "Mon,Wed",
        "start_time": "05:00",
        "end_time": "11:00",
        "valid_from": "2031-01-01",
        "valid_until": "2031-02-01",
        "note": "giliran",
    },
}


@pytest.fixture
def api(settings, engine):
    """The service with an admin's token, two complaints and a notice to work on."""
    app = create_app(settings, runtime=Runtime.start(settings, engine=engine))
    admin = add_staff(engine, "fuzz-admin", "admin")
    tickets = [
        add_complaint(engine).ticket_number,
        add_complaint(engine, user_id="42").ticket_number,
    ]
    headers = {"Authorization": f"Bearer {api_token(engine, admin)}"}
    with TestClient(app) as client:  # a server error raises: its cause is reported
        made = client.post(
            "/api/v1/notices", json=VALID_BODIES["POST /api/v1/notices"], headers=headers
        )
        assert made.status_code == 201, made.text
        known = {
            "ticket": tickets,
            "notice_id": [made.json()["id"]],
            "category": ["no_water", "leak"],
            "channel": ["telegram", "whatsapp"],
        }
        yield client, app, headers, known


def _roughen_fields(data: st.DataObject, values: dict[str, Any], *, huge: bool) -> dict[str, Any]:
    """Each field kept, made hostile text, or given a value of another type."""
    rough = dict(values)
    for name in list(rough):
        choice = data.draw(st.sampled_from(["keep", "keep", "text", "other"]))
        if choice == "text":
            rough[name] = data.draw(hostile_text(huge=huge))
        elif choice == "other":
            rough[name] = data.draw(hostile_json(max_leaves=4))
    return rough


@dataclass
class Rough:
    """The request sent: the generated case's parts, roughened (the case itself is kept as
    generated: schemathesis re-reads it and cannot read a lone surrogate)."""

    method: str
    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, str]
    body: Any = None
    has_body: bool = False


def _roughen(data: st.DataObject, case: Any, known: dict[str, list[Any]], headers: dict) -> Rough:
    sent = case.as_transport_kwargs(headers=headers)
    rough = Rough(
        method=sent["method"],
        path=dict(case.path_parameters or {}),
        query=dict(sent.get("params") or {}),
        headers=sent["headers"],
        body=sent.get("json"),
        has_body="json" in sent,
    )
    for name in list(rough.path):
        real = known.get(name)
        if real and data.draw(st.booleans()):
            rough.path[name] = data.draw(st.sampled_from(real))
        elif data.draw(st.booleans()):
            rough.path[name] = data.draw(hostile_text(huge=False) | st.sampled_from(NUMBERS))
    if rough.query:
        rough.query = _roughen_fields(data, rough.query, huge=False)
    if rough.has_body or case.operation.label in VALID_BODIES:
        valid = VALID_BODIES.get(case.operation.label)
        choice = data.draw(st.sampled_from(["generated", "rough", "valid", "any"]))
        if choice == "rough" and isinstance(rough.body, dict):
            rough.body = _roughen_fields(data, rough.body, huge=True)
        elif choice == "valid" and valid is not None:
            name = data.draw(st.sampled_from(sorted(valid)))
            rough.body = dict(valid) | {name: data.draw(hostile_text() | hostile_scalar())}
        elif choice == "any":
            rough.body = data.draw(hostile_json())
        rough.has_body = rough.has_body or choice in {"valid", "any"}
        rough.headers["Content-Type"] = "application/json"
    return rough


def _send(client: TestClient, template: str, rough: Rough) -> Any:
    """The request through the test client (schemathesis' own would keep the app running);
    lone surrogates travel as JSON escapes ("\\ud800") or as their bytes in the URL."""
    path = template.format(
        **{
            name: quote(str(value), safe="", errors="surrogatepass")
            for name, value in rough.path.items()
        }
    )
    if rough.query:
        path += "?" + urlencode(rough.query, doseq=True, errors="surrogatepass")
    content = json.dumps(rough.body).encode() if rough.has_body else None
    try:
        response = client.request(rough.method, path, headers=rough.headers, content=content)
    except Exception as error:  # the app failed: a 500 to a client
        raise AssertionError(server_error(error)) from error
    response.request.read()  # for schemathesis' check
    return response


def test_no_api_call_answers_with_a_server_error(api, caplog):
    client, app, headers, known = api
    schema = schemathesis.openapi.from_dict(app.openapi())  # no second lifespan
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    seen: dict[str, int] = {}
    # Every operation gets its share of the examples: drawing the operation too left one out
    # now and then (hypothesis spends a run's budget as it likes).
    per_operation = max(EXAMPLES // len(operations), 10)

    def exercise(operation: Any) -> None:
        @given(data=st.data())
        @hypothesis_settings(FUZZ, max_examples=per_operation)
        def run(data: st.DataObject) -> None:
            case = data.draw(operation.as_strategy())
            rough = _roughen(data, case, known, headers)
            response = _send(client, operation.path, rough)
            CASES["api (schemathesis)"] += 1
            seen[operation.label] = seen.get(operation.label, 0) + 1
            assert response.status_code < 500, (
                operation.label,
                response.status_code,
                response.text[:500],
            )
            case.validate_response(response, checks=[not_a_server_error], headers=headers)

        run()

    for operation in operations:
        exercise(operation)
    assert len(seen) == len(operations), set(op.label for op in operations) - set(seen)
    assert client.get("/healthz").status_code == 200
    assert sum(seen.values()) >= per_operation * len(operations) // 2
    assert not errors_logged(caplog), "\n".join(errors_logged(caplog))
