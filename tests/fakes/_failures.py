"""Scripted failures shared by the fakes: "fail the next N calls (to this recipient) with E"."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Generic, TypeVar

E = TypeVar("E")


@dataclass(slots=True)
class _Rule(Generic[E]):
    error: E
    remaining: int | None  # None: until cleared
    match: dict[str, str]


class FailurePlan(Generic[E]):
    """First matching rule wins; a rule matches when all its filters equal the call's attributes."""

    def __init__(self) -> None:
        self._rules: list[_Rule[E]] = []
        self._lock = threading.Lock()

    def add(self, error: E, times: int | None, **match: object) -> None:
        if times is not None and times < 1:
            raise ValueError("times must be >= 1, or None for 'until cleared'")
        filters = {k: str(v) for k, v in match.items() if v is not None}
        with self._lock:
            self._rules.append(_Rule(error, times, filters))

    def take(self, **attrs: object) -> E | None:
        """The error for this call, if a rule matches; counts the call against that rule."""
        if not self._rules:  # fast path for benches: no lock when nothing is scripted
            return None
        values = {k: str(v) for k, v in attrs.items() if v is not None}
        with self._lock:
            for rule in self._rules:
                if all(values.get(k) == v for k, v in rule.match.items()):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                        if rule.remaining == 0:
                            self._rules.remove(rule)
                    return rule.error
        return None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
