"""Response-time figures: medians, p90, within target, open past target, per kecamatan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from db.models import Complaint, Notice, ServiceArea
from reports import service
from tests.staff.factories import add_complaint

DAY = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)


def _code(engine, name):
    with Session(engine) as session:
        return session.exec(select(ServiceArea.code).where(ServiceArea.name == name)).first()


def _answer(engine, complaint_id, minutes, resolved_minutes=None):
    with Session(engine) as session:
        complaint = session.get(Complaint, complaint_id)
        complaint.first_response_at = complaint.created_at + timedelta(minutes=minutes)
        if resolved_minutes is not None:
            complaint.resolved_at = complaint.created_at + timedelta(minutes=resolved_minutes)
            complaint.status = "resolved"
        session.add(complaint)
        session.commit()


def test_figures_per_category_and_kecamatan(engine):
    tatah = _code(engine, "Tatah Bangkal")
    gambut = _code(engine, "Gambut")
    # no_water target: 60 min first response
    a = add_complaint(engine, category="no_water", area_code=tatah, now=DAY)
    b = add_complaint(engine, category="no_water", area_code=tatah, user_id="2", now=DAY)
    c = add_complaint(engine, category="no_water", area_code=gambut, user_id="3", now=DAY)
    d = add_complaint(engine, category="billing", area_code=gambut, user_id="4", now=DAY)
    _answer(engine, a.id, 30, resolved_minutes=300)
    _answer(engine, b.id, 90)
    del c, d  # c unanswered: past its 60-minute target; d (billing, 24 h) not yet
    with Session(engine) as session:
        report = service.build(
            session=session, start=DAY, end=DAY + timedelta(days=1), now=DAY + timedelta(hours=3)
        )
    by_category = {g.key: g for g in report.by_category}
    water = by_category["no_water"]
    assert (water.count, water.answered, water.within_target) == (3, 2, 1)
    assert water.pct_within_target == 33.3
    assert water.first_median() == 60.0 and water.first_p90() == 90.0
    assert water.resolution_median() == 300.0
    assert water.open_past_target == 1  # c; b was answered and its 24 h resolution is not due
    assert by_category["billing"].open_past_target == 0
    by_kecamatan = {g.key: g.count for g in report.by_kecamatan}
    assert by_kecamatan == {"Tatah Makmur": 2, "Gambut": 2}
    assert report.total.count == 4


def test_short_notice_planned_works_are_listed(engine):
    with Session(engine) as session:
        session.add(
            Notice(
                kind="planned",
                title="Ganti pipa",
                starts_at=DAY + timedelta(hours=5),
                short_notice=True,
                published_at=DAY,
                status="scheduled",
            )
        )
        session.add(
            Notice(
                kind="planned",
                title="Tepat waktu",
                starts_at=DAY + timedelta(hours=5),
                published_at=DAY - timedelta(days=3),
                status="scheduled",
            )
        )
        session.commit()
        report = service.build(session=session, start=DAY, end=DAY + timedelta(days=1), now=DAY)
    assert [n.title for n in report.short_notice] == ["Ganti pipa"]
