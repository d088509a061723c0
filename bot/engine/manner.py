"""How a message is said: its language, whether the customer is upset, and short answers
(skip words, yes and no, "cuma nanya") that steps take from any wording."""

from __future__ import annotations

import re

from bot.engine import slots
from bot.engine.lexicon import clauses, has_any, padded, words

# --- upset, language --------------------------------------------------------------------------

_SHARP = ("payah", "gimana sih", "kasal", "parah", "kecewa", "mulu", "capek", "kesal", "kesel",
          "becus", "mana sih", "lambat banget", "keterlaluan", "what the")  # fmt: skip
_ANGRY_EMOJI = ("😤", "😡", "🤬", "👿", "💢")
_LETTER, _CAPITAL = re.compile(r"[^\W\d_]"), re.compile(r"[A-Z]")


def is_upset(text: str, words: str, since_words: str | None) -> bool:
    """All capitals, "!!", sharp words or angry emoji, or a long wait: an apology is due."""
    if len(_LETTER.findall(text)) < 3:
        return False  # "?!?!": no words, no mood
    shouting = False
    if _CAPITAL.search(text):
        letters, capitals = len(_LETTER.findall(text)), len(_CAPITAL.findall(text))
        shouting = letters >= 8 and capitals >= 0.7 * letters
    exclaims = "!!" in text or "?!" in text
    sharp = has_any(words, _SHARP) or any(e in text for e in _ANGRY_EMOJI)
    return shouting or exclaims or sharp or slots.is_long(since_words)


_ENGLISH = words(
    "the is are was my i im you your to a an in on for of and please want water pipe "
    "there theres any not dont can reply what whats how much it this that with from since "
    "very low broken move report problem talk real person thanks thank update outage "
    "alerts me subscribe tomorrow weather speak sorry english morning live near market "
    "everywhere burst leak last week nobody came days off do does when where why who will "
    "be has have been today numbers pressure tariff per reported indonesian would like "
    "need hours office"
)
_INDONESIAN = words(
    "air di mati yang dan saya tidak sudah belum ada kah ya mau tolong kapan apa ini itu "
    "dari sejak bisa rumah lagi ke aja dong min pak bu kak pian lah pang nih sih kok "
    "gimana berapa mana kenapa lapor untuk sama dengan banget mohon terima kasih makasih "
    "selamat pagi siang sore malam halo jalan desa kecamatan kelurahan gangguan pipa "
    "bocor keruh tagihan meteran pelanggan nomor hari jam tiket info langganan bahasa "
    "pakai ganti kantor buka nya juga keluar mengalir kecil masih tapi kemarin tadi"
)


def language_of(text: str) -> str | None:
    """The language of a message on its own (see `detect_language`)."""
    return detect_language([w for c in clauses(text) for w in c])


def detect_language(words: list[str]) -> str | None:
    """ "en" or "id" (Indonesian and Banjar) when the words leave no doubt; None otherwise."""
    english = sum(w in _ENGLISH for w in words)
    indonesian = sum(w in _INDONESIAN for w in words)
    if english >= 2 and english > 2 * indonesian:
        return "en"
    if indonesian >= 2 and indonesian > english:
        return "id"
    return None


# --- short answers ------------------------------------------------------------------------------

_SKIP = frozenset(
    {"lewati", "lewat", "skip", "tidak ada", "tidak tahu", "tidak punya", "tidak ingat", "lupa",
     "nanti", "belum tahu", "none", "no", "pass", "tidak", "kosong", "x", "dont know",
     "i dont know", "belum ada", "tidak tahu nomornya", "na", "n a", "gak", "skip aja"}
)  # fmt: skip
_FILLERS = words("min kak pak bu pian ya sih deh saya nomornya namanya aja dulu ah")
_SKIP_MARKS = frozenset({"-", "--", "—", "–", ".", "..", "...", "…", "x", "/"})


def is_skip(text: str) -> bool:
    """ "-", "gak tau", "tidak ada", "kada tahu", "lewat": no answer to an optional question."""
    if text.strip() in _SKIP_MARKS:
        return True
    words = [w for c in clauses(text) for w in c if w not in _FILLERS]
    return " ".join(words) in _SKIP


_YES = words(
    "ya iya y yes ok oke okay benar betul bener sudah inggih ih ae sip siip siap kirim "
    "send lanjut boleh yup yoi setuju"
)
_NO = words("tidak no n belum salah bukan jangan")


def yes_or_no(text: str) -> bool | None:
    """True for "ya"/"iya"/"inggih"/"ok kirim", False for "tidak"/"gak"/"kada", None otherwise."""
    words = [w for c in clauses(text) for w in c if w == "ya" or w not in _FILLERS]
    if not words:
        return None
    if words[0] in _YES and "belum" not in words:
        return True
    if words[0] in _NO:
        return False
    return None


_JUST_ASKING = ("cuma nanya", "cuma tanya", "hanya bertanya", "hanya tanya", "just asking",
                "nanya aja", "nanya doang", "tanya aja", "tanya saja", "cuma mau tanya",
                "cuma mau nanya", "mau nanya aja", "batakun haja", "tidak jadi lapor")  # fmt: skip


def just_asking(text: str) -> bool:
    """ "tidak, cuma nanya": the customer did not mean to file a complaint."""
    return has_any(padded([w for c in clauses(text) for w in c]), _JUST_ASKING)
