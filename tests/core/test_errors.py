"""`core/errors.py`: refusals carry keys; every key raised anywhere has words in every language."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from core import texts
from core.errors import DomainError, Problem, Term, accepted_language

ROOT = Path(__file__).resolve().parents[2]
PACKAGES: tuple[str, ...] = ("accounts", "areas", "bot", "channels", "complaints")
PACKAGES += ("outage_notices", "reports", "staff", "subscriptions", "core")


def raised_keys() -> set[tuple[str | None, str]]:
    """(field, key) of every `DomainError.of(...)` and `Problem(...)` with literal arguments."""
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call) or len(node.args) < 2:
                    continue
                func = node.func
                named = isinstance(func, ast.Name) and func.id == "Problem"
                named |= isinstance(func, ast.Attribute) and func.attr == "of"
                key = node.args[1]
                if named and isinstance(key, ast.Constant) and isinstance(key.value, str):
                    field = node.args[0]
                    name = field.value if isinstance(field, ast.Constant) else None
                    assert name is None or isinstance(name, str)
                    found.add((name, key.value))
    return found


@pytest.mark.parametrize("language", texts.LANGUAGES)
def test_every_refusal_raised_has_its_message_and_field_in_words(language):
    keys = raised_keys()
    assert len(keys) > 30, "the scan should find the domains' refusals"
    missing = [key for _, key in keys if not texts.has(language, f"error.{key}")]
    missing += [field for field, _ in keys if field and not texts.has(language, f"field.{field}")]
    assert missing == []


def test_a_problem_names_its_field_in_words_and_values_in_words():
    error = DomainError(
        Problem("expected_end_at", "end_after_start"),
        Problem("title", "empty"),
        Problem(
            "status",
            "transition",
            {"before": Term("complaint_status.received"), "after": Term("complaint_status.closed")},
        ),
    )
    assert error.keys() == {
        "expected_end_at": "end_after_start",
        "title": "empty",
        "status": "transition",
    }
    assert error.messages("id") == {
        "expected_end_at": "Waktu selesai harus sesudah waktu mulai.",
        "title": "Judul tidak boleh kosong.",
        "status": "Status tidak bisa berubah dari Diterima menjadi Ditutup.",
    }
    assert error.messages("en")["title"] == "The title must not be empty."
    assert str(error).startswith("The end time must be after the start time.")


def test_the_askers_language_comes_from_accept_language():
    assert accepted_language(None) == "id"
    assert accepted_language("en-US,en;q=0.9") == "en"
    assert accepted_language("fr, en;q=0.3, id;q=0.7") == "id"
    assert accepted_language("de") == "id"
