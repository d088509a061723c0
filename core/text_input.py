"""Text from outside, made storable: one cleaning step at every edge where input comes in.

PostgreSQL refuses a NUL character in a text value, and SQLite's driver refuses a lone
surrogate (a half of a UTF-16 pair, as a JSON body may carry with "\\ud800"): either turned a
customer's message or a staff form into a 500. Every text that comes in through a webhook,
a console form, the API or a URL goes through `clean_text` first: NUL and the other C0 control
characters are dropped (tab and newline stay; a carriage return becomes a newline), and a
lone surrogate becomes U+FFFD, the replacement character. Nothing else is changed.
"""

from __future__ import annotations

import re
from typing import Any

_NEEDS_CLEANING = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_DROPPED = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """`text` without NUL or other control characters (tab and newline kept) and with each
    lone surrogate replaced by U+FFFD; the same string when there was nothing to clean."""
    if _NEEDS_CLEANING.search(text) is None:
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SURROGATE.sub(REPLACEMENT, _DROPPED.sub("", text))


def clean_optional(text: str | None) -> str | None:
    return None if text is None else clean_text(text)


def clean_value(value: Any) -> Any:
    """Every string in a decoded JSON value (object keys included) cleaned; the rest as is."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_value(item) for key, item in value.items()}
    return value
