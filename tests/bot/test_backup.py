"""`kabar-air backup` and `kabar-air restore` (bot.backup): a backup restored into a fresh
database has the same complaints, notices, subscribers and waiting customer messages; a
running service's database is not overwritten unless forced; the CLI says what it did.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlmodel import Session, col

from bot.backup import BackupError, backup, read_manifest, restore
from channels.intake import accept, waiting
from channels.messages import Inbound
from db import lease
from db.engine import make_engine
from db.journal import intake_journal
from db.migrate import head_revision
from db.models import Complaint, Contact, Notice, Subscription
from db.types import utcnow
from db.vocab import Channel
from tests.conftest import BACKEND, PG_URL
from tests.outage_notices.builders import add_contact, new_notice
from tests.staff.factories import add_complaint

KABAR_AIR = Path(sys.executable).parent / "kabar-air"
LOK_BAINTAN, GAMBUT = "63.03.04.2004", "63.03.03"


@pytest.fixture
def fresh_url(tmp_path) -> Iterator[str]:
    """An empty database to restore into: a new file, or a scratch database on the server."""
    if BACKEND == "sqlite":
        yield f"sqlite:///{tmp_path}/restored/kabar-air.db"
        return
    name = f"kabar_restore_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fill(engine: Engine) -> None:
    """Complaints, notices, subscribers, and a customer message the service has not answered."""
    now = utcnow()
    for n, category in enumerate(("no_water", "leak", "quality")):
        add_complaint(engine, user_id=f"55500{n}", category=category, now=now)
    with Session(engine) as session:
        add_contact(session, "7001", LOK_BAINTAN)
        add_contact(session, "whatsapp:+6281100000001", GAMBUT, LOK_BAINTAN, channel="whatsapp")
        new_notice(session, now=now, title="Perbaikan pipa di Lok Baintan", publish=True)
        new_notice(session, now=now + timedelta(minutes=1), title="Pembersihan reservoir")
    journal = intake_journal(engine)
    accept(journal, Inbound(Channel.TELEGRAM, "7009", "air keruh di gambut", raw_id="9001"))
    if journal is not engine:
        journal.dispose()


COMPLAINTS = select(col(Complaint.ticket_number), col(Complaint.category)).order_by(
    col(Complaint.id)
)
NOTICES = select(col(Notice.title), col(Notice.status)).order_by(col(Notice.id))
SUBSCRIBERS = (
    select(col(Contact.channel_user_id), col(Subscription.area_code))
    .join(Subscription, col(Subscription.contact_id) == col(Contact.id))
    .order_by(col(Contact.channel_user_id), col(Subscription.area_code))
)


def contents(engine: Engine) -> dict[str, list[tuple]]:
    found: dict[str, list[tuple]] = {}
    with Session(engine) as session:
        for name, query in (
            ("complaints", COMPLAINTS),
            ("notices", NOTICES),
            ("subscribers", SUBSCRIBERS),
        ):
            found[name] = [tuple(row) for row in session.execute(query)]
    journal = intake_journal(engine)
    found["waiting"] = [(i.sender_id, i.text) for i in waiting(journal)]
    if journal is not engine:
        journal.dispose()
    return found


def test_a_backup_restored_into_a_fresh_database_has_the_same_data(engine, fresh_url, tmp_path):
    fill(engine)
    before = contents(engine)
    assert len(before["complaints"]) == 3 and len(before["notices"]) == 2
    assert len(before["subscribers"]) == 3 and before["waiting"] == [
        ("7009", "air keruh di gambut")
    ]

    archive = tmp_path / "backups" / "kabar-air.tar.gz"
    made = backup(engine, archive, now=utcnow())
    assert made.backend == BACKEND and made.revision == head_revision()
    assert read_manifest(archive) == made

    fresh = make_engine(fresh_url)
    try:
        restored = restore(fresh, archive, now=utcnow())
        assert restored == made
        assert contents(fresh) == before
    finally:
        fresh.dispose()


def test_restore_refuses_a_running_services_database_unless_forced(engine, tmp_path):
    fill(engine)
    archive = tmp_path / "kabar-air.tar.gz"
    backup(engine, archive, now=utcnow())
    add_complaint(engine, user_id="5559999")  # made after the backup
    holder = lease.holder_name()
    assert lease.acquire(engine, name="notices", holder=holder, now=utcnow(), seconds=60)

    with pytest.raises(BackupError, match="the service is running on this database"):
        restore(engine, archive, now=utcnow())
    assert len(contents(engine)["complaints"]) == 4  # untouched

    restore(engine, archive, now=utcnow(), force=True)
    assert len(contents(engine)["complaints"]) == 3


def test_an_archive_of_the_other_backend_or_no_archive_is_refused(engine, tmp_path):
    other = "postgresql" if BACKEND == "sqlite" else "sqlite"
    with pytest.raises(BackupError, match="not a Kabar Air backup"):
        restore(engine, tmp_path / "missing.tar.gz", now=utcnow())
    foreign = tmp_path / "other.tar.gz"
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"backend": other, "revision": None, "created_at": ""}))
    with tarfile.open(foreign, "w:gz") as archive:
        archive.add(manifest, arcname="manifest.json")
    with pytest.raises(BackupError, match=f"this backup is of a {other} database"):
        restore(engine, foreign, now=utcnow())


def test_the_commands_back_up_and_restore_and_say_so(database_url, engine, fresh_url, tmp_path):
    fill(engine)
    archive = tmp_path / "nightly.tar.gz"
    env = {**os.environ, "DATABASE_URL": database_url, "TELEGRAM_BOT_TOKEN": ""}
    made = subprocess.run(
        [str(KABAR_AIR), "backup", str(archive)], env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    assert f"{BACKEND} backup at schema revision {head_revision()}" in made.stdout

    env["DATABASE_URL"] = fresh_url
    done = subprocess.run(
        [str(KABAR_AIR), "restore", str(archive)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert f"restored {archive}" in done.stdout
    fresh = make_engine(fresh_url)
    try:
        assert contents(fresh) == contents(engine)
    finally:
        fresh.dispose()
