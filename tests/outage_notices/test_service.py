from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from core.errors import DomainError
from db.models import Notice, NoticeArea, NoticeUpdate, Push
from outage_notices import service
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


def refused(session, **fields) -> DomainError:
    with pytest.raises(DomainError) as caught:
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
        with pytest.raises(DomainError) as caught:
            service.publish(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
        assert caught.value.keys() == {"confirm_short_notice": "short_notice"}
        assert "kurang dari 48 jam" in caught.value.messages("id")["confirm_short_notice"]
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
    assert error.keys() == {"expected_end_at": "end_after_start"}
    assert error.messages("id") == {"expected_end_at": "Waktu selesai harus sesudah waktu mulai."}


def test_unknown_and_missing_areas_are_refused(engine):
    with Session(engine, expire_on_commit=False) as session:
        unknown = refused(session, areas=("99.99",))
        assert unknown.messages("en")["areas"] == "Unknown area '99.99'."
        assert refused(session, areas=()).keys() == {"areas": "areas_none"}
        assert refused(session, areas=("63.03",)).keys() == {"areas": "area_level"}


def test_an_ambiguous_area_name_asks_for_the_code(engine):
    with Session(engine, expire_on_commit=False) as session:
        error = refused(session, areas=("Sungai Tabuk",))
    assert error.keys() == {"areas": "area_ambiguous"}
    assert "63.03.04" in error.messages("id")["areas"]
    assert "63.03.08.2026" in error.messages("id")["areas"]


def test_area_names_are_accepted_when_unique(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, areas=("lok baintan",))
        assert [a.area_code for a in session.scalars(select(NoticeArea))] == [LOK_BAINTAN]
    assert notice.id


def test_text_over_the_whatsapp_limit_is_refused(engine):
    with Session(engine, expire_on_commit=False) as session:
        error = refused(session, advice="Ambil air di posko. " * 90)
    assert error.keys() == {"advice": "notice_too_long"}
    assert "1600" in error.messages("id")["advice"] and "WhatsApp" in error.messages("id")["advice"]


def test_several_bad_fields_are_reported_together(engine):
    with Session(engine, expire_on_commit=False) as session:
        error = refused(session, kind="flood", title=" ", reminder_hours="24,x")
    assert set(error.keys()) == {"kind", "title", "reminder_hours"}


def test_a_cancelled_notice_cannot_be_restored(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, publish=True)
        service.cancel(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
        session.commit()
        with pytest.raises(DomainError) as caught:
            service.restore(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
    assert caught.value.keys() == {"status": "restore_cancelled"}


def test_a_published_notice_that_has_not_started_can_be_restored_but_a_draft_cannot(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, publish=True)
        assert notice.status == "scheduled" and notice.starts_at > NOW
        service.restore(session=session, notice_id=notice.id, policy=POLICY, now=NOW)
        assert notice.status == "restored" and notice.restored_at == NOW
        draft = new_notice(session, now=NOW)
        with pytest.raises(DomainError) as caught:
            service.restore(session=session, notice_id=draft.id, policy=POLICY, now=NOW)
    assert caught.value.keys() == {"status": "restore_not_ongoing"}


def test_an_extension_must_move_the_end_later(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW, starts_at=NOW, kind="unplanned", publish=True)
        with pytest.raises(DomainError) as caught:
            service.extend(
                session=session,
                notice_id=notice.id,
                expected_end_at=NOW + timedelta(hours=2),
                policy=POLICY,
                now=NOW,
            )
    assert caught.value.keys() == {"expected_end_at": "end_not_later"}


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
    # History text is only what staff wrote: no generated English ("changed: advice") that a
    # customer asking about the disruption would be shown as its latest update.
    assert latest.kind == "edited" and latest.text == ""


def test_an_edit_that_breaks_the_notice_changes_nothing(engine):
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(session, now=NOW)
        end = notice.expected_end_at
        with pytest.raises(DomainError) as caught:
            service.update(
                session=session,
                notice_id=notice.id,
                policy=POLICY,
                now=NOW,
                changes={"expected_end_at": notice.starts_at - timedelta(hours=1), "title": "x"},
            )
        session.rollback()
        stored = session.get(Notice, notice.id)
    assert caught.value.keys() == {"expected_end_at": "end_after_start"}
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
