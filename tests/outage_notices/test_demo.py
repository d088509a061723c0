from sqlalchemy import select
from sqlmodel import Session

from db.models import Message, Notice, NoticeArea, Push, RotationSchedule
from outage_notices import rotation
from outage_notices.demo import seed_demo
from outage_notices.lookup import ongoing_disruption
from outage_notices.scheduled import Dispatcher
from tests.outage_notices.builders import POLICY, SUNGAI_TABUK, TATAH_BANGKAL, add_contact, wita

NOW = wita(11, 9)


def test_demo_disruptions_are_marked_idempotent_and_never_pushed(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "ani", SUNGAI_TABUK)
        assert seed_demo(session, NOW, POLICY.tz) == 6
        session.commit()
        assert seed_demo(session, NOW, POLICY.tz) == 0
        session.commit()
        notices = list(session.scalars(select(Notice)))
        kecamatan = set(session.scalars(select(NoticeArea.area_code)))
    assert len(notices) == 5
    assert all(n.is_demo and n.title.startswith("[DEMO] ") for n in notices)
    assert {n.status for n in notices} == {"ongoing", "scheduled"}
    assert {n.kind for n in notices} == {"planned", "unplanned", "low_pressure", "bulk_reduction"}
    assert kecamatan == {"63.03.01", "63.03.02", "63.03.04", "63.03.13", "63.03.19"}
    Dispatcher(engine=engine, policy=POLICY).tick(NOW)
    with Session(engine) as session:
        assert session.scalars(select(Message)).all() == []
        assert session.scalars(select(Push)).all() == []


def test_demo_has_a_giliran_for_tatah_bangkal_and_an_ongoing_one_in_sungai_tabuk(engine):
    with Session(engine, expire_on_commit=False) as session:
        seed_demo(session, NOW, POLICY.tz)
        session.commit()
        windows = rotation.windows_for(
            session=session, area_code=TATAH_BANGKAL, day=NOW.date(), tz=POLICY.tz
        )
        ongoing = ongoing_disruption(
            session.connection(), code="63.03.04.2004", kecamatan_code="63.03.04", now=NOW
        )
        schedules = session.scalars(select(RotationSchedule)).all()
    assert len(schedules) == 2 and all(s.note.startswith("[DEMO]") for s in schedules)
    assert [w.starts_at for w in windows] == [wita(11, 5)]
    assert ongoing.title == "[DEMO] Tekanan rendah di Sungai Tabuk"
