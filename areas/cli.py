"""`kabar-air areas ...`: look up service areas the way the bot does (mounted by bot/cli.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer
from sqlalchemy import Engine

from areas.reference import load_area_index


def build_cli(get_engine: Callable[[], Engine]) -> typer.Typer:
    """The `areas` command group; the engine is looked up only when a command runs."""
    cli = typer.Typer(help="Service areas (kecamatan, desa/kelurahan).", no_args_is_help=True)

    @cli.command("find")
    def find(
        text: Annotated[str, typer.Argument(help="A name or a whole sentence")],
        limit: Annotated[int, typer.Option(help="How many candidates at most")] = 5,
    ) -> None:
        """Candidate areas, best first: code, level, name, kecamatan, score (tab-separated)."""
        for match in load_area_index(get_engine()).find(text, limit=limit):
            area = match.area
            fields = [
                area.code,
                area.level,
                area.name,
                area.kecamatan_name or "",
                f"{match.score:.1f}",
            ]
            typer.echo("\t".join(fields))

    return cli
