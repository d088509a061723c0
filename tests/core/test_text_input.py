"""Text from outside is made storable: what core.text_input keeps, drops and replaces."""

from __future__ import annotations

import pytest

from core.text_input import REPLACEMENT, clean_optional, clean_text, clean_value


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("air mati di Sungai Tabuk", "air mati di Sungai Tabuk"),
        ("baris satu\nbaris dua\tkolom", "baris satu\nbaris dua\tkolom"),
        ("a\x00b", "ab"),
        ("bel\x07 esc\x1b del\x7f", "bel esc del"),
        ("windows\r\nline", "windows\nline"),
        ("lone \ud800 surrogate", f"lone {REPLACEMENT} surrogate"),
        ("emoji 💧 and Jl. Ahmad Yani Km. 7", "emoji 💧 and Jl. Ahmad Yani Km. 7"),
    ],
)
def test_only_what_a_database_refuses_or_a_person_cannot_see_is_changed(raw, clean):
    assert clean_text(raw) == clean
    clean_text(raw).encode("utf-8")  # always encodable: SQLite's driver needs it


def test_unchanged_text_is_the_same_object():
    text = "halo"
    assert clean_text(text) is text


def test_json_values_are_cleaned_all_the_way_down():
    value = {"note\x00": ["a\x00", {"b": "\udfff"}], "n": 3, "ok": True, "none": None}
    assert clean_value(value) == {
        "note": ["a", {"b": REPLACEMENT}],
        "n": 3,
        "ok": True,
        "none": None,
    }
    assert clean_optional(None) is None
