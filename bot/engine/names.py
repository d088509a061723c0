"""How to address a customer: "Hj. Rusmini" is "Ibu Rusmini", never "Hj."."""

from __future__ import annotations

import re

from bot.engine.lexicon import words
from core.texts import t

_FEMALE = words("hj hjh hajjah hajah ibu bu ny nyonya mrs ms miss umi acil")
_MALE = words("h haji bapak pak bpk tn tuan mr abah ust ustadz ustad kh")
_TITLES = words("dr drs dra drg ir prof st sh se spd mpd amd ama")
_WORD = re.compile(r"[^\W\d_][^\W\d_'’-]*", re.UNICODE)


def address_name(display_name: str | None, language: str) -> str | None:
    """The name to greet with ("Ibu Rusmini", "Bapak Ahmad", "Budi"), or None if there is none.

    Honorifics decide the form (Hj./Ibu -> Ibu, H./Pak -> Bapak); academic titles and degrees
    after a comma are dropped; a name in all capitals or all small letters is capitalised.
    """
    if not display_name:
        return None
    given = display_name.split(",")[0]
    gender = None
    for raw in given.split():
        word = raw.strip(".").lower()
        if word in _FEMALE or word in _MALE:
            gender = gender or ("female" if word in _FEMALE else "male")
            continue
        if word in _TITLES or not _WORD.fullmatch(raw.strip(".")):
            continue
        name = raw.strip(".")
        if len(name) < 2:
            continue
        if name.isupper() or name.islower():
            name = name.capitalize()
        return t(language, f"courtesy.{gender}", name=name) if gender else name
    return None
