from sqlalchemy import select
from sqlmodel import Session

from db.models import Complaint, ComplaintEvent, ConversationState, ServiceArea
from outage_notices import linking, service
from outage_notices.lookup import ongoing_disruption
from outage_notices.scheduled import Dispatcher
from tests.outage_notices.builders import (
    GAMBUT,
    LOK_BAINTAN,
    POLICY,
    SUNGAI_TABUK,
    add_contact,
    messages,
    new_notice,
    wita,
)

NOW = wita(11, 9)


def ongoing(session, area_code, now):
    """The disruption under way at an area, as the bot finds it for a new complaint."""
    area = session.get(ServiceArea, area_code)
    return ongoing_disruption(
        session.connection(), code=area.code, kecamatan_code=area.kecamatan_code, now=now
    )


def complaint(session, contact, area, category="no_water", ticket="ADU-000001") -> Complaint:
    row = Complaint(
        ticket_number=ticket,
        contact_id=contact.id,
        channel=contact.channel,
        category=category,
        area_code=area,
    )
    session.add(row)
    session.commit()
    return row


def test_a_complaint_from_a_desa_finds_the_disruption_declared_on_its_kecamatan(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, kind="unplanned", starts_at=NOW, publish=True)
        found = ongoing(session, LOK_BAINTAN, wita(11, 10))
        elsewhere = ongoing(session, GAMBUT, wita(11, 10))
    assert found.id == notice.id and elsewhere is None


def test_an_upcoming_or_draft_notice_is_not_an_ongoing_one(engine):
    with Session(engine, expire_on_commit=False) as session:
        new_notice(session, now=NOW, starts_at=wita(12, 8), publish=True)
        new_notice(session, now=NOW, kind="unplanned", starts_at=NOW)
        assert ongoing(session, SUNGAI_TABUK, wita(11, 10)) is None


def test_restoration_resolves_linked_complaints_and_asks_each_reporter_once(engine):
    with Session(engine, expire_on_commit=False) as session:
        reporter = add_contact(session, "siti", channel="whatsapp")
        notice = new_notice(session, now=NOW, kind="unplanned", starts_at=NOW, publish=True)
        first = complaint(session, reporter, LOK_BAINTAN)
        second = complaint(session, reporter, LOK_BAINTAN, "low_pressure", "ADU-000002")
        for row in (first, second):
            linking.link_complaint(session=session, complaint=row, notice=notice, now=NOW)
        session.commit()
        cluster = linking.linked_complaints(session, notice.id)
        assert [c.id for c in cluster] == [first.id, second.id]
        service.restore(session=session, notice_id=notice.id, policy=POLICY, now=wita(11, 15))
        session.commit()
    dispatcher = Dispatcher(engine=engine, policy=POLICY, holder="t")
    dispatcher.tick(wita(11, 15))
    dispatcher.tick(wita(11, 15, 1))
    with Session(engine) as session:
        (question,) = messages(session, notice.id)
        state = session.get(ConversationState, reporter.id)
        statuses = session.scalars(select(Complaint.status).order_by(Complaint.id)).all()
        kinds = session.scalars(select(ComplaintEvent.kind).order_by(ComplaintEvent.id)).all()
        notes = session.scalars(
            select(ComplaintEvent.text).where(ComplaintEvent.to_status == "resolved")
        ).all()
    assert (
        notes
        == [
            f"Air dinyatakan normal kembali (pemberitahuan #{notice.id}); "
            "pelapor ditanya untuk memastikan."
        ]
        * 2
    ), "staff read the history in Indonesian"
    assert question.notice_event == "restore_followup"
    assert "ADU-000001, ADU-000002" in question.text and "YA atau TIDAK" in question.text
    assert "ujung jaringan" in question.text
    assert question.template_kind == "restored"
    assert (state.flow, state.step) == ("restore_check", "ask")
    assert state.data == {"complaint_ids": [first.id, second.id], "notice_id": notice.id}
    assert statuses == ["resolved", "resolved"]
    assert kinds == ["link", "link", "status", "status"]


def test_restoration_stops_the_resolution_clock_in_working_time(engine):
    """Filed Wednesday 13 May at 16:30 WITA, after closing; Ascension Day, its cuti bersama
    and the weekend follow; the water is back Monday 18 May at 09:30: 90 working minutes."""
    with Session(engine, expire_on_commit=False) as session:
        reporter = add_contact(session, "siti", channel="whatsapp")
        notice = new_notice(
            session, now=wita(13, 16), kind="unplanned", starts_at=wita(13, 16), publish=True
        )
        row = complaint(session, reporter, LOK_BAINTAN)
        row.created_at = wita(13, 16, 30)
        linking.link_complaint(session=session, complaint=row, notice=notice, now=wita(13, 16, 30))
        session.commit()
        service.restore(session=session, notice_id=notice.id, policy=POLICY, now=wita(18, 9, 30))
        session.commit()
    Dispatcher(engine=engine, policy=POLICY, holder="t").tick(wita(18, 9, 30))
    with Session(engine) as session:
        resolved = session.get(Complaint, row.id)
        assert (resolved.status, resolved.resolved_at) == ("resolved", wita(18, 9, 30))
        assert resolved.resolution_work_minutes == 90  # by the wall clock: 6,780 minutes
        assert resolved.first_response_work_minutes is None  # nobody answered it
