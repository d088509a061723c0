"""Understanding a whole message: what the customer wants (the intent) and every fact in it.

`understand(text, areas=..., ticket_prefix=...)` reads informal Indonesian, Banjar and English
and returns an `Understanding`: the intent, the problem category (and one ruled out), the place
(served, a served kabupaten/kota only, or outside the service area), account and ticket numbers,
since when, the FAQ topic, whether the customer is upset, greeted with a salam, and which language
they wrote in. Flows prefill from it and ask only for what is missing (docs/conversation.md).
Word lists, no model: fast enough to run on every message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from areas.index import Area, AreaIndex, AreaMatch
from areas.outside import OutsidePlace, outside_index
from bot.engine import slots
from bot.engine.lexicon import clauses, fold, has, has_any, padded, words
from bot.engine.manner import detect_language, is_upset

CLEAR_LEAD, SURE_SCORE = 5.0, 80.0  # as bot/engine/flows/common.decide
SERVED_BEATS_OUTSIDE = 95.0  # below this, an exact neighbour name is what was meant
# Served kabupaten/kota named by themselves: "air di bjb mati semua kah?"
_SERVED_REGENCIES = re.compile(
    r"\b(?:kota\s+)?(?:bjb|banjarbaru)\b(?!\s*(?:utara|selatan|timur|barat))"
    r"|\bkab(?:upaten|\.)?\s+banjar\b",
    re.IGNORECASE,
)
REGENCY_NAMES = {"63.72": "Kota Banjarbaru", "63.03": "Kabupaten Banjar"}

INTENTS_WITH_CATEGORY = frozenset({"complaint", "outage_check", "already_reported"})
INTENTS_WITH_SINCE = frozenset({"complaint", "outage_check"})
INTENTS_WITH_ACCOUNT = frozenset({"complaint", "already_reported", "outage_check"})
# Only these look for a place outside the service area (a second, larger lookup).
INTENTS_WITH_OUTSIDE = frozenset({"complaint", "outage_check", "subscribe", "faq"})
INTENTS_WITHOUT_PLACE = frozenset(
    {"complaint_status", "unsubscribe", "resubscribe", "human", "greeting", "salam", "thanks",
     "goodbye", "menu", "language"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Place:
    """Where the message says the problem is, as far as the text tells."""

    area: Area | None = None  # one served area, beyond doubt
    matches: tuple[AreaMatch, ...] = ()  # served candidates, best first
    regency: str | None = None  # a served kabupaten/kota named on its own: "63.72"
    outside: OutsidePlace | None = None  # a place outside the service area

    @property
    def name(self) -> str | None:
        if self.matches:
            return self.matches[0].area.name
        if self.regency:
            return REGENCY_NAMES[self.regency]
        return None


@dataclass(frozen=True, slots=True)
class Understanding:
    intent: str | None
    category: str | None = None
    negated_category: str | None = None
    place: Place = Place()
    account_number: str | None = None
    ticket: int | None = None
    since: str | None = None
    faq_topic: str | None = None
    upset: bool = False
    salam: bool = False
    language: str | None = None  # "en" or "id" when the words say so clearly
    corrects: bool = False  # "eh maksudnya ...", "bukan X tapi Y"
    wanted_language: str | None = None  # what a "language" message asks for

    def slots(self, ticket_prefix: str = "ADU") -> dict[str, str]:
        """The slots as the corpus labels them (tests/bot/corpus/README.md)."""
        found = {
            "category": self.category,
            "negated_category": self.negated_category,
            "area": self.place.name,
            "outside_area": self.place.outside.name if self.place.outside else None,
            "account_number": self.account_number,
            "ticket": f"{ticket_prefix}-{self.ticket:06d}" if self.ticket is not None else None,
            "since": self.since,
            "faq_topic": self.faq_topic,
        }
        return {key: value for key, value in found.items() if value}


class _Reading:
    """One message, read once: its clauses and canonical words, for the intent rules."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.clauses = clauses(text)
        self.words_list = [w for c in self.clauses for w in c]
        self.words = padded(self.words_list)
        asks = "?" in text.replace("?!", "")  # "kaya apa ini pian?!" is not a question
        self.question = asks or bool({"kah", "apakah"} & set(self.words_list))

    def has(self, phrase: str) -> bool:
        return has(self.words, phrase)

    def any(self, *phrases: str) -> bool:
        return has_any(self.words, phrases)

    @cached_property
    def word_set(self) -> frozenset[str]:
        return frozenset(self.words_list)


def understand(text: str, *, areas: AreaIndex, ticket_prefix: str = "ADU") -> Understanding:
    """Everything a message says that the bot can use."""
    reading = _Reading(text)
    category, ruled_out = slots.categories(reading.clauses)
    ticket = slots.ticket_digits(text, ticket_prefix)
    faq = slots.faq_topic(reading.words, reading.question)
    intent = _intent(reading, category, ticket, faq)
    place = (
        Place()
        if intent in INTENTS_WITHOUT_PLACE
        else find_place(text, areas, outside=intent in INTENTS_WITH_OUTSIDE)
    )
    if intent is None and (place.area or place.matches):
        intent = "outage_check"  # a place named on its own: "gambut"
    since_said = slots.since(text)
    since_words = since_said if intent in INTENTS_WITH_SINCE else None
    keeps_category = intent in INTENTS_WITH_CATEGORY
    return Understanding(
        intent=intent,
        category=category if keeps_category else None,
        negated_category=ruled_out if keeps_category else None,
        place=place,
        account_number=slots.account_number(text) if intent in INTENTS_WITH_ACCOUNT else None,
        ticket=ticket if intent == "complaint_status" else None,
        since=since_words,
        faq_topic=faq if intent == "faq" else None,
        upset=is_upset(text, reading.words, since_said),
        salam=reading.any("assalamualaikum", "assalamu", "ass wr", "salam"),
        language=detect_language(reading.words_list),
        corrects=reading.any(*_CORRECTION_MARKERS),
        wanted_language=wanted_language(reading) if intent == "language" else None,
    )


def find_place(text: str, areas: AreaIndex, *, outside: bool = True) -> Place:
    """Served area first; a neighbour's place only when the served side has no good match.

    `outside`: also look among the places outside the service area.
    """
    regency = _SERVED_REGENCIES.search(text)
    served_text = _SERVED_REGENCIES.sub(" ", text) if regency else text
    matches = [m for m in areas.find(served_text, limit=6) if m.score >= SURE_SCORE]
    best = matches[0].score if matches else 0.0
    if outside and best < SERVED_BEATS_OUTSIDE:
        elsewhere = outside_index().find(served_text)
        if elsewhere is not None and (not matches or _only_outside(elsewhere, text, matches)):
            return Place(outside=elsewhere)
    if matches:
        matches = _without_street_names(matches, text)
        return Place(area=_decide(matches), matches=tuple(matches))
    if regency:
        return Place(regency="63.03" if regency.group(0).lower().endswith("banjar") else "63.72")
    return Place()


def _without_street_names(matches: list[AreaMatch], text: str) -> list[AreaMatch]:
    """ "Jl. Sekumpul, Desa Tunggul Irang": a street named after a place is not the place."""
    folded = fold(text)
    if not _STREET.search(folded):
        return matches
    streets = [
        m
        for m in matches
        if re.search(rf"\b(?:jl|jln|jalan|gg|gang)\.?\s+{_name(m.area)}\b", folded)
    ]
    places = [m for m in matches if m not in streets and m.score >= SERVED_BEATS_OUTSIDE]
    return [m for m in matches if m not in streets] if places and streets else matches


_STREET = re.compile(r"\b(?:jl|jln|jalan|gg|gang)\b")


def _name(area: Area) -> str:
    return re.escape(fold(area.name))


def _only_outside(place: OutsidePlace, text: str, matches: list[AreaMatch]) -> bool:
    """ "Teluk Dalam" (outside) over a partial served "Teluk Selong"; not "Pemangkih" (outside)
    over the served "Pemangkih Darat", "Pemangkih Baru", which the customer is asked to pick."""
    name = fold(place.name)
    if any(name in fold(m.area.name) for m in matches):
        return False
    return place.level == "regency" or name in fold(text).replace("-", " ")


def _decide(matches: list[AreaMatch]) -> Area | None:
    """The one area meant; a kecamatan named exactly also stands for its own desa that only
    resemble it ("kertak hanyar": not Kertak Hanyar I or II), since it covers them."""
    best = matches[0]
    runner_up = matches[1].score if len(matches) > 1 else 0.0
    if best.score >= SURE_SCORE and best.score - runner_up >= CLEAR_LEAD:
        return best.area
    close = [m for m in matches[1:] if best.score - m.score < CLEAR_LEAD]
    exact_kecamatan = best.score == 100.0 and best.area.level == "district"
    own_desa = all(m.score < 100.0 and m.area.kecamatan_code == best.area.code for m in close)
    return best.area if exact_kecamatan and own_desa else None


# --- the intent -------------------------------------------------------------------------------

_OUT_OF_SCOPE = (
    "listrik", "pln", "token", "indihome", "internet", "wifi", "elpiji", "lpg", "galon",
    "pantun", "lowongan", "loker", "weather", "cuaca", "presiden", "sudah makan", "jual",
    "pulsa", "sinyal",
)  # fmt: skip
_MENU = ("menu", "help", "bantuan", "0")
_MENU_PHRASES = ("kembali ke menu", "balik ke menu", "menu utama", "pilihannya apa", "pilihan apa")
_STATUS = ("tiket", "cek tiket", "cek status", "status pengaduan", "tiket saya", "my ticket")
_STOP = ("stop", "berhenti", "unsubscribe", "henti")
_RESUME = ("mulai",)
_UNSUBSCRIBE = (
    "jangan kirim", "tidak usah kirim", "tidak usah kirimi", "tidak mau terima", "stop aja",
    "stop kirim", "berhenti langganan", "unsubscribe", "stop langganan",
)  # fmt: skip
_RESUBSCRIBE = (
    "aktifkan notif", "aktifkan lagi", "kirimi pulang", "mulai lagi", "terima info lagi",
    "langganan lagi", "aktifkan kembali",
)  # fmt: skip
_SUBSCRIBE = (
    "langganan", "berlangganan", "subscribe", "daftar notif", "daftar info", "dikabari",
    "kabari", "dapat kabar", "dapat pemberitahuan", "kirim info", "kirimi info", "alerts",
    "notifikasi", "dapat info", "dapat notif",
)  # fmt: skip
_REPORT_WORDS = ("lapor", "ngadu", "komplain", "laporan", "pengaduan", "aduan", "report")
_REPORTED = ("reported", "lupa nomor tiket", "lupa no tiket", "no tiket ilang", "nobody came",
             "no tiket hilang", "tidak ingat nomornya", "tiketnya", "belum ada petugas",
             "tidak ada petugas", "petugas belum datang", "belum ada yang datang")  # fmt: skip
_HUMAN_VERBS = ("bicara", "ngomong", "ngobrol", "bapandir", "telpon", "telepon", "hubungkan",
                "sambungkan", "talk", "speak", "chat", "dihubungi", "disambungkan")  # fmt: skip
_PEOPLE = ("petugas", "orang", "cs", "operator", "manusia", "admin", "urang", "person", "human",
           "agent", "customer service")  # fmt: skip
_OUTAGE = (
    "kapan", "gangguan", "perbaikan", "pemadaman", "giliran", "jadwal", "jam berapa",
    "berapa lama", "berapa lawas", "outage", "hidup lagi", "hidup pulang",
    "sudah hidup", "nyala lagi", "nyala", "se komplek", "se rt", "se kecamatan", "se kampung",
    "is the water", "water off",
)  # fmt: skip
_OK = words("ok oke okay sip siip siap baik noted mantap")
_THANKS = ("makasih", "terima kasih", "tarima kasih", "thanks", "thank", "nuhun", "suwun")
_GOODBYE = ("bye", "dadah", "sampai jumpa", "cukup sekian", "sudah itu aja", "itu saja",
            "sudah dulu", "see you", "goodbye", "itu aja", "sudah cukup")  # fmt: skip
_GREETING_WORDS = words(
    "halo hai hi hey pagi siang sore malam selamat p ping permisi min kak pak bu mas mba "
    "om bang gan sis pian admin good morning afternoon evening there tes test"
)
_SALAM_WORDS = words(
    "assalamualaikum assalamu alaikum alaykum ass wr wb warahmatullahi wabarakatuh "
    "warahmatullah wabarakatuhu salam ww pian min kak pak bu"
)
_CORRECTION_MARKERS = ("bukan", "maksud", "maksudnya", "salah", "ralat", "koreksi", "eh",
                       "i mean", "sorry", "ganti")  # fmt: skip


def _intent(
    reading: _Reading, category: str | None, ticket: int | None, faq: str | None
) -> str | None:
    """The main purpose of the message; rules in the order they must be tried."""
    words, r = reading.words, reading
    if not reading.words_list:
        return None
    whole = words.strip()
    if whole in _STOP:
        return "unsubscribe"
    if whole in _RESUME:
        return "resubscribe"
    if whole in _MENU or r.any(*_MENU_PHRASES):
        return "menu"
    if r.any(*_OUT_OF_SCOPE):
        return "out_of_scope"
    if ticket is not None or r.words_list[0] == "status" or whole in _STATUS:
        return "complaint_status"
    if _asks_for_language(r):
        return "language"
    if r.any(*_UNSUBSCRIBE):
        return "unsubscribe"
    if r.any(*_RESUBSCRIBE):
        return "resubscribe"
    if _already_reported(r):
        return "already_reported"
    if faq:
        return "faq"
    if _wants_a_person(r):
        return "human"
    if r.any(*_SUBSCRIBE) and not r.has("cara"):
        return "subscribe"
    return _problem_or_small_talk(r, category)


def _problem_or_small_talk(r: _Reading, category: str | None) -> str | None:
    if r.any(*_GOODBYE) and category is None:
        return "goodbye"
    reports = r.any(*_REPORT_WORDS)
    if reports and category is None and not r.any("kapan", "jadwal"):
        return "complaint"
    if _asks_about_outage(r, category):
        return "outage_check"
    if category or reports:
        return "complaint"
    if r.any(*_THANKS) or r.word_set <= _OK:  # "oke sip" after an answer closes it too
        return "thanks"
    if r.word_set <= _SALAM_WORDS and r.any("assalamualaikum", "assalamu", "ass", "salam"):
        return "salam"
    if r.word_set <= _GREETING_WORDS | _SALAM_WORDS:
        return "greeting"
    return None


def _asks_about_outage(r: _Reading, category: str | None) -> bool:
    outage_words = r.any(*_OUTAGE) and not r.has("lapor gangguan")
    if outage_words:
        return True
    # "air mati kah di gambut?": a question about no or little water is about the area
    return r.question and category in ("no_water", "low_pressure") and not r.any(*_DENIAL_WORDS)


_DENIAL_WORDS = ("bukan", "enggak sih", "tidak sih", "eh bukan")


def _asks_for_language(r: _Reading) -> bool:
    if r.any("inggris", "english"):
        asks = r.any("bahasa", "please", "reply", "speak", "pakai", "ganti", "in", "bisa")
        return asks or len(r.words_list) <= 2
    return r.any("indonesia", "indonesian", "banjar") and r.any("bahasa", "speak", "language")


def wanted_language(r: _Reading) -> str:
    """The language a "language" message asks for; Banjar is answered in Indonesian."""
    english = r.any("inggris", "english") or r.any("dont speak", "do not speak", "cant speak")
    return "en" if english else "id"


def _already_reported(r: _Reading) -> bool:
    if r.any(*_REPORTED):
        return True
    words = r.words_list
    for i, word in enumerate(words):
        if (
            word in ("lapor", "ngadu", "komplain", "laporan")
            and "sudah" in words[max(0, i - 3) : i]
        ):
            return True
    mine = r.any("laporan saya", "laporan ulun")
    return mine and r.any("kemarin", "semalam", "gimana", "kayak apa", "yang kemarin")


def _wants_a_person(r: _Reading) -> bool:
    talks = r.any(*_HUMAN_VERBS) and r.any(*_PEOPLE)
    if r.word_set & _STAFF and r.word_set <= _STAFF | _ASKING:  # "operator", "cs dong"
        return True
    return (
        talks
        or r.any("cs mana", "cs nya mana", "bukan bot", "real person")
        or (r.has("admin") and r.any("bales", "balas", "jawab"))
    )


_STAFF = words("petugas operator cs human agent person manusia")
_ASKING = words("tolong mau minta dong please saya aja sama ke dengan a real talk to i want the")
