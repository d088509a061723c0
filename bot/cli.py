"""`kabar-air`: run the service, migrate the database, look up areas, chat as a customer."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import Engine

from accounts.cli import build_cli as accounts_cli
from areas.cli import build_cli as areas_cli
from bot.database import upgrade
from complaints.cli import build_cli as calendar_cli
from complaints.cli import build_complaints_cli as complaints_cli
from core.settings import Settings, get_settings
from core.texts import t
from db.engine import make_engine
from outage_notices.cli import build_cli as notice_cli
from reports.cli import build_cli as report_cli

if TYPE_CHECKING:
    from fastapi import FastAPI

    from bot.runtime import Runtime

WORKER_STARTUP_SECONDS = 90  # uvicorn's 5 s killed workers still importing on a busy host
SCHEMA_BEHIND_EXIT = 78  # EX_CONFIG: supervisors (systemd) do not restart it in a loop

app = typer.Typer(help="Kabar Air: complaints and outage notices for water utilities.")
db_app = typer.Typer(help="Database schema and reference data.")
app.add_typer(db_app, name="db")


@cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


app.add_typer(areas_cli(get_engine), name="areas")
app.add_typer(accounts_cli(get_engine, get_settings), name="staff")
app.add_typer(notice_cli(get_engine, get_settings), name="notice")
app.add_typer(report_cli(get_engine, get_settings), name="report")
app.add_typer(calendar_cli(get_engine, get_settings), name="calendar")
app.add_typer(complaints_cli(get_engine, get_settings), name="complaints")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations and load the official service areas."""
    count = upgrade(get_engine())
    typer.echo(t(get_settings().default_language, "cli.db_ready", count=count))


@app.command()
def chat(
    sender: Annotated[str, typer.Option(help="Customer identity on the console")] = "",
    name: Annotated[str | None, typer.Option(help="Customer display name")] = None,
) -> None:
    """Talk to the bot as a customer; pipe lines in to script a conversation."""
    from bot.runtime import Runtime
    from channels.console import DEFAULT_SENDER, run_console, take_waiting
    from channels.messages import Inbound, Outbound
    from db.types import utcnow

    runtime = Runtime.start(get_settings(), engine=get_engine())
    sender = sender or DEFAULT_SENDER
    waiting = take_waiting(get_engine(), sender_id=sender, now=utcnow())

    def handle(inbound: Inbound) -> list[Outbound]:
        return runtime.conversation.handle(inbound, queue_replies=False).replies

    interactive = sys.stdin.isatty()
    if interactive:
        typer.echo("Kabar Air — console. Ketik 'menu' untuk mulai, Ctrl-D untuk keluar.\n")
    run_console(
        handle,
        sender_id=sender,
        stdin=sys.stdin,
        stdout=sys.stdout,
        interactive=interactive,
        display_name=name,
        waiting=waiting,
    )


@app.command()
def serve(
    migrate: Annotated[
        bool, typer.Option("--migrate", help="Bring the schema to head first (one process only)")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Service processes on this host (PostgreSQL only; they share the work)",
        ),
    ] = 1,
) -> None:
    """Start the web service (webhooks, staff console, API) on the configured host and port.

    It refuses to start on a database whose schema is not at this version's head: run
    `kabar-air db upgrade` once first, or pass --migrate. With --workers N, N processes share
    the port and the work (docs/operations.md, "Scale").
    """
    import uvicorn

    from bot.logs import configure_logging, log_config

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    if workers > 1 and get_engine().dialect.name != "postgresql":
        typer.echo(
            "kabar-air will not start: --workers needs PostgreSQL. SQLite lets one process "
            "write at a time, so the service runs as one process on it (leave --workers out, "
            "or set DATABASE_URL to a PostgreSQL database).",
            err=True,
        )
        raise typer.Exit(2)
    if migrate:
        db_upgrade()
    refuse_an_old_schema()
    get_engine().dispose()  # the workers open their own connections
    if workers > 1:
        share_process_metrics()
    # proxy headers are read by the app itself (bot.app, FORWARDED_ALLOW_IPS), not twice
    uvicorn.run(
        "bot.cli:serving_app" if workers > 1 else serving_app(),
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
        host=settings.host,
        port=settings.port,
        log_level="info",
        log_config=log_config(settings.log_level, settings.log_format),  # masking, json
        proxy_headers=False,
    )


def share_process_metrics() -> None:
    """Workers count into one directory, so /metrics adds them up whichever worker answers."""
    import os
    import tempfile

    from bot.metrics import MULTIPROC_DIR

    if not os.environ.get(MULTIPROC_DIR):  # an operator's own directory is theirs to empty
        os.environ[MULTIPROC_DIR] = tempfile.mkdtemp(prefix="kabar-air-metrics-")


def serving_app(runtime: Runtime | None = None) -> FastAPI:
    """The app one serving process runs (uvicorn calls this in each of --workers N); a bench
    may hand in a runtime of its own (bench/answering_apart.py)."""
    from bot.app import create_app
    from bot.logs import configure_logging
    from bot.process import tune_for_serving

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = create_app(settings, runtime=runtime)
    tune_for_serving()  # after the app is built, so its objects are frozen with the rest
    return app


def refuse_an_old_schema() -> None:
    """Exit with the reason and the remedy when the schema is not at this version's head."""
    from bot.database import schema_behind

    behind = schema_behind(get_engine())
    if behind is not None:
        typer.echo(
            f"kabar-air will not start: {behind}.\n"
            "Back up the database (kabar-air backup FILE), then run `kabar-air db upgrade` "
            "once (or start with `kabar-air serve --migrate`). A database newer than this "
            "version needs the newer version.",
            err=True,
        )
        raise typer.Exit(SCHEMA_BEHIND_EXIT)


@app.command()
def run(
    demo: Annotated[
        bool | None,
        typer.Option(
            "--demo/--no-demo",
            help="Seed clearly marked demo disruptions (default: yes, except in production)",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Migrate, load areas, seed the demo (not in production), then serve: what `make run` does."""
    settings = get_settings()
    db_upgrade()
    if demo or (demo is None and not settings.production):
        seed_demo()
    _print_how_to_chat(settings)
    serve()


@app.command("demo")
def seed_demo(
    history: Annotated[
        int,
        typer.Option(
            "--history",
            min=0,
            max=3660,
            metavar="DAYS",
            help="Also add DAYS days of demo complaints, answered and rated, for the reports",
        ),
    ] = 0,
) -> None:
    """Add the demo disruptions in the border kecamatan (idempotent, marked [DEMO])."""
    from sqlmodel import Session

    from complaints.demo import seed_history
    from db.types import utcnow
    from outage_notices.demo import seed_demo as seed

    settings = get_settings()
    with Session(get_engine()) as session:
        created = seed(session, now=utcnow(), tz=settings.tz)
        session.commit()
    typer.echo(f"demo disruptions ready ({created} new)")
    if history:
        with Session(get_engine()) as session:
            filed = seed_history(
                session=session,
                days=history,
                now=utcnow(),
                tz=settings.tz,
                ticket_prefix=settings.ticket_prefix,
            )
            session.commit()
        typer.echo(f"demo complaint history ready ({filed} new, {history} days)")


def _print_how_to_chat(settings: Settings) -> None:
    channels = ["console", "web"]
    if settings.telegram_enabled:
        channels.append("telegram")
    if settings.whatsapp_enabled:
        channels.append("whatsapp")
    base = f"http://{settings.host}:{settings.port}"
    typer.echo(
        f"\nKabar Air for {settings.utility_name}\n"
        f"  channels on: {', '.join(channels)}\n"
        f"  health:      {base}/healthz\n"
        f"  staff:       {base}/staff  (create an account: .venv/bin/kabar-air staff add NAME)\n"
        "  chat:        .venv/bin/kabar-air chat\n"
        "  scripted:    printf 'halo\\n1\\nsungai tabuk\\n' | .venv/bin/kabar-air chat\n"
    )


@app.command("backup")
def backup_command(
    file: Annotated[
        Path, typer.Argument(help="The archive to write, e.g. kabar-air-2026-12-01.tar.gz")
    ],
) -> None:
    """Write a consistent copy of the database and the intake journal to FILE, while it runs."""
    from bot.backup import BackupError, backup
    from db.types import utcnow

    try:
        manifest = backup(get_engine(), file, now=utcnow())
    except BackupError as error:
        typer.echo(f"backup failed: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"{file}: {manifest.backend} backup at schema revision {manifest.revision}")


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="An archive written by `kabar-air backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="Restore even though the service is running on it")
    ] = False,
) -> None:
    """Replace the configured database's data with a backup's. Stop the service first."""
    from bot.backup import BackupError, restore
    from db.migrate import head_revision
    from db.types import utcnow

    try:
        manifest = restore(get_engine(), file, now=utcnow(), force=force)
    except BackupError as error:
        typer.echo(f"restore refused: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"restored {file} (taken {manifest.created_at}, schema {manifest.revision})")
    if manifest.revision != head_revision():
        typer.echo("the schema is older than this version: run `kabar-air db upgrade` next")
