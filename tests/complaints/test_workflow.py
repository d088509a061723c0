"""Staff work on complaints: every public change reaches the customer through the outbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from complaints import workflow
from core.errors import DomainError
from db.models import Complaint, ComplaintEvent, Message, ResponseTarget
from tests.staff.factories import add_complaint, add_staff

FILED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def agent(engine):
    return add_staff(engine, "siti", "agent")


def outbox(session: Session) -> list[Message]:
    query = select(Message).where(Message.direction == "out").order_by(col(Message.id))
    return list(session.exec(query))


def test_reply_is_queued_and_is_the_first_response(engine, agent):
    complaint = add_complaint(engine, now=FILED)
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint.id)
        later = FILED + timedelta(minutes=20)
        workflow.reply(
            session=session,
            complaint=complaint,
            staff=agent,
            text="Petugas menuju lokasi.",
            now=later,
        )
        session.commit()
        [message] = outbox(session)
        assert message.status == "pending" and message.channel == "telegram"
        assert message.complaint_id == complaint.id and message.staff_id == agent.id
        assert "ADU-000001" in message.text and "Petugas menuju lokasi." in message.text
        assert complaint.first_response_at == later
        assert complaint.first_response_by == agent.id
        workflow.reply(
            session=session,
            complaint=complaint,
            staff=agent,
            text="Lagi",
            now=later + timedelta(hours=1),
        )
        assert complaint.first_response_at == later  # the first one counts


def test_status_changes_tell_the_customer_and_stamp_times(engine, agent):
    complaint = add_complaint(engine, now=FILED, language="en")
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint.id)
        t1, t2, t3 = (FILED + timedelta(hours=h) for h in (1, 5, 30))
        workflow.change_status(
            session=session, complaint=complaint, staff=agent, status="in_progress", now=t1
        )
        workflow.change_status(
            session=session,
            complaint=complaint,
            staff=agent,
            status="resolved",
            reason="Pipa sudah diperbaiki",
            now=t2,
        )
        workflow.change_status(
            session=session, complaint=complaint, staff=agent, status="closed", now=t3
        )
        session.commit()
        texts = [m.text for m in outbox(session)]
        assert texts[0] == "Ticket ADU-000001: the status is now In progress."
        assert "has been resolved" in texts[1] and "Pipa sudah diperbaiki" in texts[1]
        assert texts[2].startswith("How was complaint ADU-000001 handled?")  # the rating
        assert "Closed" in texts[3]
        assert (complaint.first_response_at, complaint.resolved_at, complaint.closed_at) == (
            t1,
            t2,
            t3,
        )
        steps = session.exec(
            select(ComplaintEvent.to_status).where(ComplaintEvent.kind == "status")
        ).all()
        assert steps == ["received", "in_progress", "resolved", "closed"]


def test_rejecting_needs_a_reason(engine, agent):
    complaint = add_complaint(engine, now=FILED)
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint.id)
        with pytest.raises(DomainError, match="reason"):
            workflow.change_status(
                session=session, complaint=complaint, staff=agent, status="rejected", now=FILED
            )
        workflow.change_status(
            session=session,
            complaint=complaint,
            staff=agent,
            status="rejected",
            reason="Di luar wilayah layanan",
            now=FILED,
        )
        assert complaint.reject_reason == "Di luar wilayah layanan"
        assert "Alasan: Di luar wilayah layanan" in outbox(session)[0].text


def test_impossible_steps_are_refused(engine, agent):
    complaint = add_complaint(engine, now=FILED)
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint.id)
        with pytest.raises(DomainError, match="cannot change from Received to Closed"):
            workflow.change_status(
                session=session, complaint=complaint, staff=agent, status="closed", now=FILED
            )
        with pytest.raises(DomainError, match="status"):
            workflow.change_status(
                session=session, complaint=complaint, staff=agent, status="lost", now=FILED
            )
        with pytest.raises(DomainError, match="text"):
            workflow.reply(session=session, complaint=complaint, staff=agent, text="  ", now=FILED)
        with pytest.raises(DomainError, match="1500"):
            workflow.reply(
                session=session, complaint=complaint, staff=agent, text="x" * 1501, now=FILED
            )
        assert outbox(session) == []


def test_notes_and_assignment_stay_internal(engine, agent):
    editor = add_staff(engine, "eddy", "editor")
    complaint = add_complaint(engine, now=FILED)
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint.id)
        workflow.add_note(
            session=session,
            complaint=complaint,
            staff=agent,
            text="Pelanggan sering menelepon",
            now=FILED,
        )
        workflow.assign(
            session=session, complaint=complaint, staff=agent, assignee_id=agent.id, now=FILED
        )
        with pytest.raises(DomainError, match="not active or does not work complaints"):
            workflow.assign(
                session=session, complaint=complaint, staff=agent, assignee_id=editor.id, now=FILED
            )
        assert outbox(session) == []
        assert complaint.first_response_at is None
        assert complaint.assignee_id == agent.id


def test_whatsapp_updates_carry_a_template_for_outside_the_window(engine, agent):
    complaint = add_complaint(engine, channel="whatsapp", user_id="whatsapp:+6281234567890")
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint.id)
        message = workflow.reply(
            session=session,
            complaint=complaint,
            staff=agent,
            text="Besok pagi petugas datang",
            now=FILED,
        )
        assert message.template_kind == "complaint_update"
        assert message.template_variables["1"] == "ADU-000001"


def test_supervisors_edit_targets_within_reason(engine):
    with Session(engine) as session:
        old, _ = workflow.set_target(
            session=session, category="billing", first_response_minutes=120, resolution_minutes=2880
        )
        assert old == (8 * 60, 5 * 8 * 60)  # the default: in working time (8-hour days)
        assert session.get(ResponseTarget, "billing").first_response_minutes == 120
        with pytest.raises(DomainError, match="resolution"):
            workflow.set_target(
                session=session,
                category="billing",
                first_response_minutes=120,
                resolution_minutes=60,
            )
        with pytest.raises(DomainError, match="category"):
            workflow.set_target(
                session=session, category="gossip", first_response_minutes=1, resolution_minutes=2
            )
