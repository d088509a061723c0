"""The one catalogue stays complete in every language, and the one formatter reads right."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core import timefmt
from core.texts import LANGUAGES, catalogue, label, t
from db.vocab import (
    Channel,
    ComplaintCategory,
    ComplaintStatus,
    MessageStatus,
    NoticeKind,
    NoticeStatus,
)

WITA = ZoneInfo("Asia/Makassar")
MONDAY_8_WITA = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _keys(language: str) -> set[str]:
    return {
        f"{section}.{name}" for section, entries in catalogue(language).items() for name in entries
    }


def _placeholders(value: object) -> set[str]:
    """The names a sentence fills in; `{Field}` is `{field}` capitalised (both are always given)."""
    values = value if isinstance(value, list) else [value]
    return {
        "field" if name == "Field" else name
        for item in values
        for _, name, _, _ in string.Formatter().parse(str(item))
        if name is not None
    }


def test_every_key_exists_in_every_language():
    indonesian = _keys("id")
    for language in LANGUAGES:
        assert _keys(language) == indonesian, language


def test_placeholders_are_the_same_in_every_language():
    for key in sorted(_keys("id")):
        section, name = key.split(".", 1)
        expected = _placeholders(catalogue("id")[section][name])
        for language in LANGUAGES:
            assert _placeholders(catalogue(language)[section][name]) == expected, (language, key)


@pytest.mark.parametrize(
    ("vocabulary", "enum"),
    [
        ("complaint_status", ComplaintStatus),
        ("complaint_category", ComplaintCategory),
        ("notice_status", NoticeStatus),
        ("notice_kind", NoticeKind),
        ("message_status", MessageStatus),
        ("channel", Channel),
    ],
)
def test_every_vocabulary_value_has_a_word(vocabulary, enum):
    for language in LANGUAGES:
        for member in enum:
            assert f"{vocabulary}.{member.value}" in _keys(language), (language, member)


def test_labels_come_from_the_catalogue_and_unknown_codes_show_as_they_are():
    assert label("id", "complaint_category", "no_water") == "Air tidak mengalir"
    assert label("en", "complaint_status", ComplaintStatus.IN_PROGRESS) == "In progress"
    assert label("id", "role", "agent") == "Petugas"
    assert label("id", "role", "editor") == "Penyunting"
    assert label("id", "audit", "staff.update") == "Akun diubah"
    assert label("id", "audit", "staff_update") == "Akun diubah"
    assert label("id", "notice_history", "extended") == "Diperpanjang"
    assert label("id", "complaint_status", "lost") == "lost"
    assert t("xx", "complaint_status.closed") == "Ditutup"  # unknown language: Indonesian


# What people read is written by these files: none may spell a zone's name itself.
WORDING = [
    *sorted((ROOT / "staff").rglob("*.html")),
    *sorted((ROOT / "staff").glob("*.py")),
    *sorted((ROOT / "core").glob("*.py")),
    ROOT / "outage_notices" / "texts.py",
    *sorted((ROOT / "reports").glob("*.py")),
    ROOT / "complaints" / "workflow.py",
]


def test_no_zone_name_is_written_into_the_catalogue_or_the_wording_code():
    for language in LANGUAGES:
        assert "WITA" not in (ROOT / "core" / "locales" / f"{language}.toml").read_text()
    for path in WORDING:
        code = re.sub(r'""".*?"""', "", path.read_text(), flags=re.S)  # docstrings may say WITA
        code = re.sub(r"#.*", "", code)
        assert not re.search(r"\bWITA\b", code), path


def test_moments_read_as_customers_already_see_them():
    assert timefmt.moment(MONDAY_8_WITA, "id", WITA) == "Senin, 30 Nov 2026 pukul 08.00 WITA"
    assert timefmt.moment(MONDAY_8_WITA, "en", WITA) == "Monday, 30 Nov 2026 at 08:00 WITA"
    may = datetime(2026, 5, 14, 0, 0, tzinfo=UTC)
    assert timefmt.moment(may, "id", WITA) == "Kamis, 14 Mei 2026 pukul 08.00 WITA"
    assert timefmt.moment(may, "en", WITA) == "Thursday, 14 May 2026 at 08:00 WITA"


def test_days_clocks_and_short_times():
    assert timefmt.day(date(2026, 12, 2), "id") == "Rabu 2 Des"
    assert timefmt.day(date(2026, 8, 17), "en") == "Monday 17 Aug"
    assert timefmt.clock(time(5, 0), "id") == "05.00"
    assert timefmt.clock(time(5, 0), "en") == "05:00"
    assert timefmt.clock(MONDAY_8_WITA, "id", WITA) == "08.00"
    assert timefmt.short(MONDAY_8_WITA, "id", WITA) == "30/11/2026 08.00"
    assert timefmt.short(None, "id", WITA) == "-"


@pytest.mark.parametrize(
    ("zone", "name"),
    [
        ("Asia/Makassar", "WITA"),
        ("Asia/Jakarta", "WIB"),
        ("Asia/Pontianak", "WIB"),
        ("Asia/Jayapura", "WIT"),
        ("UTC", "UTC"),
    ],
)
def test_the_zone_name_follows_the_time_zone_setting(zone, name):
    tz = ZoneInfo(zone)
    assert timefmt.zone_name(tz, MONDAY_8_WITA) == name
    assert timefmt.moment(MONDAY_8_WITA, "id", tz).endswith(f" {name}")


def test_a_moment_in_jakarta_is_written_in_wib():
    jakarta = ZoneInfo("Asia/Jakarta")
    assert timefmt.moment(MONDAY_8_WITA, "id", jakarta) == "Senin, 30 Nov 2026 pukul 07.00 WIB"


@pytest.mark.parametrize(
    ("minutes", "indonesian", "english"),
    [
        (45, "45 menit", "45 minutes"),
        (1, "1 menit", "1 minute"),
        (0, "0 menit", "0 minutes"),
        (125, "2 jam 5 menit", "2 hours 5 minutes"),
        (60, "1 jam 0 menit", "1 hour 0 minutes"),
        (1436, "23 jam 56 menit", "23 hours 56 minutes"),
        (1440, "1 hari 0 jam", "1 day 0 hours"),
        (3 * 1440 + 120, "3 hari 2 jam", "3 days 2 hours"),
    ],
)
def test_durations_are_said_the_human_way(minutes, indonesian, english):
    span = timedelta(minutes=minutes, seconds=30)
    assert timefmt.duration(span, "id") == indonesian
    assert timefmt.duration(span, "en") == english
    assert timefmt.duration(-span, "id") == indonesian
