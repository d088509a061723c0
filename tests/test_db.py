from datetime import UTC, datetime, timedelta, timezone

from sqlmodel import Session, select

from db.models import Contact, ServiceArea


def test_areas_are_loaded_with_their_kecamatan(engine):
    with Session(engine) as session:
        tatah_bangkal = session.exec(
            select(ServiceArea).where(ServiceArea.name == "Tatah Bangkal")
        ).one()
        kecamatan = session.get(ServiceArea, tatah_bangkal.kecamatan_code)
    assert kecamatan.level == "district"
    assert kecamatan.name == "Tatah Makmur"


def test_times_come_back_as_utc_whatever_zone_went_in(engine):
    wita = timezone(timedelta(hours=8))
    with Session(engine) as session:
        contact = Contact(
            channel="console",
            channel_user_id="x",
            last_inbound_at=datetime(2026, 5, 1, 8, tzinfo=wita),
        )
        session.add(contact)
        session.commit()
        session.expire_all()
        stored = session.get(Contact, contact.id)
    assert stored.last_inbound_at == datetime(2026, 5, 1, 0, tzinfo=UTC)
    assert stored.last_inbound_at.tzinfo is not None
