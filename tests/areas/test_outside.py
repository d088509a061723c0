"""Places outside the service area: recognised, with the utility that serves them."""

from __future__ import annotations

import pytest

from areas.outside import outside_index


@pytest.mark.parametrize(
    ("text", "name", "regency", "utility"),
    [
        ("air mati di banjarmasin", "Kota Banjarmasin", "Kota Banjarmasin", "PTAM Bandarmasih"),
        ("Is there an outage in Banjarmasin today?", "Kota Banjarmasin", "Kota Banjarmasin",
         "PTAM Bandarmasih"),
        ("air mati di rumah sy di Teluk Dalam banjarmasin", "Teluk Dalam", "Kota Banjarmasin",
         "PTAM Bandarmasih"),
        ("air mati gak di pelaihari?", "Pelaihari", "Kabupaten Tanah Laut", "PDAM Tanah Laut"),
        ("air kecil di batulicin", "Batu Licin", "Kabupaten Tanah Bumbu", None),
        ("daftar notif gangguan utk daerah bati2", "Bati Bati", "Kabupaten Tanah Laut",
         "PDAM Tanah Laut"),
        ("kab. tapin", "Kabupaten Tapin", "Kabupaten Tapin", None),
        ("batola", "Kabupaten Barito Kuala", "Kabupaten Barito Kuala", None),
    ],
)  # fmt: skip
def test_a_neighbours_place_and_who_serves_it(
    text: str, name: str, regency: str, utility: str | None
) -> None:
    place = outside_index().find(text)
    assert place is not None
    assert (place.name, place.regency_name, place.utility) == (name, regency, utility)


@pytest.mark.parametrize(
    "text",
    ["air mati di rumah", "ga tau namanya", "jual air galon isi ulang kah?", "harus dimasak dulu?",
     "halo", "kapan petugas datang"],
)  # fmt: skip
def test_chat_words_are_not_neighbours_places(text: str) -> None:
    assert outside_index().find(text) is None


def test_a_served_name_also_found_outside_is_known_as_its_namesake() -> None:
    namesake = outside_index().same_name("Sungai Lulut")
    assert namesake is not None
    assert (namesake.regency_name, namesake.utility) == ("Kota Banjarmasin", "PTAM Bandarmasih")
    assert outside_index().same_name("Tatah Bangkal") is None
