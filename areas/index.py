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
_LEVEL_HINTS = _KECAMATAN_HINTS | _VILLAGE_HINTS
_HINTS = _LEVEL_HINTS | {"kabupaten"}
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
_NEVER_FUZZY = _STOPWORDS | _HINTS  # words never read as a misspelt name
# Words many names share: they refine a match but never start one on their own.
_SHARED_WORDS = """
    sungai lok tatah tambak pasar simpang pematang rantau tanjung handil kampung gunung batu danau
    padang tanah pulau banua benua baru lama ilir ulu hulu tengah darat laut barat timur utara
    selatan dalam besar kecil muara hanyar anyar raya jaya kota atas bawah seberang makmur mekar
    sari karya i ii 1 2 3 4 5 empat tiga lima
"""
_GENERIC = frozenset(_SHARED_WORDS.split())
_NUMBER_ALIASES = {"i": "1", "ii": "2", "iii": "3", "tiga": "3", "empat": "4", "lima": "5"}

# ASCII letters lowercased, digits kept, apostrophes dropped ("bi'ih" -> "biih"), the rest: spaces
_WORD_CHARS = str.maketrans(
    {c: c.lower() if c.isalnum() else None if c in "'`" else " " for c in map(chr, range(128))}
)
_REDUPLICATED = re.compile(r"([a-z]{2,})2")  # "aluh2" -> "aluh aluh"


def normalise(text: str) -> str:
    """Lowercase words without punctuation, "aluh2" doubled and abbreviations spelled out."""
    return " ".join(_words(text))


def _words(text: str) -> list[str]:
    """The words of `normalise(text)`: `find` wants them as a list, so they are not joined."""
    if not text.isascii():  # "é" -> "e"; emoji and curly apostrophes drop out
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    tokens = text.translate(_WORD_CHARS).split()
    if "2" not in text:  # nothing reduplicated: each word spelled out, or itself
        return list(map(_ABBREVIATIONS.get, tokens, tokens))
    words: list[str] = []
    for token in tokens:
        doubled = _REDUPLICATED.fullmatch(token) if token[-1] == "2" else None
        if doubled:
            word = _ABBREVIATIONS.get(doubled[1], doubled[1])
            words += (word, word)
        else:
            words.append(_ABBREVIATIONS.get(token, token))
    return words


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


def _may_reach(length: int, other: int, cutoff: float) -> bool:
    """Whether fuzz.ratio of strings this long can reach `cutoff` at all."""
    return 200.0 * min(length, other) / (length + other) >= cutoff


def _spellings(name: str) -> set[tuple[str, ...]]:
    """Official tokens plus aliases: "Kertak Hanyar II" -> "... 2", "Loktabat" -> "lok tabat"."""
    tokens = tuple(normalise(name).split())
    numbered = tuple(_NUMBER_ALIASES.get(t, t) for t in tokens)
    split = tuple(w for t in tokens for w in (("lok", t[3:]) if _lok_joined(t) else (t,)))
    return {tokens, numbered, split}


def _lok_joined(token: str) -> bool:
    return token.startswith("lok") and len(token) > 5


def _runs(positions: Iterable[int]) -> list[tuple[int, int]]:
    """Contiguous [start, end) spans of the positions, in order."""
    ordered = sorted(positions)
    if ordered[-1] - ordered[0] < len(ordered):  # the usual case: one span
        return [(ordered[0], ordered[-1] + 1)]
    spans: list[tuple[int, int]] = []
    for pos in ordered:
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
        exact: dict[str, list[str]] = {}  # compact spelling -> area codes, first seen first
        by_token: dict[str, list[int]] = {}
        area_entries: dict[str, set[int]] = {}
        for i, entry in enumerate(self._entries):
            codes = exact.setdefault(entry.compact, [])
            if entry.area.code not in codes:
                codes.append(entry.area.code)
            for key in {*entry.tokens, entry.compact}:
                by_token.setdefault(key, []).append(i)
            area_entries.setdefault(entry.area.code, set()).add(i)
        self._exact = {compact: tuple(codes) for compact, codes in exact.items()}
        # Every start of an exact spelling: a query window that is none can stop growing.
        self._prefixes = frozenset(c[:n] for c in self._exact for n in range(1, len(c) + 1))
        self._key_entries = {key: frozenset(entries) for key, entries in by_token.items()}
        self._area_entries = {code: frozenset(e) for code, e in area_entries.items()}
        self._one_word = {  # per key: its spellings of one word
            key: frozenset(i for i in entries if len(self._entries[i].tokens) == 1)
            for key, entries in by_token.items()
        }
        self._window = max((len(e.tokens) for e in self._entries), default=0) + 1
        self._words = {t for e in self._entries for t in e.tokens}  # the rest: whole names
        self._cutoffs = {n: _cutoff(n) for n in range(3, MAX_TOKEN_LEN + 1)}
        keys = sorted(k for k in self._key_entries if len(k) >= 3)
        self._choices = {n: self._reachable(keys, n) for n in range(3, MAX_TOKEN_LEN + 1)}
        self._village = {code: area.level != DISTRICT for code, area in areas.items()}
        self._kecamatan = sorted((a for a in areas.values() if a.level == DISTRICT), key=_by_code)
        self._children: dict[str, list[Area]] = {}
        for area in sorted(areas.values(), key=_by_code):
            if area.level != DISTRICT and area.kecamatan_code:
                self._children.setdefault(area.kecamatan_code, []).append(area)

    def _reachable(self, keys: list[str], length: int) -> list[str]:
        """Those of `keys` (sorted) a typo this long can match; the others need not be scored.

        A whole name written as one word ("lokbaintan") must reach COMPACT_CUTOFF as well.
        """
        cutoff = self._cutoffs[length]
        return [
            key
            for key in keys
            if _may_reach(
                length, len(key), cutoff if key in self._words else max(cutoff, COMPACT_CUTOFF)
            )
        ]

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
        """Areas named in `text`, best first; equal scores mean the bot should ask which one.

        Only hits scoring MIN_SCORE or more are kept: `_adjust` only lowers scores, and lets
        only STRONG hits act on others, so a weaker hit could never show nor change a result.
        """
        if limit <= 0:
            return []
        tokens = _words(text[:MAX_INPUT_CHARS])[:MAX_TOKENS]
        if not tokens:
            return []
        hits: dict[str, _Hit] = {}
        self._exact_hits(tokens, hits)
        self._fuzzy_hits(tokens, hits)
        _adjust(tokens, hits, self._areas)
        village = self._village
        ranked = [
            (-hit.score, village[code], code)
            for code, hit in hits.items()
            if hit.score >= MIN_SCORE
        ]
        ranked.sort()
        areas = self._areas
        return [
            # round() goes through decimal digits: whole scores (100, 85) are already rounded
            AreaMatch(areas[code], -score if score.is_integer() else round(-score, 1))
            for score, _, code in ranked[:limit]
        ]

    def _exact_hits(self, tokens: list[str], hits: dict[str, _Hit]) -> None:
        """Every token window spelling a name exactly (spaces ignored) scores 100.

        Windows grow word by word and stop once they spell no start of a name. Exact hits come
        first, so the first window naming an area is the one kept.
        """
        n, window = len(tokens), self._window
        prefixes, exact = self._prefixes, self._exact
        for start, joined in enumerate(tokens):
            if joined not in prefixes or joined in _HINTS:
                continue  # no name starts with this word
            if joined not in _STOPWORDS or not _lone_chat_word(tokens, start):
                for code in exact.get(joined, ()):
                    if code not in hits:
                        hits[code] = _Hit(100.0, start, start + 1)
            for end in range(start + 2, min(n, start + window) + 1):
                token = tokens[end - 1]
                if token in _HINTS:
                    break
                joined += token
                if joined not in prefixes:
                    break
                for code in exact.get(joined, ()):
                    if code not in hits:
                        hits[code] = _Hit(100.0, start, end)

    def _fuzzy_hits(self, tokens: list[str], hits: dict[str, _Hit]) -> None:
        """Typos and partial names, scored over runs of query words that match a name's words."""
        per_entry, seeds = self._token_matches(tokens, hits)
        entries = self._entries
        no_seeds: set[int] = set()
        for i, found in per_entry.items():
            _score_entry(entries[i], tokens, found, seeds.get(i, no_seeds), hits)

    def _token_matches(
        self, tokens: list[str], named: Iterable[str]
    ) -> tuple[dict[int, dict[int, float]], dict[int, set[int]]]:
        """For each name spelling worth scoring: query positions whose word is (nearly) one of
        its words, with their similarity, and the positions that may start a match (seeds).

        Worth scoring: a spelling with a seed, or of one word, or met at two positions. The
        others, met once through a shared word ("sungai") or a chat word, are most of those
        met: set operations leave them out before any work per spelling. The dict keeps the
        spellings in the order first met: on equal scores the first one's span is kept.
        Areas `named` exactly (score 100) are left out: no other score can replace theirs.
        """
        key_entries, one_word = self._key_entries, self._one_word
        matched: list[tuple[int, list[tuple[str, float]], bool]] = []
        live: set[int] = set()  # spellings worth scoring
        weak_seen: frozenset[int] = frozenset()  # met through words that are no seeds
        for pos, token in enumerate(tokens):
            if token in key_entries:
                keys = [(token, 100.0)]
            elif self._typos and token not in _NEVER_FUZZY and 3 <= len(token) <= MAX_TOKEN_LEN:
                keys = self._similar_keys(token)
            else:
                continue
            seeding = token not in _STOPWORDS
            weak: frozenset[int] = frozenset()
            for key, _ in keys:
                if seeding and key not in _GENERIC:
                    live |= key_entries[key]  # seeded
                else:
                    live |= one_word[key]
                    weak = weak | key_entries[key] if weak else key_entries[key]
            if weak:  # met at two positions: seeded already, or through two weak words
                if weak_seen:
                    live |= weak_seen & weak
                    weak_seen = weak_seen | weak
                else:
                    weak_seen = weak
            matched.append((pos, keys, seeding))
        for code in named:
            live -= self._area_entries[code]
        per_entry: dict[int, dict[int, float]] = {}
        seeds: dict[int, set[int]] = {}
        for pos, keys, seeding in matched:
            for key, sim in keys:
                seeds_here = seeding and key not in _GENERIC
                for i in sorted(live.intersection(key_entries[key])):  # as in `by_token`
                    found = per_entry.get(i)
                    if found is None:
                        per_entry[i] = {pos: sim}
                    elif sim > found.get(pos, 0.0):
                        found[pos] = sim
                    if not seeds_here:
                        continue
                    if i in seeds:
                        seeds[i].add(pos)
                    else:
                        seeds[i] = {pos}
        return per_entry, seeds

    def _similar_keys(self, token: str) -> list[tuple[str, float]]:
        """Index keys a misspelt word may mean, best first: a word of 3 to MAX_TOKEN_LEN
        letters that is not in the index, nor a chat or level word (see `_token_matches`)."""
        found = process.extract(
            token,
            self._choices[len(token)],
            scorer=fuzz.ratio,
            score_cutoff=self._cutoffs[len(token)],
            limit=None,
        )
        words = self._words
        return [(key, score) for key, score, _ in found if score >= COMPACT_CUTOFF or key in words]


def _score_entry(
    entry: _Entry,
    tokens: list[str],
    found: dict[int, float],
    seeds: set[int],
    hits: dict[str, _Hit],
) -> None:
    """Score each run of matched words that may name this spelling; keep the good ones."""
    k = len(entry.tokens)
    code = entry.area.code
    if len(found) == 1:  # most spellings: one word of the query
        (pos,) = found
        runs = [(pos, pos + 1)]
    else:
        runs = _runs(found)
    for start, end in runs:
        if seeds.isdisjoint(range(start, end)) and not _shared_words_suffice(tokens[start:end], k):
            continue
        if end - start <= k:
            score, s, e = _window_score(entry, tokens, found, start, end), start, end
        else:
            score, s, e = _run_score(entry, tokens, found, start, end)
        if score < MIN_SCORE:
            continue  # UNPLACED below only lowers it further
        if len(tokens) > SHORT_QUERY and _needs_place_word(tokens, found, seeds, s, e):
            score *= UNPLACED
            if score < MIN_SCORE:
                continue
        best = hits.get(code)
        if best is None or score > best.score:
            hits[code] = _Hit(score, s, e)


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


def _run_score(
    entry: _Entry, tokens: list[str], found: dict[int, float], start: int, end: int
) -> tuple[float, int, int]:
    """Whole-name similarity of the run, or a partial-name score if it covers part of the name."""
    k = len(entry.tokens)
    best = (_window_score(entry, tokens, found, start, end), start, end)
    if end - start > k:  # a run longer than the name: also try name-sized windows inside it
        for s in range(start, end - k + 1):
            score = _window_score(entry, tokens, found, s, s + k)
            if score > best[0]:
                best = (score, s, s + k)
    return best


def _window_score(
    entry: _Entry, tokens: list[str], found: dict[int, float], s: int, e: int
) -> float:
    """How well query words s..e spell the name, as a whole or as a part of it.

    Exact from MIN_SCORE up; a window scoring less may get less, as the caller drops it: where
    the lengths alone keep fuzz.ratio below MIN_SCORE ("tabok" for Sungai Tabuk), it is not
    computed. Many spellings met through a typo are so.
    """
    k, n = len(entry.tokens), e - s
    partial = 0.0
    if n < k:
        sims = found[s] if n == 1 else sum(map(found.__getitem__, range(s, e)))  # as a list's
        partial = (PARTIAL_BASE + PARTIAL_SPAN * n / k) * sims / n / 100
    text = tokens[s] if n == 1 else "".join(tokens[s:e])
    shorter, longer = len(text), len(entry.compact)
    if shorter > longer:
        shorter, longer = longer, shorter
    if 200.0 * shorter / (shorter + longer) < MIN_SCORE - 1e-6:  # fuzz.ratio's most; rounding
        return partial
    score = fuzz.ratio(text, entry.compact)
    return partial if partial > score else score


def _adjust(tokens: list[str], hits: dict[str, _Hit], areas: dict[str, Area]) -> None:
    """Rank by context: a name inside a longer exact name, a desa's own kecamatan, level words."""
    strong = [(code, h.start, h.end) for code, h in hits.items() if h.score >= STRONG]
    if strong:
        for code, hit in hits.items():
            for other, s, e in strong:
                if (
                    other != code
                    and s <= hit.start
                    and hit.end <= e
                    and e - s > hit.end - hit.start
                ):
                    hit.score *= CONTAINED  # "bangkal" inside "tatah bangkal"
                    break
    if len(strong) >= 2:  # a desa and its kecamatan, both strong
        _prefer_supported(hits, areas)
    if _LEVEL_HINTS.isdisjoint(tokens):
        return
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
