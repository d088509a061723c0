"""`kabar-air`: run the service, migrate the database, look up areas, chat as a customer."""

from __future__ import annotations

import sys
from functools import cache
from typing import Annotated

import typer
from sqlalchemy import Engine

from accounts.cli import build_cli as accounts_cli
from areas.cli import build_cli as areas_cli
from bot.database import upgrade
from core.settings import Settings, get_settings
from db.engine import make_engine
from outage_notices.cli import build_cli as notice_cli

app = typer.Typer(help="Kabar Air: complaints and outage notices for water utilities.")
db_app = typer.Typer(help="Database schema and reference data.")
app.add_typer(db_app, name="db")


@cache
def get_engine() -> Engine:
    return make_engine(get_settings().database_url)


app.add_typer(areas_cli(get_engine), name="areas")
app.add_typer(accounts_cli(get_engine, get_settings), name="staff")
app.add_typer(notice_cli(get_engine, get_settings), name="notice")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations and load the official service areas."""
    count = upgrade(get_engine())
    typer.echo(f"database at head; {count} service areas loaded")


@app.command()
def chat(
    sender: Annotated[str, typer.Option(help="Customer identity on the console")] = "",
    name: Annotated[str | None, typer.Option(help="Customer display name")] = None,
) -> None:
    """Talk to the bot as a customer; pipe lines in to script a conversation."""
    from bot.runtime import Runtime
    from channels.console import DEFAULT_SENDER, run_console
    from channels.messages import Inbound, Outbound

    runtime = Runtime.start(get_settings(), engine=get_engine())

    def handle(inbound: Inbound) -> list[Outbound]:
        return runtime.conversation.handle(inbound, queue_replies=False).replies

    interactive = sys.stdin.isatty()
    if interactive:
        typer.echo("Kabar Air — console. Ketik 'menu' untuk mulai, Ctrl-D untuk keluar.\n")
    run_console(
        handle,
        sender_id=sender or DEFAULT_SENDER,
        stdin=sys.stdin,
        stdout=sys.stdout,
        interactive=interactive,
        display_name=name,
    )


@app.command()
def serve() -> None:
    """Start the web service (webhooks, staff console, API) on the configured host and port."""
    import uvicorn

    from bot.app import create_app
    from bot.logs import configure_logging
    from bot.process import tune_for_serving

    settings = get_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    tune_for_serving()  # after the app is built, so its objects are frozen with the rest
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")


@app.command()
def run(
    demo: Annotated[bool, typer.Option(help="Seed clearly marked demo disruptions")] = True,
) -> None:
    """Migrate, load areas, seed the demo, then serve: what `make run` does."""
    settings = get_settings()
    db_upgrade()
    if demo:
        seed_demo()
    _print_how_to_chat(settings)
    serve()


@app.command("demo")
def seed_demo() -> None:
    """Add the demo disruptions in the border kecamatan (idempotent, marked [DEMO])."""
    from sqlmodel import Session

    from db.types import utcnow
    from outage_notices.demo import seed_demo as seed

    with Session(get_engine()) as session:
        created = seed(session, now=utcnow(), tz=get_settings().tz)
        session.commit()
    typer.echo(f"demo disruptions ready ({created} new)")


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
