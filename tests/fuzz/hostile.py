"""What an attacker or a broken client types: the strategies every fuzz target draws from.

Text with NUL and the other control characters, lone surrogates (a JSON body carries them as
"\\ud800"; a form as the bytes %ED%A0%80), right-to-left overrides, emoji sequences, markup and
SQL, and values far beyond any field's limit (100 kB strings, 20-digit numbers). Also the
counter of cases each target ran, printed at the end of the run (see conftest.py).
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from typing import Any
from urllib.parse import quote_plus

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

CASES: Counter[str] = Counter()  # target -> cases run

# Derandomized, so CI runs the same cases every time; no example database between runs.
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)

SPECIALS = [
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "x\udc80y",
    "\ud83d",  # half of an emoji
    "\x01\x02\x1b[31m\x7f",
    "\r\n\r",
    "\t",
    "\u202eevil\u202c",  # right-to-left override
    "\u200f\u200e",
    "مرحبا بالعالم",
    "שלום",
    "👩‍👩‍👧‍👦🙏🏽",
    "e\u0301\u0301\u0301",
    "\ufeff",
    "\uffff\ufffe",
    "\U0010ffff",
    "%00",
    "%ED%A0%80",
    "'; DROP TABLE complaint; --",
    "<script>alert(1)</script>",
    "{{7*7}}{% raw %}",
    "../../etc/passwd",
    "ADU-000001",
    "²",  # a digit to str.isdigit, not to int()
    "①②",
    "٣",  # an Arabic-Indic three: int() takes it
    "９９",
    "999999999999",
    "2147483648",
    "-1",
    "/staff//evil.example",
    " ",
    "",
]
HUGE = [
    "A" * 100_000,
    "\x00" * 10_000,
    "😀" * 30_000,
    "\ud800" * 5_000,
    "air mati " * 12_000,
]
NUMBERS = [0, -1, 1, 2**31, 2**63, -(2**63) - 1, 10**20, 1e308, -0.0, 0.5]

# Every code point, surrogates and unassigned ones included.
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())


def hostile_text(*, huge: bool = True) -> st.SearchStrategy[str]:
    """A string a field should survive: random, special, a mix of both, or (sometimes) huge."""
    pieces = st.sampled_from(SPECIALS) | st.text(ANY_CHARACTER, max_size=8)
    options = [
        st.text(ANY_CHARACTER, max_size=60),
        st.sampled_from(SPECIALS),
        st.lists(pieces, min_size=1, max_size=12).map("".join),
    ]
    if huge:
        options.append(st.sampled_from(HUGE))
    return st.one_of(*options)


def hostile_scalar() -> st.SearchStrategy[Any]:
    """Any JSON scalar a field may wrongly get."""
    return st.one_of(
        hostile_text(huge=False),
        st.sampled_from(NUMBERS),
        st.integers(),
        st.booleans(),
        st.none(),
    )


def hostile_json(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """A JSON value of any shape: nested objects and arrays with hostile keys and scalars."""
    return st.recursive(
        hostile_scalar(),
        lambda inner: (
            st.lists(inner, max_size=4)
            | st.dictionaries(hostile_text(huge=False), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def form_body(fields: list[tuple[str, str]]) -> bytes:
    """An urlencoded body as a hostile client may send it: lone surrogates as their UTF-8-like
    bytes (surrogatepass), which no browser sends but anyone can."""
    return "&".join(
        f"{quote_plus(name, errors='surrogatepass')}={quote_plus(value, errors='surrogatepass')}"
        for name, value in fields
    ).encode("ascii")


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def errors_logged(caplog: Any) -> list[str]:
    """What the service logged as an error during the run (a failure it caught itself)."""
    return [
        f"{record.name}: {record.getMessage()}{_where(record.exc_info)}"
        for record in caplog.records
        if record.levelno >= logging.ERROR
    ]


def server_error(error: BaseException) -> str:
    """An exception the app raised (the test client passes it on): what and where."""
    return "server error" + _where((type(error), error, error.__traceback__))


def _where(exc_info: Any) -> str:
    """The error and the last line of ours it went through."""
    if not exc_info or exc_info[1] is None:
        return ""
    error = exc_info[1]
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/.venv/" not in f.filename] or frames
    last = ours[-1]
    return f" [{type(error).__name__}: {str(error)[:80]!r} at {last.filename}:{last.lineno}]"
