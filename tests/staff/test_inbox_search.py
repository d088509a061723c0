"""The inbox's search, paging and live-update stamp, and the console's own error pages."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from db.models import Message
from db.types import utcnow
from tests.staff.factories import add_complaint, console_app, signed_in


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def _tickets(html: str) -> set[str]:
    return {part.split('"')[0] for part in html.split('data-ticket="')[1:]}


def test_search_finds_a_complaint_by_ticket_name_phone_and_what_the_customer_said(app, engine):
    agent = signed_in(app, engine, "siti", "agent")
    plain = add_complaint(engine, user_id="100", phone="081200000001")
    wanted = add_complaint(engine, user_id="200", phone="081399887766")
    with Session(engine) as session:
        session.add(
            Message(contact_id=wanted.contact_id, direction="in", channel="telegram",
                    text="Meteran 50% bocor_di depan", status="received", created_at=utcnow())
        )  # fmt: skip
        session.commit()
    for words in (wanted.ticket_number, "9988 7766", "+62 813-9988-7766", "50% bocor_di"):
        shown = _tickets(agent.get("/staff/inbox", params={"q": words}).text)
        assert shown == {wanted.ticket_number}, words
    assert _tickets(agent.get("/staff/inbox", params={"q": "ibu siti"}).text) == {
        plain.ticket_number,
        wanted.ticket_number,
    }
    assert (
        _tickets(agent.get("/staff/inbox", params={"q": "bocor%di"}).text) == set()
    )  # % is a character


def test_pages_of_the_inbox_and_the_list_alone(app, engine):
    agent = signed_in(app, engine, "siti", "agent")
    for n in range(12):
        add_complaint(engine, user_id=f"u{n}")
    first = agent.get("/staff/inbox", params={"per": 10})
    second = agent.get("/staff/inbox", params={"per": 10, "page": 2})
    assert len(_tickets(first.text)) == 10 and len(_tickets(second.text)) == 2
    assert not _tickets(first.text) & _tickets(second.text)
    assert "Halaman 2 dari 2" in second.text
    fragment = agent.get("/staff/inbox/list", params={"per": 10, "page": 2})
    assert fragment.text.lstrip().startswith('<div id="inbox-list"')
    assert _tickets(fragment.text) == _tickets(second.text)


def test_the_stamp_changes_when_a_customer_writes(app, engine):
    agent = signed_in(app, engine, "siti", "agent")
    complaint = add_complaint(engine)
    before = agent.get("/staff/inbox/stamp").json()["stamp"]
    assert agent.get("/staff/inbox/stamp").json()["stamp"] == before
    with Session(engine) as session:
        session.add(
            Message(contact_id=complaint.contact_id, direction="in", channel="telegram",
                    text="masih mati", status="received", created_at=utcnow())
        )  # fmt: skip
        session.commit()
    assert agent.get("/staff/inbox/stamp").json()["stamp"] != before


def test_console_paths_answer_with_pages_and_the_api_keeps_json(app, engine):
    agent = signed_in(app, engine, "siti", "agent")
    missing = agent.get("/staff/nothing-here")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert "Halaman yang Anda cari tidak ada" in missing.text and "siti" in missing.text
    bad = agent.get("/staff/inbox", params={"page": "x"})
    assert bad.status_code == 422 and "tidak sah" in bad.text and "page" in bad.text
    forbidden = agent.get("/staff/accounts")
    assert forbidden.status_code == 403 and "tidak berhak" in forbidden.text
    assert agent.get("/api/v1/nothing-here").json() == {"detail": "Not Found"}
