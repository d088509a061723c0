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


def test_migrations_match_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_read_only_work_does_not_take_the_write_lock(engine):
    from sqlalchemy import text

    from db.engine import read_only

    with read_only(engine).connect() as reader:
        reader.execute(text("SELECT count(*) FROM contact")).scalar_one()
        with engine.begin() as writer:  # would wait (and time out) behind an immediate reader
            writer.execute(text("UPDATE response_target SET resolution_minutes = 1"))
