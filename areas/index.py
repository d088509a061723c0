"""Service-area lookup: turn what a customer typed into official area codes.

Pure Python over the reference rows (no database), so the conversation engine and the CLI can
resolve "sei tabuk", "aluh2" or a whole chat sentence in tens of microseconds. Everything that
does not depend on the query (normalised names, aliases, token index, fuzzy choice lists) is
computed once in `AreaIndex.from_records`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import fuzz, process

DISTRICT = "district"  # the CSV's level for a kecamatan
VILLAGE_LEVELS = frozenset({"desa", "kelurahan"})
MIN_SCORE = 80.0  # weaker candidates are guesses, not places: "ga tau" is not "Labuan Tabu"
MAX_INPUT_CHARS = 1000  # a chat message; longer input is cut, never rejected
MAX_TOKENS = 128
MAX_TOKEN_LEN = 32
PARTIAL_BASE, PARTIAL_SPAN = 80.0, 10.0  # "pemangkih" -> Pemangkih Darat: 80 + 10 * 1/2
CONTAINED, CONTEXT, OTHER_LEVEL = 0.85, 0.9, 0.95  # score factors, see `_adjust`
UNPLACED = 0.8  # "kapan petugas datang" is not Batang: see `_needs_place_word`
SHORT_QUERY = 3  # up to this many words the whole text is taken as a name
STRONG = 95.0  # a match this good is taken as the name meant, for the context rules
COMPACT_CUTOFF = 85.0  # typo against a whole name written as one word: "lokbaitan"

# Spellings people use for words in official names (see areas/data/README.md).
_ABBREVIATIONS = {
    "sei": "sungai", "sui": "sungai", "s": "sungai", "sg": "sungai",
    "kec": "kecamatan", "kel": "kelurahan", "ds": "desa", "kab": "kabupaten",
    "mtp": "martapura", "bjb": "banjarbaru", "btg": "batang", "tlk": "teluk",
    "tj": "tanjung", "tjg": "tanjung", "psr": "pasar", "gn": "gunung", "gng": "gunung",
}  # fmt: skip
_KECAMATAN_HINTS = frozenset({"kecamatan"})
_VILLAGE_HINTS = frozenset({"desa", "kelurahan"})
_HINTS = _KECAMATAN_HINTS | _VILLAGE_HINTS | {"kabupaten"}
# Words that introduce a place: in a longer message a name known only by a typo must follow one.
_PLACE_WORDS = (
    "di ke daerah wilayah kawasan sekitar dekat komplek kompleks komp perumahan perum jalan"
)
_LOCATIVES = _HINTS | frozenset(f"{_PLACE_WORDS} jl jln gang gg kampung lokasi alamat area".split())
# Chat words (Indonesian and Banjar): they never start a match and are never fuzzy-matched;
# the few that are also name words ("banyu", "baru", "kecil") still count inside a name.
_CHAT_WORDS = """
    air airnya banyu banyunya mati mampet mampat macet kada kadada kd tdk tak tidak gak ga nggak
    ngga enggak engga mengalir ngalir ngocor keluar kaluar hidup idup nyala menyala lancar normal
    kembali lagi lg di ke dari sejak semenjak sampai sampe hingga mulai ada gangguan ganguan kendala
    masalah kapan bila kenapa knp napa mengapa apa apakah gimana bagaimana berapa kah lah pun deh
    dong sih kok ya iya yaa ok oke yg yang dan atau juga jua ini itu tu tuh nih ni sini situ sana
    kami kita saya aku ulun sy gw gue kamu pian ikam anda nang rumah rmh warga daerah wilayah
    kawasan area lingkungan sekitar dekat jalan jl jln gang gg komplek komp kompleks perumahan perum
    rt rw no nomor blok tolong mohon minta min admin kak pak bu ibu bapak om mas mba halo hallo hai
    hi assalamualaikum assalamu alaikum salam wr wb selamat pagi siang sore malam subuh petang tadi
    kemarin kemaren semalam hari hr jam minggu bulan tahun sekarang skrg masih terus trus tetap
    deras keruh bau kotor kuning pipa bocor meteran meter tagihan bayar pelanggan status cek info
    informasi pemberitahuan perbaikan pemeliharaan pemadaman jadwal distribusi aliran pasokan suplai
    tekanan lemah putus habis kosong sama sekali banget bgt sangat banar pang haja ja am ai wan pada
    untuk utk buat dengan dgn karena krn soalnya sebab jadi jd kalau kalo klo amun tapi tp kayak
    kaya lawan pdam ptam intan banjar banjarmasin bjm kalsel sudah sdh udah dah belum blm bisa mau
    akan sedang terima kasih makasih trims thanks tanya nanya kabar baru lama dalam kecil besar
    tengah raya atas bawah hanyar kali lapor laporan petugas teknisi datang kirim pasang pemasangan
    sambungan rusak angka mahal murah padahal pemakaian tunggakan bantuan bantu handak batakun
    rekening tanggapan cepat lambat tunggu ditunggu menunggu satu sembilan sebulan tiap jarang
    kadang benar salah mana siapa tanggal lusa baruai kran keran saluran selang gali galian genangan
    tetangga belakang pojok ujung langgar jembatan udara pelabuhan okay harap diharapkan bersabar
    langganan berlangganan kontak alamat lokasi pembayaran link data nama pembacaan kencang pelan
    amis pasir rasa payau layak aman mantap tau tahu tw taw namanya nama lupa ingat ngerti paham
    entah kurang pokoknya pokok
"""
_STOPWORDS = frozenset(_CHAT_WORDS.split())
# Words many names share: they refine a match but never start one on their own.
_SHARED_WORDS = """
    sungai lok tatah tambak pasar simpang pematang rantau tanjung handil kampung gunung batu danau
    padang tanah pulau banua benua baru lama ilir ulu hulu tengah darat laut barat timur utara
    selatan dalam besar kecil muara hanyar anyar raya jaya kota atas bawah seberang makmur mekar
    sari karya i ii 1 2 3 4 5 empat tiga lima
"""
_GENERIC = frozenset(_SHARED_WORDS.split())
_NUMBER_ALIASES = {"i": "1", "ii": "2", "iii": "3", "tiga": "3", "empat": "4", "lima": "5"}

_APOSTROPHES = re.compile(r"['`]")
_SEPARATORS = re.compile(r"[^0-9a-z]+")
_REDUPLICATED = re.compile(r"([a-z]{2,})2")  # "aluh2" -> "aluh aluh"


def normalise(text: str) -> str:
    """Lowercase words without punctuation, "aluh2" doubled and abbreviations spelled out."""
    if not text.isascii():  # "é" -> "e"; emoji and curly apostrophes drop out
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words: list[str] = []
    for token in _SEPARATORS.sub(" ", _APOSTROPHES.sub("", text.lower())).split():
        doubled = _REDUPLICATED.fullmatch(token)
        if doubled:
            word = _ABBREVIATIONS.get(doubled[1], doubled[1])
            words += (word, word)
        else:
            words.append(_ABBREVIATIONS.get(token, token))
    return " ".join(words)


class AreaRecordLike(Protocol):
    """Read-only fields of `areas.reference.AreaRecord`."""

    @property
    def code(self) -> str: ...
    @property
    def level(self) -> str: ...
    @property
    def parent_code(self) -> str: ...
    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    level: str  # district (kecamatan) | desa | kelurahan
    name: str
    parent_code: str
    kecamatan_code: str | None  # a kecamatan's own code; a desa's parent kecamatan
    kecamatan_name: str | None


@dataclass(frozen=True, slots=True)
class AreaMatch:
    area: Area
    score: float  # 0..100; 100 = the normalised name (or an alias) itself


@dataclass(frozen=True, slots=True)
class _Entry:
    """One spelling of an area's name: the official one or an alias."""

    area: Area
    tokens: tuple[str, ...]
    compact: str  # tokens joined without spaces: "lok tabat" and "loktabat" meet here


@dataclass(slots=True)
class _Hit:
    score: float
    start: int  # token span of the query that matched
    end: int


def _cutoff(length: int) -> float:
    """Token similarity needed for a typo: one wrong letter in "gambud", "tabok", "cabe"."""
    if length <= 3:
        return 85.0  # only a dropped letter: "cabi" -> "cai", "remo" -> "reo"
    return 75.0 if length == 4 else 78.0 if length <= 6 else 74.0


def _may_reach(length: int, other: int) -> bool:
    """Whether fuzz.ratio of strings this long can reach the cutoff at all."""
    return 200.0 * min(length, other) / (length + other) >= _cutoff(length)


def _spellings(name: str) -> set[tuple[str, ...]]:
    """Official tokens plus aliases: "Kertak Hanyar II" -> "... 2", "Loktabat" -> "lok tabat"."""
    tokens = tuple(normalise(name).split())
    numbered = tuple(_NUMBER_ALIASES.get(t, t) for t in tokens)
    split = tuple(w for t in tokens for w in (("lok", t[3:]) if _lok_joined(t) else (t,)))
    return {tokens, numbered, split}


def _lok_joined(token: str) -> bool:
    return token.startswith("lok") and len(token) > 5


def _runs(positions: Iterable[int]) -> list[tuple[int, int]]:
    """Contiguous [start, end) spans of sorted positions."""
    spans: list[tuple[int, int]] = []
    for pos in positions:
        if spans and spans[-1][1] == pos:
            spans[-1] = (spans[-1][0], pos + 1)
        else:
            spans.append((pos, pos + 1))
    return spans


def _build_areas(records: Iterable[AreaRecordLike]) -> dict[str, Area]:
    rows = [r for r in records if r.level == DISTRICT or r.level in VILLAGE_LEVELS]
    districts = {r.code: r.name for r in rows if r.level == DISTRICT}
    areas: dict[str, Area] = {}
    for r in rows:
        kec = r.code if r.level == DISTRICT else r.parent_code
        kec_name = districts.get(kec)
        kec_code = kec if kec_name is not None else None
        areas[r.code] = Area(r.code, r.level, r.name, r.parent_code, kec_code, kec_name)
    return areas


class AreaIndex:
    """Kecamatan, desa and kelurahan (regencies left out), searchable by what people type."""

    def __init__(self, areas: dict[str, Area], *, typos: bool = True) -> None:
        self._areas = areas
        self._typos = typos  # False: names as written (spacing and spelling aliases only)
        self._entries = [
            _Entry(area, tokens, "".join(tokens))
            for area in areas.values()
            for tokens in sorted(_spellings(area.name))
            if tokens
        ]
        self._exact: dict[str, list[int]] = {}
        self._by_token: dict[str, list[int]] = {}
        for i, entry in enumerate(self._entries):
            self._exact.setdefault(entry.compact, []).append(i)
            for key in {*entry.tokens, entry.compact}:
                self._by_token.setdefault(key, []).append(i)
        self._lengths = [len(e.tokens) for e in self._entries]
        self._window = max(self._lengths, default=0) + 1
        self._words = {t for e in self._entries for t in e.tokens}  # the rest: whole names
        vocab = sorted(k for k in self._by_token if len(k) >= 3)
        self._choices = {
            n: [v for v in vocab if _may_reach(n, len(v))] for n in range(3, MAX_TOKEN_LEN + 1)
        }
        self._kecamatan = sorted((a for a in areas.values() if a.level == DISTRICT), key=_by_code)
        self._children: dict[str, list[Area]] = {}
        for area in sorted(areas.values(), key=_by_code):
            if area.level != DISTRICT and area.kecamatan_code:
                self._children.setdefault(area.kecamatan_code, []).append(area)

    @classmethod
    def from_records(cls, records: Iterable[AreaRecordLike], *, typos: bool = True) -> AreaIndex:
        """Index rows shaped like `areas.reference.AreaRecord` (code, level, parent_code, name).

        `typos`: also match misspelt names (the service areas); off for the larger, rarer lists.
        """
        return cls(_build_areas(records), typos=typos)

    def get(self, code: str) -> Area | None:
        return self._areas.get(code)

    def kecamatan(self) -> list[Area]:
        return list(self._kecamatan)

    def children(self, kecamatan_code: str) -> list[Area]:
        """The desa and kelurahan of one kecamatan, by code."""
        return list(self._children.get(kecamatan_code, ()))

    def find(self, text: str, limit: int = 5) -> list[AreaMatch]:
        """Areas named in `text`, best first; equal scores mean the bot should ask which one."""
        tokens = normalise(text[:MAX_INPUT_CHARS]).split()[:MAX_TOKENS]
        if not tokens or limit <= 0:
            return []
        hits: dict[str, _Hit] = {}
        self._exact_hits(tokens, hits)
        self._fuzzy_hits(tokens, hits)
        _adjust(tokens, hits, self._areas)
        ranked = sorted(
            ((h.score, code) for code, h in hits.items() if h.score >= MIN_SCORE),
            key=lambda sc: (-sc[0], self._areas[sc[1]].level != DISTRICT, sc[1]),
        )
        return [AreaMatch(self._areas[code], round(score, 1)) for score, code in ranked[:limit]]

    def _exact_hits(self, tokens: list[str], hits: dict[str, _Hit]) -> None:
        """Every token window spelling a name exactly (spaces ignored) scores 100."""
        n = len(tokens)
        for start in range(n):
            for end in range(start + 1, min(n, start + self._window) + 1):
                if tokens[end - 1] in _HINTS:
                    break
                if end - start == 1 and _lone_chat_word(tokens, start):
                    continue
                for i in self._exact.get("".join(tokens[start:end]), ()):
                    _record(hits, self._entries[i].area.code, 100.0, start, end)

    def _fuzzy_hits(self, tokens: list[str], hits: dict[str, _Hit]) -> None:
        """Typos and partial names, scored over runs of query words that match a name's words."""
        per_entry, seeds = self._token_matches(tokens)
        for i, found in per_entry.items():
            seed_positions = seeds.get(i, ())
            if not seed_positions and len(found) < 2 and self._lengths[i] > 1:
                continue  # one shared word ("sungai") of a longer name: most entries stop here
            entry = self._entries[i]
            for start, end in _runs(sorted(found)):
                if any(start <= p < end for p in seed_positions) or _shared_words_suffice(
                    tokens[start:end], len(entry.tokens)
                ):
                    score, s, e = _run_score(entry, tokens, found, start, end)
                    if _needs_place_word(tokens, found, seed_positions, s, e):
                        score *= UNPLACED
                    _record(hits, entry.area.code, score, s, e)

    def _token_matches(
        self, tokens: list[str]
    ) -> tuple[dict[int, dict[int, float]], dict[int, set[int]]]:
        """For each name spelling: query positions whose word is (nearly) one of its words."""
        per_entry: dict[int, dict[int, float]] = {}
        seeds: dict[int, set[int]] = {}
        for pos, token in enumerate(tokens):
            for key, sim in self._similar_keys(token):
                entries = self._by_token[key]
                for i in entries:
                    found = per_entry.get(i)
                    if found is None:
                        per_entry[i] = {pos: sim}
                    elif sim > found.get(pos, 0.0):
                        found[pos] = sim
                if token not in _STOPWORDS and key not in _GENERIC:
                    for i in entries:
                        seeds.setdefault(i, set()).add(pos)
        return per_entry, seeds

    def _similar_keys(self, token: str) -> list[tuple[str, float]]:
        if token in self._by_token:
            return [(token, 100.0)]
        if not self._typos or token in _STOPWORDS or token in _HINTS:
            return []
        if not 3 <= len(token) <= MAX_TOKEN_LEN:
            return []
        found = process.extract(
            token,
            self._choices[len(token)],
            scorer=fuzz.ratio,
            score_cutoff=_cutoff(len(token)),
            limit=None,
        )
        return [
            (key, score) for key, score, _ in found if score >= COMPACT_CUTOFF or key in self._words
        ]


def _lone_chat_word(tokens: list[str], pos: int) -> bool:
    """ "baru" in a message is the word "new", unless written "desa baru"."""
    after_hint = pos > 0 and tokens[pos - 1] in _VILLAGE_HINTS
    return len(tokens) > 1 and tokens[pos] in _STOPWORDS and not after_hint


def _needs_place_word(
    tokens: list[str], found: dict[int, float], seeds: Iterable[int], start: int, end: int
) -> bool:
    """A typo-only match inside a message, not after "di", "desa", "daerah" ... nor first.

    Chat words one letter away from a name ("kirim"/Kiram, "datang"/Batang) are common; a
    name really meant in a sentence is nearly always introduced by a place word.
    """
    if len(tokens) <= SHORT_QUERY or start == 0 or tokens[start - 1] in _LOCATIVES:
        return False
    return not any(start <= p < end and found[p] >= 100.0 for p in seeds)


def _shared_words_suffice(window: list[str], name_length: int) -> bool:
    """A run of only shared words counts if it spells the whole name or two of its words.

    "sungi besar", "kampng baru", "mamur" (Makmur) have no distinctive word; a lone "sungai"
    or "kota" in a chat message must not match. One word must be more than chat.
    """
    words = {t for t in window if len(t) >= 3 and t.isalpha()}
    return bool(words - _STOPWORDS) and (len(window) >= name_length or len(words) >= 2)


def _by_code(area: Area) -> str:
    return area.code


def _record(hits: dict[str, _Hit], code: str, score: float, start: int, end: int) -> None:
    best = hits.get(code)
    if best is None or score > best.score:
        hits[code] = _Hit(score, start, end)


def _run_score(
    entry: _Entry, tokens: list[str], found: dict[int, float], start: int, end: int
) -> tuple[float, int, int]:
    """Whole-name similarity of the run, or a partial-name score if it covers part of the name."""
    k = len(entry.tokens)
    windows = [(start, end)]
    if end - start > k:  # a run longer than the name: also try name-sized windows inside it
        windows += [(s, s + k) for s in range(start, end - k + 1)]
    best = (0.0, start, end)
    for s, e in windows:
        score = fuzz.ratio("".join(tokens[s:e]), entry.compact)
        if e - s < k:
            sims = [found[p] for p in range(s, e)]
            partial = (PARTIAL_BASE + PARTIAL_SPAN * (e - s) / k) * sum(sims) / len(sims) / 100
            score = max(score, partial)
        if score > best[0]:
            best = (score, s, e)
    return best


def _adjust(tokens: list[str], hits: dict[str, _Hit], areas: dict[str, Area]) -> None:
    """Rank by context: a name inside a longer exact name, a desa's own kecamatan, level words."""
    strong = [(code, h.start, h.end) for code, h in hits.items() if h.score >= STRONG]
    for code, hit in hits.items():
        if any(
            other != code and s <= hit.start and hit.end <= e and e - s > hit.end - hit.start
            for other, s, e in strong
        ):
            hit.score *= CONTAINED  # "bangkal" inside "tatah bangkal"
    _prefer_supported(hits, areas)
    for code, hit in hits.items():
        before = tokens[hit.start - 1] if hit.start else ""
        is_district = areas[code].level == DISTRICT
        if (before in _KECAMATAN_HINTS and not is_district) or (
            before in _VILLAGE_HINTS and is_district
        ):
            hit.score *= OTHER_LEVEL  # "kec. gambut" -> the kecamatan first


def _prefer_supported(hits: dict[str, _Hit], areas: dict[str, Area]) -> None:
    """The desa whose kecamatan is named too wins: "sekumpul martapura".

    "sungai tabuk simpang empat" means the desa Sungai Tabuk (in Simpang Empat), not the
    kecamatan Sungai Tabuk nor a desa Simpang Empat.
    """
    supported: dict[str, tuple[int, int]] = {}  # desa code -> span of its kecamatan
    for code, hit in hits.items():
        kec = areas[code].kecamatan_code
        kec_hit = hits.get(kec) if kec and kec != code else None
        if (
            kec_hit
            and hit.score >= STRONG
            and kec_hit.score >= STRONG
            and (kec_hit.end <= hit.start or hit.end <= kec_hit.start)
        ):
            supported[code] = (kec_hit.start, kec_hit.end)
    if not supported:
        return
    own_spans = {(hits[c].start, hits[c].end) for c in supported}
    context_spans = set(supported.values())
    for code, hit in hits.items():
        if code in supported:
            continue
        span = (hit.start, hit.end)
        if span in context_spans:
            hit.score *= CONTEXT
        elif span in own_spans:
            hit.score *= OTHER_LEVEL
