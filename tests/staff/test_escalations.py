"""Escalations in the console: the header's badge, the list page, the inbox's mark, and a staff
member linking their own Telegram chat (audited). Moments are fixed and passed as `now`."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from complaints.scheduled import run_pass
from db.models import AuditLog, Complaint, Staff
from tests.staff.factories import add_complaint, console_app, csrf_of, signed_in

WITA = ZoneInfo("Asia/Makassar")


def at(hour: int, minute: int = 0) -> datetime:
    """Monday 2 November 2026 in Makassar, as UTC."""
    return datetime(2026, 11, 2, hour, minute, tzinfo=WITA).astimezone(UTC)


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def badge(html: str) -> int | None:
    found = re.search(r'data-escalations="(\d+)"', html)
    return int(found.group(1)) if found else None


def assign(engine, complaint: Complaint, username: str) -> None:
    with Session(engine) as session:
        staff = session.exec(select(Staff).where(col(Staff.username) == username)).one()
        row = session.get_one(Complaint, complaint.id)
        row.assignee_id = staff.id
        session.commit()


def test_the_assignee_and_supervisors_see_the_warning_then_the_breach(app, engine, settings):
    agent = signed_in(app, engine, "siti", "agent")
    other = signed_in(app, engine, "rina", "agent")
    supervisor = signed_in(app, engine, "budi", "supervisor")
    complaint = add_complaint(engine, now=at(9))  # 60 minutes (wall-clock without a calendar)
    assign(engine, complaint, "siti")
    assert badge(agent.get("/staff/inbox").text) is None

    run_pass(engine=engine, settings=settings, now=at(9, 48))
    inbox = agent.get("/staff/inbox").text
    assert badge(inbox) == 1
    assert 'data-escalated="warning"' in inbox and "Hampir lewat batas" in inbox
    listed = agent.get("/staff/escalations").text
    row = re.search(r'<tr data-escalation="\d+".*?</tr>', listed, flags=re.S)
    assert row is not None
    assert complaint.ticket_number and complaint.ticket_number in row.group(0)
    assert 'data-kind="warning" data-target="first_response"' in row.group(0)
    assert "02/11/2026 10.00" in row.group(0) and "02/11/2026 09.48" in row.group(0)
    assert "siti, budi" in row.group(0)
    assert badge(supervisor.get("/staff/inbox").text) == 1
    assert badge(other.get("/staff/inbox").text) is None  # not her complaint
    assert 'id="escalations-none"' in other.get("/staff/escalations").text

    run_pass(engine=engine, settings=settings, now=at(10, 1))
    run_pass(engine=engine, settings=settings, now=at(10, 2))
    inbox = agent.get("/staff/inbox").text
    assert badge(inbox) == 2 and 'data-escalated="breach"' in inbox
    assert agent.get("/staff/escalations").text.count('data-kind="breach"') == 1


def test_a_staff_member_links_and_unlinks_their_telegram_chat(app, engine):
    agent = signed_in(app, engine, "siti", "agent")
    page = agent.get("/staff/escalations")
    assert 'id="telegram-link"' in page.text
    wrong = agent.post(
        "/staff/escalations/telegram",
        data={"telegram_chat_id": "@siti", "csrf_token": csrf_of(page.text)},
    )
    assert wrong.status_code == 400 and 'data-error="telegram_chat_id"' in wrong.text
    saved = agent.post(
        "/staff/escalations/telegram",
        data={"telegram_chat_id": " 123456789 ", "csrf_token": csrf_of(page.text)},
    )
    assert "ID chat Telegram disimpan." in saved.text and 'value="123456789"' in saved.text
    removed = agent.post(
        "/staff/escalations/telegram",
        data={"telegram_chat_id": "", "csrf_token": csrf_of(page.text)},
    )
    assert "Eskalasi tidak lagi dikirim ke Telegram." in removed.text
    with Session(engine) as session:
        staff = session.exec(select(Staff).where(col(Staff.username) == "siti")).one()
        assert staff.telegram_chat_id is None
        audit = session.exec(select(AuditLog).where(col(AuditLog.action) == "staff.telegram"))
        assert len(list(audit)) == 2  # the refused one left no line


def test_editors_have_no_escalations(app, engine):
    editor = signed_in(app, engine, "eko", "editor")
    assert editor.get("/staff/escalations").status_code == 403
    assert 'id="escalation-badge"' not in editor.get("/staff/notices").text


def test_a_new_escalation_changes_the_inbox_stamp_so_an_open_inbox_shows_its_mark(
    app, engine, settings
):
    supervisor = signed_in(app, engine, "budi", "supervisor")
    add_complaint(engine, now=at(9))
    shown = supervisor.get("/staff/inbox/list").text  # what the open page holds
    stamp = re.search(r'data-stamp="([^"]+)"', shown)
    assert stamp is not None and "data-escalated" not in shown
    assert supervisor.get("/staff/inbox/stamp").json()["stamp"] == stamp.group(1)

    run_pass(engine=engine, settings=settings, now=at(9, 48))  # no message, no event: a mark
    polled = supervisor.get("/staff/inbox/stamp").json()["stamp"]
    assert polled != stamp.group(1)  # so the page's script fetches the list again...
    fresh = supervisor.get("/staff/inbox/list").text
    assert 'data-escalated="warning"' in fresh and f'data-stamp="{polled}"' in fresh
    run_pass(engine=engine, settings=settings, now=at(9, 50))  # nothing new: nothing to fetch
    assert supervisor.get("/staff/inbox/stamp").json()["stamp"] == polled
