from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from db.models import Notice, NoticeArea, NoticeUpdate, Push
from outage_notices import service
from outage_notices.validation import NoticeInvalid
from tests.outage_notices.builders import (
    LOK_BAINTAN,
    POLICY,
    SUNGAI_TABUK,
    new_notice,
    wita,
)

NOW = wita(11, 9)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def refused(session, **fields) -> NoticeInvalid:
    with pytest.raises(NoticeInvalid) as caught:
        new_notice(session, now=NOW, **fields)
    session.rollback()
    assert count(session, Notice) == 0, "a refused notice must leave nothing behind"
    assert count(session, NoticeArea) == 0
    assert count(session, NoticeUpdate) == 0
    return caught.value


def test_lifecycle_draft_to_restored_keeps_history(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, starts_at=wita(14, 8), hours=8)
        assert notice.status == "draft"
        service.publish(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
        assert notice.status == "scheduled" and not notice.short_notice
        service.start_due(session=session, now=wita(14, 8))
        assert notice.status == "ongoing"
        service.extend(
            session=session,
            notice_id=notice.id,
            expected_end_at=wita(14, 20),
            policy=POLICY,
            now=wita(14, 15),
            text="Katup kedua ikut diganti",
        )
        service.restore(session=session, notice_id=notice.id, policy=POLICY, now=wita(14, 19))
        session.commit()
        kinds = [u.kind for u in service.history(session, notice.id)]
    assert notice.status == "restored"
    assert notice.expected_end_at == wita(14, 20)
    assert kinds == ["restored", "extended", "started", "published", "created"]


def test_a_planned_notice_with_short_lead_needs_confirmation_and_is_marked(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, starts_at=NOW + timedelta(hours=30))
        with pytest.raises(NoticeInvalid) as caught:
            service.publish(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
        assert "confirm_short_notice" in caught.value.errors
        assert "48 h" in caught.value.errors["confirm_short_notice"]
        session.rollback()
        assert session.get(Notice, notice.id).status == "draft"
        assert count(session, Push) == 0
        service.publish(
            session=session, notice_id=notice.id, policy=POLICY, now=NOW, confirm_short_notice=True
        )
        session.commit()
        assert notice.short_notice is True


def test_unplanned_disruptions_need_no_confirmation(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, kind="unplanned", starts_at=NOW, publish=False)
        service.publish(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
    assert notice.status == "ongoing" and not notice.short_notice


def test_end_before_start_is_refused_naming_the_field(engine):
    with Session(engine, expire_on_commit=False) as session:
        error = refused(session, hours=-2)
    assert error.errors == {"expected_end_at": "must be after starts_at"}


def test_unknown_and_missing_areas_are_refused(engine):
    with Session(engine, expire_on_commit=False) as session:
        assert "unknown area '99.99'" in refused(session, areas=("99.99",)).errors["areas"]
        assert "at least one" in refused(session, areas=()).errors["areas"]
        assert "regency" in refused(session, areas=("63.03",)).errors["areas"]


def test_an_ambiguous_area_name_asks_for_the_code(engine):
    with Session(engine, expire_on_commit=False) as session:
        error = refused(session, areas=("Sungai Tabuk",))
    assert "63.03.04" in error.errors["areas"] and "63.03.08.2026" in error.errors["areas"]


def test_area_names_are_accepted_when_unique(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, areas=("lok baintan",))
        assert [a.area_code for a in session.scalars(select(NoticeArea))] == [LOK_BAINTAN]
    assert notice.id


def test_text_over_the_whatsapp_limit_is_refused(engine):
    with Session(engine, expire_on_commit=False) as session:
        error = refused(session, advice="Ambil air di posko. " * 90)
    assert "1600" in error.errors["advice"] and "WhatsApp" in error.errors["advice"]


def test_several_bad_fields_are_reported_together(engine):
    with Session(engine, expire_on_commit=False) as session:
        error = refused(session, kind="flood", title=" ", reminder_hours="24,x")
    assert set(error.errors) == {"kind", "title", "reminder_hours"}


def test_a_cancelled_notice_cannot_be_restored(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, publish=True)
        service.cancel(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
        session.commit()
        with pytest.raises(NoticeInvalid) as caught:
            service.restore(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
    assert "cancelled" in caught.value.errors["status"]


def test_a_notice_that_has_not_started_cannot_be_restored(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, publish=True)
        with pytest.raises(NoticeInvalid) as caught:
            service.restore(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
    assert "not started" in caught.value.errors["status"]


def test_an_extension_must_move_the_end_later(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, starts_at=NOW, kind="unplanned", publish=True)
        with pytest.raises(NoticeInvalid) as caught:
            service.extend(
                session=session,
                notice_id=notice.id,
                expected_end_at=NOW + timedelta(hours=2),
                policy=POLICY,
                now=NOW,
            )
    assert "later than the current expected end" in caught.value.errors["expected_end_at"]


def test_edits_change_the_notice_and_are_kept_as_history(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW)
        service.update(
            session=session,
            notice_id=notice.id,
            policy=POLICY,
            now=NOW,
            changes={"advice": "Mobil tangki di Masjid Al-Amin", "areas": [LOK_BAINTAN]},
        )
        session.commit()
        areas = [a.area_code for a in session.scalars(select(NoticeArea))]
        latest = service.history(session, notice.id)[0]
    assert notice.advice == "Mobil tangki di Masjid Al-Amin"
    assert areas == [LOK_BAINTAN]
    assert latest.kind == "edited" and "advice" in latest.text and "areas" in latest.text


def test_an_edit_that_breaks_the_notice_changes_nothing(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW)
        end = notice.expected_end_at
        with pytest.raises(NoticeInvalid) as caught:
            service.update(
                session=session,
                notice_id=notice.id,
                policy=POLICY,
                now=NOW,
                changes={"expected_end_at": notice.starts_at - timedelta(hours=1), "title": "x"},
            )
        session.rollback()
        stored = session.get(Notice, notice.id)
    assert caught.value.errors == {"expected_end_at": "must be after starts_at"}
    assert stored.expected_end_at == end and stored.title != "x"


def test_times_without_a_zone_are_taken_as_wita(engine):
    with Session(engine, expire_on_commit=False) as session:
        naive = wita(14, 8).astimezone(POLICY.tz).replace(tzinfo=None)
        notice = new_notice(session, now=NOW, starts_at=naive)
    assert notice.starts_at == wita(14, 8)


def test_list_shows_newest_first_and_filters_by_status(engine):
    with Session(engine, expire_on_commit=False) as session:
        first = new_notice(session, now=NOW, starts_at=wita(13, 8))
        second = new_notice(session, now=NOW, starts_at=wita(15, 8), publish=True)
        everything = service.list_notices(session=session)
        scheduled = service.list_notices(session=session, status="scheduled")
    assert [n.id for n in everything] == [second.id, first.id]
    assert [n.id for n in scheduled] == [second.id]


def test_kecamatan_notices_are_stored_with_their_areas(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, areas=(SUNGAI_TABUK, LOK_BAINTAN))
        codes = sorted(a.area_code for a in session.scalars(select(NoticeArea)))
    assert codes == [SUNGAI_TABUK, LOK_BAINTAN] and notice.id
