"""`kabar-air backup FILE` and `kabar-air restore FILE`: the whole service's data in one file.

Copying the files of a running SQLite database is not a backup: in WAL mode the newest
writes live in the `-wal` file, and the intake journal (db.journal) is a second file whose
unanswered messages belong with the main one. So:

- SQLite: SQLite's online backup API copies each file page by page as one consistent
  snapshot while the service keeps writing, main file and intake side file both, into one
  `.tar.gz` with a manifest (what, when, at which schema revision).
- PostgreSQL: `pg_dump --format=custom` (the PostgreSQL client on PATH, the server's major
  version or newer) into the same kind of archive; restore with `pg_restore --clean
  --single-transaction`, so a failed restore leaves the database as it was.

Restore writes over the configured database. It refuses while a live process of the service
holds a lease in that database (it is running) unless told `force`; stop the service first.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import URL, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from db.engine import reading
from db.journal import journal_path
from db.migrate import current_revision
from db.models import SchedulerLease

MANIFEST, MAIN, JOURNAL, DUMP = (
    "manifest.json",
    "kabar-air.db",
    "kabar-air.intake.db",
    "kabar-air.pgdump",
)
MEMBERS = {MANIFEST, MAIN, JOURNAL, DUMP}
FORMAT = 1
LEASE = SchedulerLease.__table__


class BackupError(Exception):
    """Why a backup or restore was refused or failed, in words for the operator."""


@dataclass(frozen=True)
class Manifest:
    backend: str  # sqlite | postgresql
    revision: str | None  # the Alembic revision of the schema inside
    created_at: str  # ISO 8601, UTC
    files: list[str] = field(default_factory=list)
    format: int = FORMAT


# -- backup ---------------------------------------------------------------------------------
def backup(engine: Engine, target: Path, *, now: datetime) -> Manifest:
    """Write a consistent copy of the service's data to `target` (safe while it runs)."""
    target = target.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kabar-backup-", dir=target.parent) as work:
        folder = Path(work)
        if engine.dialect.name == "sqlite":
            files = _copy_sqlite_files(_sqlite_file(engine), folder)
            revision = _sqlite_revision(folder / MAIN)
        elif engine.dialect.name == "postgresql":
            revision = _revision(engine)
            _run(["pg_dump", "--format=custom", f"--file={folder / DUMP}"], engine.url)
            files = [DUMP]
        else:
            raise BackupError(f"no backup for a {engine.dialect.name} database")
        manifest = Manifest(engine.dialect.name, revision, now.isoformat(), files)
        (folder / MANIFEST).write_text(json.dumps(asdict(manifest), indent=2))
        partial = folder / "archive.partial"
        with tarfile.open(partial, "w:gz") as archive:
            for name in [MANIFEST, *files]:
                archive.add(folder / name, arcname=name)
        os.replace(partial, target)  # never a half-written archive under the final name
    return manifest


def _copy_sqlite_files(main: Path, folder: Path) -> list[str]:
    if not main.exists():
        raise BackupError(f"there is no database at {main}")
    _sqlite_copy(main, folder / MAIN)
    journal = journal_path(str(main))
    if not journal.exists():
        return [MAIN]
    _sqlite_copy(journal, folder / JOURNAL)
    return [MAIN, JOURNAL]


def _sqlite_copy(source: Path, target: Path) -> None:
    """One consistent snapshot of `source` into `target` (a single self-contained file)."""
    with (
        closing(sqlite3.connect(source, timeout=30)) as reading,
        closing(sqlite3.connect(target)) as writing,
    ):
        reading.backup(writing)
        writing.execute("PRAGMA journal_mode=DELETE")  # no -wal beside the copy


# -- restore --------------------------------------------------------------------------------
def read_manifest(source: Path) -> Manifest:
    with tarfile.open(source, "r:*") as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{source} is not a Kabar Air backup (no {MANIFEST})")
        return Manifest(**json.loads(member.read()))


def restore(engine: Engine, source: Path, *, now: datetime, force: bool = False) -> Manifest:
    """Replace the configured database's data with the backup's; the schema comes with it."""
    try:
        manifest = read_manifest(source)
    except (tarfile.TarError, KeyError, OSError, TypeError, ValueError) as error:
        raise BackupError(f"{source} is not a Kabar Air backup ({error})") from error
    if manifest.backend != engine.dialect.name:
        raise BackupError(
            f"this backup is of a {manifest.backend} database; DATABASE_URL names a "
            f"{engine.dialect.name} one"
        )
    holders = live_holders(engine, now=now)
    if holders and not force:
        raise BackupError(
            "the service is running on this database (live: "
            + ", ".join(holders)
            + "): stop it first, or pass --force to restore under it"
        )
    with tempfile.TemporaryDirectory(prefix="kabar-restore-") as work:
        folder = Path(work)
        _extract(source, folder, manifest.files)
        if manifest.backend == "sqlite":
            _restore_sqlite(engine, folder, manifest.files)
        else:
            options = ["--clean", "--if-exists", "--no-owner", "--no-privileges"]
            _run(["pg_restore", *options, "--single-transaction", str(folder / DUMP)], engine.url)
    engine.dispose()  # pooled connections saw the old tables
    return manifest


def _extract(source: Path, folder: Path, names: list[str]) -> None:
    """Only the files the manifest names, each written by us (no paths from the archive)."""
    with tarfile.open(source, "r:*") as archive:
        for name in names:
            if name not in MEMBERS:
                raise BackupError(f"unexpected file {name!r} in {source}")
            member = archive.extractfile(name)
            if member is None:
                raise BackupError(f"{name} is missing from {source}")
            with member, open(folder / name, "wb") as out:
                shutil.copyfileobj(member, out, 1024 * 1024)


def _restore_sqlite(engine: Engine, folder: Path, files: list[str]) -> None:
    main = _sqlite_file(engine)
    main.parent.mkdir(parents=True, exist_ok=True)
    engine.dispose()
    _sqlite_copy_into(folder / MAIN, main)
    journal = journal_path(str(main))
    if JOURNAL in files:
        _sqlite_copy_into(folder / JOURNAL, journal)
    elif journal.exists():  # today's queue does not belong with yesterday's database
        with closing(sqlite3.connect(journal, timeout=30)) as connection, connection:
            connection.execute("DELETE FROM inbound_receipt")


def _sqlite_copy_into(source: Path, target: Path) -> None:
    """Through SQLite itself, so a target in WAL mode (and its readers) stay consistent."""
    with (
        closing(sqlite3.connect(source)) as reading,
        closing(sqlite3.connect(target, timeout=30)) as writing,
    ):
        reading.backup(writing)


# -- shared ---------------------------------------------------------------------------------
def live_holders(engine: Engine, *, now: datetime) -> list[str]:
    """'lease: holder' for every lease a live process holds (none: nothing runs on it)."""
    statement = select(LEASE.c.name, LEASE.c.holder).where(LEASE.c.expires_at >= now)
    try:
        with reading(engine) as connection:
            return [f"{name}: {holder}" for name, holder in connection.execute(statement)]
    except SQLAlchemyError:  # no such table yet, or no such database file: nothing runs
        return []


def _sqlite_file(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(database).resolve()


def _sqlite_revision(copy: Path) -> str | None:
    with closing(sqlite3.connect(copy)) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return row[0] if row else None


def _revision(engine: Engine) -> str | None:
    with reading(engine) as connection:
        return current_revision(connection)


def _run(command: list[str], url: URL) -> None:
    """A PostgreSQL client tool against `url`; the password goes by environment, not argv."""
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(
            f"{command[0]} is not on PATH: install the PostgreSQL client tools "
            "(the server's major version or newer)"
        )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    done = subprocess.run(
        [tool, *command[1:], f"--dbname={dsn}"], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-2000:]}")
