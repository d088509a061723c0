"""How customers spell things: one canonical word for each Indonesian, Banjar or slang spelling.

Messages are read as clauses of canonical words: "banyu kada kaluar dr kmrn, tp kcl" becomes
[["air", "tidak", "keluar", "dari", "kemarin"], ["tapi", "kecil"]]. The word lists the rest of
the understanding works with are written in canonical words only.
"""

from __future__ import annotations

import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+|[,.!?;:\n]")
_REDUPLICATED = re.compile(r"([a-z]{3,})2")  # "kecil2", "ngalir2" -> one word
CLAUSE_BREAKS = frozenset(",.!?;:\n")
_ABBREVIATIONS = frozenset(
    [
        "no",
        "jl",
        "jln",
        "kel",
        "kec",
        "ds",
        "gg",
        "tgl",
        "rt",
        "rw",
        "komp",
        "kab",
        "h",
        "hj",
        "dr",
        "ir",
        "st",
    ]
)

# spelling -> canonical word (or words, space-separated)
_CANON_GROUPS: dict[str, str] = {
    "tidak": "gk ga gak nggak ngga enggak engga tdk tak kada kadak ndak gag gx kagak ndak",
    "tidak ada": "kadada gada gaada gkada",
    "air": "aer banyu banyunya airnya aernya ledeng",
    "sudah": "sdh udh udah dah hudah sudh uda sampun",
    "belum": "blm blum balum",
    "keluar": "kaluar kluar",
    "mengalir": "ngalir bacucur ngocor ngucur ngalirnya mengalirnya",
    "keruh": "karuh",
    "bau": "babau",
    "pecah": "pcah pacah",
    "kecil": "kcl",
    "lemah": "lmh",
    "kemarin": "kmrn kemaren kamarin kamarian kmarin kmren",
    "tadi": "td tdi",
    "semalam": "samalam smlm",
    "dari": "dr",
    "sejak": "sjk",
    "lagi": "lg",
    "masih": "msh",
    "tapi": "tp tpi",
    "yang": "yg",
    "saya": "sy ulun aku gw gue sya",
    "bisa": "bs kawa",
    "kapan": "kpn",
    "berapa": "brp barapa",
    "di mana": "dimana dmn dmana",
    "kenapa": "knp kanapa napa",
    "tolong": "tlg",
    "lapor": "malapor melapor lapur",
    "ngadu": "mengadu",
    "komplain": "complain komplen",
    "mau": "handak mo pengen pingin ingin",
    "kalau": "mun kalo klo",
    "makasih": "mksh makasi trimakasih trims tks thx mkasih makasihh terimakasih",
    "banyak": "bnyk",
    "banget": "bgt banar",
    "nomor": "nomer nmr",
    "semua": "smua",
    "sama": "sm",
    "dengan": "dgn",
    "untuk": "utk",
    "gimana": "gmn bagaimana",
    "tahu": "tau tw taw",
    "meteran": "meterannya meteranya",
    "pipa": "pipanya",
    "rumah": "rmh",
    "hari": "hr",
    "minggu": "mgg",
    "sekarang": "skrg skrng",
    "kayak": "kaya kyk kek",
    "halo": "hallo helo hello hellow",
    "assalamualaikum": "asslm assalamualaikom asalamualaikum assalamu'alaikum aslm salamualaikum",
}
CANON: dict[str, str] = {
    spelling: canonical for canonical, group in _CANON_GROUPS.items() for spelling in group.split()
}


def fold(text: str) -> str:
    """Lowercase ASCII: accents and emoji dropped."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return text.lower()


def clauses(text: str) -> list[list[str]]:
    """Canonical words, split into clauses at punctuation."""
    result: list[list[str]] = [[]]
    previous = ""
    for token in _TOKEN.findall(fold(text).replace("'", "")):
        if token in CLAUSE_BREAKS:
            if result[-1] and not (token == "." and previous in _ABBREVIATIONS):
                result.append([])
            previous = token
            continue
        previous = token
        doubled = _REDUPLICATED.fullmatch(token)
        word = doubled[1] if doubled else token
        result[-1].extend(CANON.get(word, word).split())
    return [clause for clause in result if clause]


def words(text: str) -> frozenset[str]:
    """A word list written as one string: words("bukan tidak salah")."""
    return frozenset(text.split())


def has(words: str, phrase: str) -> bool:
    """Whether the space-padded canonical `words` contain the phrase as whole words."""
    return f" {phrase} " in words


_PATTERNS: dict[tuple[str, ...], re.Pattern[str]] = {}


def has_any(words: str, phrases: tuple[str, ...]) -> bool:
    """Whether any of the phrases is in `words`: one regular expression per phrase list."""
    pattern = _PATTERNS.get(phrases)
    if pattern is None:
        alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
        pattern = _PATTERNS[phrases] = re.compile(f" (?:{alternatives}) ")
    return pattern.search(words) is not None


def padded(words: list[str]) -> str:
    return f" {' '.join(words)} "
