"""Places in Kalimantan Selatan that PTAM Intan Banjar does not serve, and who serves them.

A customer who writes "air mati di banjarmasin" or names a desa of Barito Kuala is told that the
place lies outside the service area and which utility serves it (areas/data/utilities.csv; a
kabupaten/kota not listed there is served by its own PDAM). The same fuzzy matcher as the
service areas reads the names; a kabupaten or kota is also known by its short name ("tapin",
"banjarmasin", "batola"). Built once, on first use, from the files in areas/data/.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from areas.index import AreaIndex, normalise
from areas.reference import AreaRecord

DATA = Path(__file__).resolve().parent / "data"
NEIGHBOUR_AREAS_CSV = DATA / "neighbour_areas.csv"
UTILITIES_CSV = DATA / "utilities.csv"
SURE = 90.0  # weaker matches of a neighbour's name are not worth telling a customer about
REGENCY_CODE_LENGTH = 5  # "63.71" in "63.71.04.1009"
# Short names people use for a kabupaten/kota, beside its name without "Kabupaten"/"Kota".
_REGENCY_ALIASES = {
    "bjm": "63.71", "batola": "63.04", "tala": "63.01", "hss": "63.06", "hst": "63.07",
    "hsu": "63.08", "tanbu": "63.10",
}  # fmt: skip
_REGENCY_PREFIXES = ("kabupaten ", "kota ")
_LOCATIVES = frozenset(
    "di ke dari daerah desa kelurahan kecamatan wilayah kota kabupaten in at near sekitar".split()  # noqa: SIM905
)


@dataclass(frozen=True, slots=True)
class OutsidePlace:
    """A place outside the service area: a kabupaten/kota, kecamatan, desa or kelurahan."""

    code: str
    name: str
    level: str
    regency_code: str
    regency_name: str
    utility: str | None  # None: "PDAM setempat" (the local PDAM), not a guessed name


class OutsideIndex:
    """The rest of the province, searchable by what people type; served names are left out."""

    def __init__(self, records: list[AreaRecord], utilities: dict[str, str]) -> None:
        self._regencies = {r.code: r.name for r in records if r.level == "regency"}
        self._utilities = utilities
        self._index = AreaIndex.from_records(records, typos=False)  # exact names: fast
        self._regency_words: dict[str, str] = {}
        for code, name in self._regencies.items():
            words = normalise(name)
            self._regency_words[words] = code
            for prefix in _REGENCY_PREFIXES:
                if words.startswith(prefix):
                    self._regency_words[words.removeprefix(prefix)] = code
        self._regency_words.update(_REGENCY_ALIASES)
        self._longest = max(len(w.split()) for w in self._regency_words)

    def find(self, text: str) -> OutsidePlace | None:
        """The most specific neighbour place named in `text`, if one is named clearly."""
        matches = self._index.find(text, limit=2)
        if matches and matches[0].score >= SURE and _introduced(matches[0].area.name, text):
            best = matches[0].area
            return self._place(best.code, best.name, best.level)
        code = self.regency_in(text)
        return self._place(code, self._regencies[code], "regency") if code else None

    def same_name(self, name: str) -> OutsidePlace | None:
        """A neighbour place spelled exactly like a served one ("Sungai Lulut"), to mention."""
        for match in self._index.find(name, limit=1):
            if match.score == 100.0 and normalise(match.area.name) == normalise(name):
                return self._place(match.area.code, match.area.name, match.area.level)
        return None

    def regency_in(self, text: str) -> str | None:
        """A kabupaten/kota named by itself: "banjarmasin", "kab. tapin", "batola"."""
        words = normalise(text).split()
        for size in range(min(self._longest, len(words)), 0, -1):
            for start in range(len(words) - size + 1):
                code = self._regency_words.get(" ".join(words[start : start + size]))
                if code:
                    return code
        return None

    def utility_of(self, regency_code: str) -> str | None:
        return self._utilities.get(regency_code)

    def _place(self, code: str, name: str, level: str) -> OutsidePlace:
        regency = code[:REGENCY_CODE_LENGTH]
        return OutsidePlace(
            code=code,
            name=name,
            level=level,
            regency_code=regency,
            regency_name=self._regencies.get(regency, ""),
            utility=self._utilities.get(regency),
        )


def _introduced(name: str, text: str) -> bool:
    """A one-word name ("Harus", "Ulang") counts only after "di", "daerah"... or on its own."""
    words = normalise(text).split()
    if len(normalise(name).split()) > 1 or len(words) <= 2:
        return True
    target = normalise(name)
    return any(
        word == target and i > 0 and words[i - 1] in _LOCATIVES for i, word in enumerate(words)
    )


def read_utilities(path: Path = UTILITIES_CSV) -> dict[str, str]:
    """Regency code -> the utility that serves it, where known."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["regency_code"]: row["utility"] for row in csv.DictReader(handle)}


@functools.cache
def outside_index() -> OutsideIndex:
    """The neighbour areas, read and indexed once per process (about 40 ms)."""
    with NEIGHBOUR_AREAS_CSV.open(newline="", encoding="utf-8") as handle:
        records = [
            AreaRecord(row["code"], row["level"], row["parent_code"], row["name"])
            for row in csv.DictReader(handle)
        ]
    return OutsideIndex(records, read_utilities())
