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
