"""Demo history: marked, realistic, silent, and once only."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlmodel import Session

from accounts.service import authenticate
from complaints.demo import AGENTS, OPENS, seed_history
from db.models import Complaint, ComplaintEvent, Message, Staff
from reports import service

WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2026, 11, 30, 20, 0, tzinfo=WITA)


def _seed(engine, days=28):
    with Session(engine) as session:
        count = seed_history(session=session, days=days, now=NOW, tz=WITA, ticket_prefix="ADU")
        session.commit()
    return count


def test_history_is_marked_answered_in_office_hours_and_rated(engine):
    count = _seed(engine)
    assert count > 28 * 2
    with Session(engine) as session:
        complaints = list(session.exec(select(Complaint)).scalars())
        assert len(complaints) == count
        assert all(c.is_demo and c.description.startswith("[DEMO]") for c in complaints)
        filed = [c.created_at.astimezone(WITA) for c in complaints]
        assert any(f.weekday() >= 5 or not time(8) <= f.time() < time(16) for f in filed)
        answered = [c.first_response_at.astimezone(WITA) for c in complaints if c.first_response_at]
        assert answered and all(a.weekday() < 5 and a.time() >= OPENS for a in answered)
        assert any(c.rating for c in complaints) and any(c.status == "rejected" for c in complaints)
        assert all(c.first_response_due_at and c.resolution_due_at for c in complaints)
        # the clocks in working minutes: set whenever they stopped, never more than wall time
        for c in complaints:
            assert (c.first_response_work_minutes is None) == (c.first_response_at is None)
            assert (c.resolution_work_minutes is None) == (c.resolved_at is None)
            if c.resolved_at:
                wall = (c.resolved_at - c.created_at).total_seconds() / 60
                assert 0 < c.resolution_work_minutes <= wall + 1
        assert session.scalar(select(func.count()).select_from(ComplaintEvent)) > count
        assert session.scalar(select(func.count()).select_from(Message)) == 0  # nobody is told
        agents = list(session.exec(select(Staff)).scalars())
        assert {a.username for a in agents} == {name for name, _ in AGENTS}
        assert not any(a.active for a in agents)
        assert authenticate(session=session, username="demo-rina", password="", ip=None) is None
        report = service.build(
            session=session, start=NOW.replace(day=1, hour=0), end=NOW, now=NOW, tz=WITA
        )
    assert report.total.received > 0 and report.total.rating_average is not None
    assert {f.name for f in report.breakdowns["agent"]} <= {
        "[DEMO] Rina",
        "[DEMO] Agus",
        "[DEMO] Dewi",
        None,
    }


def test_history_is_added_once(engine):
    assert _seed(engine, days=3) > 0
    assert _seed(engine, days=3) == 0
