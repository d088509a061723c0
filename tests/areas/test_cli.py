"""`kabar-air areas find` answers every realistic query the lookup tests know."""

import pytest
from typer.testing import CliRunner

from bot import cli
from core.settings import get_settings
from tests.areas.area_queries import AREA_QUERIES, NO_MATCH_QUERIES


@pytest.fixture
def find(database_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    cli.get_engine.cache_clear()
    runner = CliRunner()

    def run(text: str) -> list[list[str]]:
        result = runner.invoke(cli.app, ["areas", "find", text])
        assert result.exit_code == 0, result.output
        return [line.split("\t") for line in result.output.splitlines() if line]

    yield run
    cli.get_engine().dispose()
    cli.get_engine.cache_clear()
    get_settings.cache_clear()


def test_each_line_is_code_level_name_kecamatan_score(find):
    [first, *_] = find("tatah bangkal")
    assert first[:4] == ["63.03.19.2001", "desa", "Tatah Bangkal", "Tatah Makmur"]
    assert float(first[4]) == 100.0


def test_all_realistic_queries_find_their_areas(find):
    assert len(AREA_QUERIES) >= 40
    wrong = []
    for text, expected in AREA_QUERIES:
        codes = [row[0] for row in find(text)]
        fits = codes[:1] == list(expected) if len(expected) == 1 else expected <= set(codes)
        if not fits:
            wrong.append((text, expected, codes))
    assert wrong == []


def test_text_that_names_no_area_prints_nothing(find):
    for text in NO_MATCH_QUERIES:
        assert find(text) == [], text


def test_a_place_outside_the_service_area_is_named_with_who_serves_it(find):
    [outside] = find("air mati di banjarmasin")
    assert outside[1:3] == ["regency", "Kota Banjarmasin"]
    assert outside[-1] == "di luar wilayah layanan; dilayani oleh PTAM Bandarmasih"


def test_a_served_namesake_comes_first_and_the_neighbour_after_it(find):
    rows = find("sungai lulut")
    assert rows[0][2] == "Sungai Lulut" and rows[0][-1] != "-"
    assert rows[-1][-1].startswith("di luar wilayah layanan"), rows


def test_without_a_migrated_database_it_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    cli.get_engine.cache_clear()
    try:
        result = CliRunner().invoke(cli.app, ["areas", "find", "gambut"])
    finally:
        cli.get_engine().dispose()
        cli.get_engine.cache_clear()
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "kabar-air db upgrade" in result.output and "Traceback" not in result.output
