"""Recognising what a customer wants from free text (Indonesian, Banjar, English, typos)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

WORD = re.compile(r"[a-z0-9]+")

GREETINGS = {
    "halo",
    "hallo",
    "hello",
    "hai",
    "hi",
    "helo",
    "pagi",
    "siang",
    "sore",
    "malam",
    "assalamualaikum",
    "asalamualaikum",
    "assalamu",
    "salam",
    "permisi",
    "p",
    "ping",
    "tes",
    "test",
    "start",
    "mulai_chat",
}
MENU_WORDS = {
    "menu",
    "0",
    "?",
    "help",
    "bantuan",
    "tolong",
    "info",
    "mulai_menu",
    "kembali",
    "back",
}
CANCEL_WORDS = {"batal", "cancel", "batalkan", "gajadi", "ndak jadi", "tidak jadi", "kada jadi"}
STOP_WORDS = {"stop", "berhenti", "unsubscribe", "henti"}
RESUME_WORDS = {"mulai", "start", "resume", "lanjut langganan"}
YES_WORDS = {
    "ya",
    "iya",
    "y",
    "yes",
    "ok",
    "oke",
    "okay",
    "benar",
    "betul",
    "sudah",
    "udah",
    "inggih",
    "ih",
    "ae",
    "sip",
    "kirim",
    "send",
}
NO_WORDS = {
    "tidak",
    "tdk",
    "gak",
    "ga",
    "nggak",
    "enggak",
    "no",
    "n",
    "belum",
    "blm",
    "kada",
    "kadak",
    "salah",
    "bukan",
}
SKIP_WORDS = {
    "lewati",
    "skip",
    "-",
    "tidak ada",
    "tidak tahu",
    "gak tahu",
    "ga tau",
    "kada tahu",
    "lewat",
    "tidak punya",
    "gak ada",
    "ga ada",
}

CATEGORY_PHRASES: dict[str, tuple[str, ...]] = {
    "leak": ("bocor", "pecah", "rembes", "patah", "meluber", "muncrat", "burst", "leak"),
    "quality": (
        "keruh",
        "bau",
        "kotor",
        "kuning",
        "coklat",
        "cokelat",
        "berpasir",
        "lumpur",
        "berlumpur",
        "kaporit",
        "smell",
        "dirty",
        "turbid",
        "butek",
    ),
    "low_pressure": (
        "kecil",
        "lemah",
        "pelan",
        "tekanan",
        "menetes",
        "netes",
        "low pressure",
        "sedikit",
    ),
    "no_water": (
        "mati",
        "tidak mengalir",
        "tdk mengalir",
        "gak mengalir",
        "ga mengalir",
        "nggak mengalir",
        "kada mengalir",
        "kada ngalir",
        "tidak ngalir",
        "gak ngalir",
        "tidak keluar",
        "gak keluar",
        "ga keluar",
        "nggak keluar",
        "kada kaluar",
        "kada keluar",
        "kering",
        "kada ada banyu",
        "tidak ada air",
        "gak ada air",
        "ga ada air",
        "no water",
        "macet",
        "mampet",
        "kosong",
        "habis",
    ),
    "meter": ("meter", "meteran", "water meter"),
    "billing": ("tagihan", "rekening", "bayar", "pembayaran", "billing", "bill", "tunggakan"),
}
OUTAGE_PHRASES = (
    "gangguan",
    "kapan",
    "jadwal",
    "giliran",
    "pemadaman",
    "perbaikan",
    "disruption",
    "outage",
    "schedule",
    "hidup",
    "nyala",
    "normal",
    "sampai jam",
    "info air",
)
SUBSCRIBE_PHRASES = ("langganan", "berlangganan", "subscribe", "daftar info", "notifikasi")
HUMAN_PHRASES = (
    "petugas",
    "operator",
    "manusia",
    "orang",
    "admin",
    "cs",
    "customer service",
    "agent",
    "person",
    "human",
    "telpon",
    "telepon",
)
ENGLISH_WORDS = {"english", "inggris", "bahasa inggris", "en"}


def simplify(text: str) -> str:
    """Lowercase words only, accents and punctuation gone: 'Halo!!' -> 'halo'."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return " ".join(WORD.findall(folded))


def has_phrase(simple: str, phrases: Iterable[str]) -> bool:
    padded = f" {simple} "
    return any(f" {phrase} " in padded for phrase in phrases)


def is_greeting(simple: str) -> bool:
    words = simple.split()
    return bool(words) and len(words) <= 4 and words[0] in GREETINGS


def category_of(simple: str) -> str | None:
    """The complaint category a sentence describes, if any ('banyu kada mengalir' -> no_water)."""
    for category, phrases in CATEGORY_PHRASES.items():
        if has_phrase(simple, phrases):
            return category
    return None


def answer_yes_no(simple: str) -> bool | None:
    words = simple.split()
    if not words:
        return None
    if simple in YES_WORDS or (words[0] in YES_WORDS and not has_phrase(simple, ("belum",))):
        return True
    if simple in NO_WORDS or words[0] in NO_WORDS:
        return False
    return None
