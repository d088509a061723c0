"""`kabar-air areas ...`: look up service areas the way the bot does (mounted by bot/cli.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError

from areas.outside import outside_index
from areas.reference import load_area_index
from core.texts import t


def build_cli(get_engine: Callable[[], Engine]) -> typer.Typer:
    """The `areas` command group; the engine is looked up only when a command runs."""
    cli = typer.Typer(help="Service areas (kecamatan, desa/kelurahan).", no_args_is_help=True)

    @cli.command("find")
    def find(
        text: Annotated[str, typer.Argument(help="A name or a whole sentence")],
        limit: Annotated[int, typer.Option(help="How many candidates at most")] = 5,
    ) -> None:
        """Candidate areas, best first: code, level, name, kecamatan, score (tab-separated);
        then a place outside the service area the text names, with who serves it."""
        try:
            index = load_area_index(get_engine())
        except (OperationalError, ProgrammingError) as error:  # no tables: never migrated
            typer.echo(t("id", "cli.areas_not_loaded"), err=True)
            raise typer.Exit(1) from error
        for match in index.find(text, limit=limit):
            area = match.area
            fields = [
                area.code,
                area.level,
                area.name,
                area.kecamatan_name or "",
                f"{match.score:.1f}",
            ]
            typer.echo("\t".join(fields))
        outside = outside_index().find(text)
        if outside is not None:
            provider = outside.utility or t("id", "area.local_utility")
            where = outside.regency_name if outside.level != "regency" else ""
            fields = [outside.code, outside.level, outside.name, where, "-"]
            typer.echo("\t".join([*fields, t("id", "cli.areas_outside", provider=provider)]))

    return cli
