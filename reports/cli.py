"""`kabar-air report monthly --month 2026-11 --pdf FILE --xlsx FILE` (mounted by bot/cli.py).

The same files the console's download buttons give, in the utility's default language; a
month that is not one exits with status 2 and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from sqlalchemy import Engine
from sqlmodel import Session

from core.settings import Settings
from core.texts import t
from db.engine import read_only
from db.types import utcnow
from reports import monthly


def build_cli(
    get_engine: Callable[[], Engine], get_settings: Callable[[], Settings]
) -> typer.Typer:
    """The `report` command group; engine and settings are looked up only when a command runs."""
    cli = typer.Typer(help="Complaint-handling reports.", no_args_is_help=True)

    @cli.callback()
    def reports() -> None:
        """Complaint-handling reports (a group, so `report monthly` reads the same alone)."""

    @cli.command("monthly")
    def monthly_report(
        month: Annotated[str, typer.Option(help="The month, YYYY-MM (default: last month)")] = "",
        pdf: Annotated[Path | None, typer.Option(help="Write the summary PDF here")] = None,
        xlsx: Annotated[Path | None, typer.Option(help="Write the spreadsheet here")] = None,
    ) -> None:
        """Write a month's summary PDF and/or its spreadsheet."""
        settings = get_settings()
        tz, language = settings.tz, settings.default_language
        now = utcnow()
        chosen = month or _last_month(now, tz)
        period = monthly.month_period(chosen, tz)
        if period is None:
            typer.echo(t(language, "report.bad_month", value=chosen), err=True)
            raise typer.Exit(2)
        if pdf is None and xlsx is None:
            raise typer.BadParameter("--pdf FILE and/or --xlsx FILE", param_hint="--pdf")
        start, end = period
        written = []
        with Session(read_only(get_engine())) as session:
            for path, write in ((pdf, monthly.monthly_pdf), (xlsx, monthly.monthly_xlsx)):
                if path is None:
                    continue
                path.write_bytes(
                    write(
                        session=session,
                        start=start,
                        end=end,
                        now=now,
                        tz=tz,
                        utility=settings.utility_name,
                        language=language,
                    )
                )
                written.append(str(path))
        typer.echo(t(language, "report.written", month=chosen, files=", ".join(written)))

    return cli


def _last_month(now: datetime, tz: ZoneInfo) -> str:
    first = now.astimezone(tz).date().replace(day=1)
    return (first - timedelta(days=1)).strftime("%Y-%m")
