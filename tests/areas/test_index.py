"""The service-area lookup as the bot sees it: which codes come back, in which order."""

from __future__ import annotations

import time

import pytest

from areas.index import AreaIndex, normalise
from areas.reference import AreaRecord, read_service_areas
from tests.areas.area_queries import AREA_QUERIES, NO_MATCH_QUERIES


@pytest.fixture(scope="module")
def index() -> AreaIndex:
    return AreaIndex.from_records(read_service_areas())


def codes(index: AreaIndex, text: str, limit: int = 5) -> list[str]:
    return [match.area.code for match in index.find(text, limit=limit)]


@pytest.mark.parametrize(("text", "expected"), AREA_QUERIES, ids=[q for q, _ in AREA_QUERIES])
def test_customer_queries_find_their_area(index: AreaIndex, text: str, expected: set[str]) -> None:
    matches = index.find(text)
    found = [m.area.code for m in matches]
    if len(expected) == 1:
        assert found[:1] == list(expected), matches
    else:  # ambiguous: every candidate, with (near-)equal scores, so the bot asks which one
        assert expected <= set(found), matches
        scores = [m.score for m in matches if m.area.code in expected]
        assert max(scores) - min(scores) <= 5.0, matches


@pytest.mark.parametrize("text", NO_MATCH_QUERIES, ids=[q[:30] for q in NO_MATCH_QUERIES])
def test_text_without_an_area_finds_nothing(index: AreaIndex, text: str) -> None:
    assert index.find(text) == []


def test_exact_name_scores_100_and_clearly_beats_longer_names(index: AreaIndex) -> None:
    best, runner_up = index.find("lok baintan")
    assert (best.area.name, best.score) == ("Lok Baintan", 100.0)
    assert runner_up.area.name == "Lok Baintan Dalam"
    assert runner_up.score <= 90.0


def test_kecamatan_and_desa_of_one_name_both_come_back_kecamatan_first(index: AreaIndex) -> None:
    assert codes(index, "gambut")[:2] == ["63.03.03", "63.03.03.1001"]
    assert codes(index, "sungai tabuk")[:2] == ["63.03.04", "63.03.08.2026"]
    assert codes(index, "Aluh-Aluh")[0] == "63.03.01"


def test_level_words_decide_the_order(index: AreaIndex) -> None:
    assert codes(index, "kec. gambut")[:2] == ["63.03.03", "63.03.03.1001"]
    assert codes(index, "kel. gambut")[:2] == ["63.03.03.1001", "63.03.03"]
    assert codes(index, "desa sungai tabuk")[:2] == ["63.03.08.2026", "63.03.04"]


def test_named_kecamatan_picks_its_own_desa(index: AreaIndex) -> None:
    # Desa Sungai Tabuk lies in kecamatan Simpang Empat, not in kecamatan Sungai Tabuk.
    assert codes(index, "sungai tabuk simpang empat")[0] == "63.03.08.2026"
    assert codes(index, "sekumpul, martapura")[:2] == ["63.03.05.1059", "63.03.05"]


def test_name_inside_a_longer_name_ranks_below_it(index: AreaIndex) -> None:
    assert codes(index, "air mati di tatah bangkal")[:2] == ["63.03.19.2001", "63.72.03.1002"]
    assert codes(index, "bangkal")[0] == "63.72.03.1002"


def test_partial_name_lists_every_candidate_with_equal_scores(index: AreaIndex) -> None:
    matches = index.find("pemangkih")
    assert [m.area.name for m in matches] == [
        "Pemangkih Darat",
        "Pemangkih Baru",
        "Pemangkih Tengah",
        "Tatah Pemangkih Laut",
    ]
    assert {m.score for m in matches[:3]} == {85.0}
    assert codes(index, "pemangkih baru")[0] == "63.03.19.2009"


def test_limit_and_score_range(index: AreaIndex) -> None:
    assert len(index.find("guntung", limit=2)) == 2
    assert index.find("gambut", limit=0) == []
    for text, _ in AREA_QUERIES:
        assert all(0.0 < m.score <= 100.0 for m in index.find(text, limit=20))


def test_regencies_are_never_returned(index: AreaIndex) -> None:
    assert index.get("63.03") is None
    assert index.get("63.72") is None
    for text in ("kabupaten banjar", "kota banjarbaru", "Kota Banjarbaru"):
        assert {m.area.level for m in index.find(text)} <= {"district", "desa", "kelurahan"}


def test_a_desa_knows_its_kecamatan(index: AreaIndex) -> None:
    desa = index.get("63.03.08.2026")
    assert desa is not None
    assert (desa.name, desa.level, desa.parent_code) == ("Sungai Tabuk", "desa", "63.03.08")
    assert (desa.kecamatan_code, desa.kecamatan_name) == ("63.03.08", "Simpang Empat")
    kecamatan = index.get("63.03.04")
    assert kecamatan is not None
    assert (kecamatan.kecamatan_code, kecamatan.kecamatan_name) == ("63.03.04", "Sungai Tabuk")


def test_kecamatan_and_their_children(index: AreaIndex) -> None:
    kecamatan = index.kecamatan()
    assert len(kecamatan) == 25
    assert kecamatan[0].name == "Aluh Aluh"
    assert sum(len(index.children(k.code)) for k in kecamatan) == 310
    children = index.children("63.03.19")
    assert [a.name for a in children[:3]] == ["Tatah Bangkal", "Bangkal Tengah", "Layap Baru"]
    assert {a.kecamatan_name for a in children} == {"Tatah Makmur"}
    assert index.children("63.03") == []
    assert index.children("nope") == []


def test_records_in_any_order() -> None:
    index = AreaIndex.from_records(
        [
            AreaRecord("63.03.01.2012", "desa", "63.03.01", "Aluh Aluh Besar"),
            AreaRecord("63.03.01", "district", "63.03", "Aluh Aluh"),
            AreaRecord("63.03", "regency", "63", "Kabupaten Banjar"),
        ]
    )
    desa = index.get("63.03.01.2012")
    assert desa is not None
    assert desa.kecamatan_name == "Aluh Aluh"
    assert codes(index, "aluh2 besar") == ["63.03.01.2012", "63.03.01"]
    assert AreaIndex.from_records([]).find("gambut") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aluh-Aluh", "aluh aluh"),
        ("aluh2", "aluh aluh"),
        ("Sei Tabuk", "sungai tabuk"),
        ("S. Besar", "sungai besar"),
        ("Kec. Mtp", "kecamatan martapura"),
        ("kel. BJB utara", "kelurahan banjarbaru utara"),
        ("ds. btg banyu", "desa batang banyu"),
        ("Bi'ih", "biih"),
        ("  Tj.Rema,  Darat!! ", "tanjung rema darat"),
        ("🙂🙂", ""),
        ("ADU-000123", "adu 000123"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_long_input_is_cut_not_slow(index: AreaIndex) -> None:
    start = time.perf_counter()
    assert index.find("a" * 10_000) == []
    assert index.find("air mati " * 2_000) == []
    assert codes(index, "di gambut " + "ya " * 5_000)[0] == "63.03.03"
    assert time.perf_counter() - start < 0.5
