"""The one text catalogue: every word a customer or a staff member reads, per language.

Sentences live in `core/locales/<language>.toml` (Indonesian first, English complete beside it),
one section per subject: the bot's conversation, the staff console (`[staff]`), and one section
per vocabulary whose keys are the vocabulary's values, so `complaint_status.resolved` is the
label of the status 'resolved'. tests/core/test_texts.py keeps the languages in step.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"


def language_or_default(language: str | None) -> str:
    """A language we have a catalogue for; Indonesian for anything else."""
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


@cache
def catalogue(language: str) -> dict[str, dict[str, Any]]:
    with (LOCALES / f"{language_or_default(language)}.toml").open("rb") as handle:
        return tomllib.load(handle)


def t(language: str | None, key: str, **values: object) -> str:
    """The sentence `section.name` in `language`, with its placeholders filled."""
    section, _, name = key.partition(".")
    template = catalogue(language_or_default(language))[section][name]
    return str(template).format(**values) if values else str(template)


def has(language: str | None, key: str) -> bool:
    section, _, name = key.partition(".")
    return name in catalogue(language_or_default(language)).get(section, {})


def label(language: str | None, vocabulary: str, value: object) -> str:
    """The word for one value of a vocabulary ('complaint_status', 'role', ...).

    A value the catalogue does not know (an old row, a new code) is shown as it is rather
    than failing the page.
    """
    code = str(value) if value is not None else ""
    key = f"{vocabulary}.{code.replace('.', '_')}"
    return t(language, key) if code and has(language, key) else code
