"""The facts a message carries: problem category (with negation and corrections), since when,
account number, ticket number and the FAQ topic.

Categories are read clause by clause over canonical words (bot/engine/lexicon.py): "bukan" or a
"tidak" right before a problem rules it out ("bukan kecil lagi", "kada mati pang"), a clause that
is only a denial ("Air mati? Enggak sih, ...", "eh bukan, ...") rules out the clause before it,
and a problem after "tapi"/"cuma" is the one the customer settles on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.engine.lexicon import has, has_any, words

# canonical phrases (space-separated words) -> category
_PHRASES: dict[str, tuple[str, ...]] = {
    "no_water": (
        "tidak ada air", "air tidak ada", "tidak dapat air", "tidak mengalir", "tidak keluar",
        "tidak hidup", "tidak nyala", "mati", "matinya", "kering", "no water", "water off",
        "water is off", "mampet", "macet",
    ),
    "low_pressure": (
        "kecil", "lemah", "pelan", "tekanan", "netes", "menetes", "sedikit", "halus",
        "tidak deras", "tidak kuat", "pressure", "low pressure",
    ),
    "leak": (
        "bocor", "pecah", "rembes", "rembesan", "patah", "meluber", "muncrat", "nyembur",
        "menyembur", "burst", "leak", "leaking", "bahambur", "tabuang", "terbuang",
    ),
    "quality": (
        "keruh", "bau", "kotor", "kuning", "coklat", "cokelat", "berpasir", "pasirnya",
        "bapasir", "pasir", "lumpur", "berlumpur", "kaporit", "smell", "smells", "dirty",
        "turbid", "butek", "berwarna", "warnanya", "item", "hitam", "cacing", "berbusa", "busa",
        "asin", "amis", "rasanya", "payau", "teh susu", "brown", "muddy",
    ),
    "meter": (
        "tidak muter", "tidak berputar", "tidak baputar", "tidak jalan", "tidak kebaca",
        "tidak terbaca", "dont move", "muter sendiri",
    ),
    "billing": ("tagihan", "tagihannya", "rekening", "tunggakan", "denda", "bill", "billing"),
    "other": (
        "galian", "berlubang", "dirusak", "kasar", "hidran", "hydrant", "ilegal", "dilubangi",
        "tidak sopan",
    ),
}  # fmt: skip
_LOOKUP = {phrase: cat for cat, phrases in _PHRASES.items() for phrase in phrases}
_FIRST_WORDS = frozenset(phrase.split()[0] for phrase in _LOOKUP)
_LONGEST = max(len(p.split()) for p in _LOOKUP)
# When several problems stand side by side, the more specific one is the complaint.
PRIORITY = ("leak", "meter", "quality", "billing", "other", "low_pressure", "no_water")
_METER_NOUNS = ("water meter", "meter air", "meteran", "meter", "kaca", "kacanya")
_METER_FIRST = frozenset(noun.split()[0] for noun in _METER_NOUNS)
_METER_STATES = words("rusak pecah macet dicuri hilang berembun broken embun")
_NOT_A_METER_MENTION = words(
    "dekat sebelum sesudah setelah depan samping belakang near angka catat baca foto"
)
_NOT_PRESSURE = words("cacing anak lubang batu pasir bocor")  # "cacing kecil2"
_PIPES = words("pipa sambungan kran keran")  # "sambungan pipa ... netes": a leak
_CONTRASTS = words("tapi tetapi cuma hanya namun but melainkan")
_DENIALS = words("bukan tidak salah no ralat not nope")
_DENIAL_CLAUSE = _DENIALS | words("eh sih maaf kok ya min pak bu kak pian deh")
_RULING_OUT = words("masalah masalahnya soal problem")  # "tagihan bukan masalahnya"


@dataclass(frozen=True, slots=True)
class Mention:
    category: str
    clause: int
    negated: bool
    contrast: bool  # after "tapi"/"cuma": what the customer settles on


def categories(clauses: list[list[str]]) -> tuple[str | None, str | None]:
    """(the problem the customer means, a problem they explicitly ruled out)."""
    mentions: list[Mention] = []
    for index, clause in enumerate(clauses):
        if _is_denial(clause):
            mentions = [
                Mention(m.category, m.clause, True, m.contrast) if m.clause == index - 1 else m
                for m in mentions
            ]
            continue
        if clause[0] == "padahal":
            continue  # background: "padahal tagihan sdh dibayar"
        mentions += _clause_mentions(clause, index)
    if not mentions and _ends_without_water(clauses):
        return "no_water", None
    meant = [m for m in mentions if not m.negated]
    chosen = None
    if contrasted := [m for m in meant if m.contrast]:
        chosen = contrasted[-1].category
    elif meant:
        chosen = min(meant, key=lambda m: PRIORITY.index(m.category)).category
    ruled_out = next((m.category for m in mentions if m.negated and m.category != chosen), None)
    return chosen, ruled_out


def _is_denial(clause: list[str]) -> bool:
    return set(clause) <= _DENIAL_CLAUSE and bool(set(clause) & _DENIALS)


def _clause_mentions(clause: list[str], index: int) -> list[Mention]:
    found: list[Mention] = []
    meter_context = bool(_METER_FIRST.intersection(clause)) and any(
        _meter_noun_at(clause, i) for i in range(len(clause))
    )
    pipes = bool(_PIPES & set(clause))
    denied = contrast = False
    i = 0
    while i < len(clause):
        word = clause[i]
        if word in _CONTRASTS:
            denied, contrast = False, True  # "bukan mati tapi kecil"
        elif word in ("bukan", "not", "isnt"):
            denied = True
        category, size = _category_at(clause, i, meter_context, pipes)
        if category is None:
            i += 1
            continue
        negated = denied or _negated_before(clause, i) or _ruled_out_after(clause, i + size)
        found.append(Mention(category, index, negated, contrast))
        i += size
    if any(m.category == "meter" and m.negated for m in found):  # "meteran gak rusak"
        found = [
            Mention(m.category, index, True, m.contrast) if m.category == "meter" else m
            for m in found
        ]
    return found


def _category_at(
    clause: list[str], i: int, meter_context: bool, pipes: bool
) -> tuple[str | None, int]:
    """The category of the phrase starting at word i, and how many words it takes."""
    word = clause[i]
    noun = _meter_noun_at(clause, i) if word in _METER_FIRST else 0
    if noun:
        return "meter", noun
    if meter_context and word in _METER_STATES:
        return "meter", 1
    if word not in _FIRST_WORDS:
        return None, 1
    for size in range(min(_LONGEST, len(clause) - i), 0, -1):
        category = _LOOKUP.get(" ".join(clause[i : i + size]))
        if category is None:
            continue
        before = clause[i - 1] if i else ""
        if word in ("kecil", "halus") and before in _NOT_PRESSURE:
            return None, 1
        if word in ("netes", "menetes") and pipes:
            return "leak", size
        if meter_context and category == "no_water" and word == "macet":
            return "meter", size
        return category, size
    return None, 1


def _meter_noun_at(clause: list[str], i: int) -> int:
    """Length of a meter noun at word i that names the meter itself (not "dekat meteran")."""
    for noun in _METER_NOUNS:
        size = len(noun.split())
        if " ".join(clause[i : i + size]) == noun:
            if i and clause[i - 1] in _NOT_A_METER_MENTION:
                return 0
            if noun == "meter" and i + 1 < len(clause) and clause[i + 1] == "air":
                continue
            return size
    return 0


def _negated_before(clause: list[str], i: int) -> bool:
    """ "kada mati", "meteran gak rusak": a "tidak" right before a positive problem word."""
    if clause[i] == "tidak":
        return False  # the phrase itself is negative: "tidak mengalir"
    return i > 0 and clause[i - 1] in ("tidak", "bukan", "not")


def _ruled_out_after(clause: list[str], end: int) -> bool:
    return end + 1 < len(clause) and clause[end] == "bukan" and clause[end + 1] in _RULING_OUT


def _ends_without_water(clauses: list[list[str]]) -> bool:
    """ "kapan air normal lg ..., dr subuh ga ada": no water, said by leaving the noun out."""
    mentions_water = any("air" in clause or "water" in clause for clause in clauses)
    return mentions_water and any(clause[-2:] == ["tidak", "ada"] for clause in clauses)


# --- since when -------------------------------------------------------------------------------

_TIME_WORDS = (
    r"subuh|pagi|siang|sore|malam|malem|kemarin|kmrn|kemaren|kamarin|kamarian|samalam|semalam|"
    r"tadi|td|tdi|jam|dzuhur|zuhur|lohor|ashar|asar|magrib|maghrib|isya|hari|minggu|bulan|tahun|"
    r"lalu|bbrp|beberapa|senin|selasa|rabu|kamis|jumat|sabtu|this|morning|yesterday|last|night|"
    r"week|today|days|hours|\d+|dua|tiga|empat|lima|talu"
)
_COUNT = r"(?:\d+|satu|dua|tiga|empat|lima|enam|tujuh|talu|beberapa|bbrp)"
_SINCE = re.compile(
    rf"\b(?:(?:sudah|sdh|udh|udah|dah|hudah)\s+)?(?:sejak|semenjak|dari|dr|mulai|sjk|since|for)"
    rf"\s+(?:{_TIME_WORDS})(?:\s+(?:{_TIME_WORDS}|ini))*\b"
    rf"|\b(?:sudah|sdh|udh|udah|dah|hudah)\s+(?:{_COUNT}\s+(?:hari|minggu|bulan|tahun|jam)"
    rf"|seminggu|sebulan|sehari|setahun)\b",
    re.IGNORECASE,
)
_BARE_DAYS = re.compile(r"\b(?:\d+|dua|tiga|talu)\s+(?:hari|days)\b(?!\s+(?:lalu|nang|yang|yg))")
_LONG = re.compile(r"\b(?:[3-9]|\d\d|tiga|talu|empat|lima)\s+hari|minggu|seminggu|bulan", re.I)


def since(text: str) -> str | None:
    """The customer's own words for since when, copied exactly: "dr kmrn", "SUDAH 3 HARI"."""
    match = _SINCE.search(text) or _BARE_DAYS.search(text)
    return match.group(0) if match else None


def is_long(since_words: str | None) -> bool:
    """ "sudah 3 hari", "udh seminggu": long enough that an apology is due."""
    lowered = (since_words or "").lower()
    starts = ("sudah", "sdh", "udh", "udah", "dah", "hudah")
    return lowered.startswith(starts) and bool(_LONG.search(lowered))


# --- account and ticket numbers ----------------------------------------------------------------

_ACCOUNT_AFTER_WORD = re.compile(
    r"\b(?:no|nomor|nomer|nmr|id)\b\.?\s*"
    r"(?:(?:pel|pelanggan|pelanggannya|plg|sambungan|samb|rekening|langganan|pelangan)\b\.?\s*)?"
    r"(?:(?:ulun|saya|sy)\b\s*)?:?\s*(\d[\d .\-]{3,22}\d)",
    re.IGNORECASE,
)
_BARE_ACCOUNT = re.compile(r"(?<![\w.+\-])(\d{7,15})(?![\w])")
_PHONE = re.compile(r"^(?:08|62|628)\d{8,}$")
_PHONE_WORDS = re.compile(r"\b(?:hp|wa|telp|telepon|tlp|hape|handphone|phone)\b[^\d]{0,12}$", re.I)
ACCOUNT_DIGITS = (5, 15)


def account_number(text: str) -> str | None:
    """A customer/connection number: after "no pel", "ID pel", "nomor"..., or a long bare number.

    Digits only, leading zeros kept ("03.03.12345" -> "030312345"); phone numbers are not one.
    """
    for match in _ACCOUNT_AFTER_WORD.finditer(text):
        digits = re.sub(r"\D", "", match.group(1))
        low, high = ACCOUNT_DIGITS
        if low <= len(digits) <= high and not _PHONE.match(digits):
            return digits
    for match in _BARE_ACCOUNT.finditer(text):
        digits = match.group(1)
        if not _PHONE.match(digits) and not _PHONE_WORDS.search(text[: match.start()]):
            return digits
    return None


def without_account(text: str) -> str:
    """The text with "no pel 0123 4567" taken out: an address, not the account number."""
    stripped = _ACCOUNT_AFTER_WORD.sub("", text)
    return stripped.strip(" ,.;:-") if stripped != text else text


def digits_anywhere(text: str) -> str | None:
    """An account number however it is written in an answer to "your account number?"."""
    for match in re.finditer(r"\d[\d .\-]*\d|\d", text):
        digits = re.sub(r"\D", "", match.group(0))
        if ACCOUNT_DIGITS[0] <= len(digits) <= ACCOUNT_DIGITS[1]:
            return digits
    return None


_TICKET_WORD = re.compile(
    r"\b(?:tiket|ticket)\s*(?:no\.?|nomor|nmr|number|#)?\s*[:#]?\s*(\d{1,6})\b", re.I
)


def ticket_digits(text: str, prefix: str) -> int | None:
    """The number of a ticket named in the text: "ADU-000123", "adu 123", "tiket no 45"."""
    match = re.search(rf"\b{re.escape(prefix)}\s*[-_.#]?\s*(\d{{1,6}})\b", text, re.I)
    match = match or _TICKET_WORD.search(text)
    return int(match.group(1)) if match else None


# --- FAQ topics ---------------------------------------------------------------------------------


def faq_topic(words: str, question: bool) -> str | None:
    """Which frequently asked question this is, if it is one ("kantor buka jam brp?")."""
    if has(words, "kantor") or has_any(words, ("office", "jam pelayanan", "jam layanan")):
        if has_any(words, ("alamat", "di mana", "pusat", "lokasi", "where", "address")):
            return "office_address"
        if has_any(words, ("buka", "jam", "tutup", "sabtu", "open", "hours", "jam pelayanan")):
            return "office_hours"
    if has_any(words, ("pasang baru", "sambungan baru", "pemasangan baru", "new connection")):
        return "new_connection"
    if has_any(words, ("tarif", "tariff", "per kubik", "per m3", "harga air")):
        return "tariff"
    if has_any(words, ("catat meteran", "catat meter", "pencatatan meter", "baca meter")) or (
        has(words, "foto") and has_any(words, ("meter", "meteran"))
    ):
        return "meter_reading"
    if _asks_how_to_report(words):
        return "complaint_howto"
    if question and _asks_where_to_pay(words):
        return "payment"
    if question and _asks_if_safe(words):
        return "water_safety"
    return None


def _asks_how_to_report(words: str) -> bool:
    reports = ("lapor", "pengaduan", "ngadu", "komplain", "report", "complain", "laporan")
    return (has(words, "cara") or has(words, "how to")) and has_any(words, reports)


def _asks_where_to_pay(words: str) -> bool:
    paying = has_any(words, ("bayar", "pembayaran", "pay"))
    where = has_any(words, ("lewat", "via", "di mana", "mana", "tempat", "where", "online"))
    paid = has_any(words, ("sudah bayar", "sudah dibayar", "tunggakan", "mahal", "denda"))
    return paying and where and not paid


def _asks_if_safe(words: str) -> bool:
    drinking = has_any(words, ("diminum", "minum", "drink", "susu bayi", "dimasak"))
    safe = has_any(words, ("aman", "bisa", "layak", "safe", "susu bayi", "harus dimasak"))
    return drinking and safe and not has(words, "tidak bisa diminum")
