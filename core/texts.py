"""Message catalogues (core/locales/*.toml): every customer-facing sentence lives there."""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("id", "en")


@cache
def catalogue(language: str) -> dict:
    with (LOCALES / f"{language}.toml").open("rb") as handle:
        return tomllib.load(handle)


def t(language: str, key: str, **values: object) -> str:
    """The sentence `section.name` in `language`, with its placeholders filled."""
    section, _, name = key.partition(".")
    template = catalogue(language if language in LANGUAGES else "id")[section][name]
    return template.format(**values) if values else template


def format_time(moment: datetime, language: str, tz: ZoneInfo) -> str:
    """A UTC moment as a person in WITA reads it: 'Senin, 30 Nov 2026 pukul 08.00 WITA'."""
    local = moment.astimezone(tz)
    words = catalogue(language if language in LANGUAGES else "id")["time"]
    return words["format"].format(
        day=words["days"][local.weekday()],
        date=local.day,
        month=words["months"][local.month - 1],
        year=local.year,
        hour=local.hour,
        minute=local.minute,
    )
