"""Command words that mean the same anywhere in a conversation (MENU, STOP, MULAI, batal) and a
plain yes or no. Free text is understood in bot/engine/understanding.py."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

WORD = re.compile(r"[a-z0-9]+")

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
ENGLISH_WORDS = {"english", "inggris", "bahasa inggris", "en"}


def simplify(text: str) -> str:
    """Lowercase words only, accents and punctuation gone: 'Halo!!' -> 'halo'."""
    folded = unicodedata.normalize("NFKD", text.lower())
    return " ".join(WORD.findall(folded))


def has_phrase(simple: str, phrases: Iterable[str]) -> bool:
    padded = f" {simple} "
    return any(f" {phrase} " in padded for phrase in phrases)


def answer_yes_no(simple: str) -> bool | None:
    words = simple.split()
    if not words:
        return None
    if simple in YES_WORDS or (words[0] in YES_WORDS and not has_phrase(simple, ("belum",))):
        return True
    if simple in NO_WORDS or words[0] in NO_WORDS:
        return False
    return None
