"""Escalation: at 80 % of a target (in working time) and at breach, the assignee and the
supervisors are told once each, on Telegram through the fake Bot API when they linked a chat.

Every moment is fixed (a Monday in November 2026, Makassar time) and passed as `now`, so the
tests mean the same whatever the hour or the day they run at.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from channels.outbox import Sender
from channels.ratelimit import RateLimiter
from channels.telegram import TelegramChannel, make_bot
from complaints import escalation, workflow
from complaints.calendar import working_calendar
from complaints.cli import build_complaints_cli
from complaints.scheduled import EscalationScheduler, run_pass
from complaints.service import create_complaint, set_status
from core.metrics import ESCALATIONS
from db.models import Complaint, Contact, Escalation, Message, Staff
from db.vocab import Channel, ComplaintCategory, ComplaintStatus
from tests.fakes.fixtures import fake_telegram  # noqa: F401
from tests.fakes.telegram_api import FakeTelegramApi
from tests.staff.factories import add_staff

WITA = ZoneInfo("Asia/Makassar")
AGENT_CHAT, SUPERVISOR_CHAT, OTHER_CHAT = "9001", "9002", "9003"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment of November 2026 in Makassar (2 Nov is a Monday, no holiday), as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=WITA).astimezone(UTC)


@pytest.fixture
def site(settings):
    return settings.model_copy(update={"public_base_url": "https://air.example.id"})


@pytest.fixture
def people(engine):
    """An assigned agent and a supervisor with linked chats, and an agent not involved."""
    found = {}
    for username, role, chat, lang in (
        ("siti", "agent", AGENT_CHAT, "id"),
        ("budi", "supervisor", SUPERVISOR_CHAT, "en"),
        ("rina", "agent", OTHER_CHAT, "id"),
    ):
        staff = add_staff(engine, username, role)
        with Session(engine, expire_on_commit=False) as session:
            row = session.get_one(Staff, staff.id)
            row.telegram_chat_id, row.language = chat, lang
            session.commit()
            found[username] = row
    return found


def file_complaint(engine, site, *, filed: datetime, assignee: Staff | None = None, user="7700"):
    """A no-water complaint (first response 1 working hour, resolution 8) filed at `filed`."""
    with Session(engine, expire_on_commit=False) as session:
        contact = Contact(channel="telegram", channel_user_id=user, display_name="Ibu Siti")
        session.add(contact)
        session.flush()
        assert contact.id is not None
        complaint = create_complaint(
            session=session, contact_id=contact.id, channel=Channel.TELEGRAM,
            category=ComplaintCategory.NO_WATER, area_code="63.03.04", address="dekat masjid",
            account_number=None, description="air mati", media_ref=None, ticket_prefix="ADU",
            now=filed, calendar=working_calendar(session=session, settings=site),
        )  # fmt: skip
        complaint.assignee_id = assignee.id if assignee else None
        session.commit()
        return complaint


def recorded(engine) -> list[tuple[str, str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(Escalation).order_by(col(Escalation.id)))
        return [(row.target, row.kind, row.notified) for row in rows]


def deliver(engine, fake: FakeTelegramApi) -> None:
    """Let the real sender empty the outbox into the fake Bot API."""
    channel = TelegramChannel(
        bot=make_bot(token=fake.token, base_url=fake.base_url), limiter=RateLimiter(), secret="x"
    )
    sender = Sender(engine=engine, channels={"telegram": channel}, backoff_base=0.05)

    async def go() -> bool:
        try:
            return await sender.run_until_idle(timeout=20)
        finally:
            await sender.stop()
            await channel.close()

    assert asyncio.run(go()), "the outbox did not empty in time"


def texts_to(fake: FakeTelegramApi, chat: str) -> list[str]:
    return [message["text"] for message in fake.sent_messages(int(chat))]


def test_warning_at_80_percent_then_breach_reach_the_linked_chats_once_each(
    engine,
    site,
    people,
    fake_telegram,  # noqa: F811
):
    complaint = file_complaint(engine, site, filed=at(2, 9), assignee=people["siti"])
    assert complaint.first_response_due_at == at(2, 10)
    before = ESCALATIONS.labels(kind="complaint_warning")._value.get()

    assert run_pass(engine=engine, settings=site, now=at(2, 9, 47)).escalations == []  # 78 %
    report = run_pass(engine=engine, settings=site, now=at(2, 9, 48))  # 80 %
    assert report.messages == 2
    assert recorded(engine) == [("first_response", "warning", "siti,budi")]
    assert ESCALATIONS.labels(kind="complaint_warning")._value.get() == before + 1
    assert run_pass(engine=engine, settings=site, now=at(2, 9, 55)).escalations == []
    deliver(engine, fake_telegram)
    [warning] = texts_to(fake_telegram, AGENT_CHAT)
    assert complaint.ticket_number and complaint.ticket_number in warning
    assert "80% waktu tanggapan pertama" in warning and "Air tidak mengalir" in warning
    assert "Sungai Tabuk" in warning and "10.00 WITA" in warning
    assert f"https://air.example.id/staff/complaints/{complaint.id}" in warning
    [in_english] = texts_to(fake_telegram, SUPERVISOR_CHAT)
    assert "80% of its first response time" in in_english and "10:00 WITA" in in_english
    assert texts_to(fake_telegram, OTHER_CHAT) == []  # not hers, not a supervisor

    run_pass(engine=engine, settings=site, now=at(2, 10))
    run_pass(engine=engine, settings=site, now=at(2, 10, 5))
    deliver(engine, fake_telegram)
    assert recorded(engine)[1] == ("first_response", "breach", "siti,budi")
    assert len(texts_to(fake_telegram, AGENT_CHAT)) == 2
    assert texts_to(fake_telegram, AGENT_CHAT)[1].startswith("⛔ Lewat batas")
    assert len(texts_to(fake_telegram, SUPERVISOR_CHAT)) == 2
    with Session(engine) as session:  # both chats became contacts once, however many messages
        chats = session.exec(select(Contact).where(col(Contact.channel_user_id) == AGENT_CHAT))
        assert len(list(chats)) == 1


def test_the_resolution_clock_counts_working_time_only(engine, site, people):
    file_complaint(engine, site, filed=at(2, 9), assignee=people["siti"])
    with Session(engine) as session:  # answered in time: only the resolution clock runs on
        complaint = session.exec(select(Complaint)).one()
        agent = session.get_one(Staff, people["siti"].id)
        workflow.reply(
            session=session, complaint=complaint, staff=agent, text="Segera", now=at(2, 9, 30)
        )
        session.commit()
    # 80 % of 8 working hours from 09:00 is 15:24 on Monday; by the wall clock, at 15:30 only
    # 27 % of the 24 hours to Tuesday 09:00 have passed.
    assert run_pass(engine=engine, settings=site, now=at(2, 15, 20)).escalations == []
    run_pass(engine=engine, settings=site, now=at(2, 15, 30))
    assert recorded(engine) == [("resolution", "warning", "siti,budi")]
    run_pass(engine=engine, settings=site, now=at(2, 23))  # a night: no working time passes
    run_pass(engine=engine, settings=site, now=at(3, 8, 59))
    assert len(recorded(engine)) == 1
    run_pass(engine=engine, settings=site, now=at(3, 9))
    assert recorded(engine)[1] == ("resolution", "breach", "siti,budi")


def test_waiting_resolved_and_unassigned_complaints(engine, site, people):
    waiting = file_complaint(engine, site, filed=at(2, 9), user="1")
    resolved = file_complaint(engine, site, filed=at(2, 9), user="2")
    unassigned = file_complaint(engine, site, filed=at(2, 9), user="3")
    with Session(engine) as session:
        for complaint, status in ((waiting, ComplaintStatus.WAITING),
                                  (resolved, ComplaintStatus.RESOLVED)):  # fmt: skip
            row = session.get_one(Complaint, complaint.id)
            set_status(
                session=session,
                complaint=row,
                status=status,
                now=at(2, 9, 10),
                calendar=working_calendar(session=session, settings=site),
            )
        session.commit()
    run_pass(engine=engine, settings=site, now=at(2, 9, 50))
    with Session(engine) as session:
        rows = list(session.exec(select(Escalation)))
    assert [(row.complaint_id, row.target, row.notified) for row in rows] == [
        (unassigned.id, "first_response", "budi")  # nobody specific: the supervisors
    ]


def test_two_processes_never_record_or_send_twice(engine, site, people):
    file_complaint(engine, site, filed=at(2, 9), assignee=people["siti"])
    now = at(2, 10, 30)
    with Session(engine) as session:  # the other process found the same breach...
        calendar = working_calendar(session=session, settings=site)
        seen = escalation.due_escalations(session=session, now=now, percent=80, calendar=calendar)
    assert [(due.target, due.kind) for due in seen] == [("first_response", "breach")]
    run_pass(engine=engine, settings=site, now=now)  # ...but this one recorded it first
    with Session(engine) as session:
        assert escalation._insert_if_absent(session, seen[0], "siti", now) is None
    leader = EscalationScheduler(engine=engine, settings=site, scheduler=None)
    follower = EscalationScheduler(engine=engine, settings=site, scheduler=None)
    assert leader.tick(at(2, 16)) is not None
    assert follower.tick(at(2, 16, 1)) is None  # the lease is held
    with Session(engine) as session:
        # the breach at 10:30 and the resolution's warning at 16:00, each to two chats
        assert len(list(session.exec(select(Message)))) == 4


def test_one_pass_from_the_command_line(engine, site, people):
    complaint = file_complaint(engine, site, filed=at(2, 9), assignee=people["siti"])
    ticket = complaint.ticket_number
    assert ticket == f"ADU-{complaint.id:06d}"
    app = build_complaints_cli(lambda: engine, lambda: site)
    result = CliRunner().invoke(app, ["escalate"])  # long after 2 Nov: both targets passed
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{ticket}  Lewat batas: tanggapan pertama  (diberi tahu: siti, budi)",
        f"{ticket}  Lewat batas: penyelesaian  (diberi tahu: siti, budi)",
        "2 eskalasi baru dicatat, 4 pesan Telegram diantrekan.",
    ]
    again = CliRunner().invoke(app, ["escalate"])
    assert again.output.strip() == "0 eskalasi baru dicatat, 0 pesan Telegram diantrekan."


def test_the_command_line_speaks_the_configured_language(engine, site, people):
    complaint = file_complaint(engine, site, filed=at(2, 9))
    english = site.model_copy(update={"default_language": "en"})
    app = build_complaints_cli(lambda: engine, lambda: english)
    result = CliRunner().invoke(app, ["escalate"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == (
        f"{complaint.ticket_number}  Past target: first response  (told: budi)"
    )
