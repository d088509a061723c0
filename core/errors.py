"""One way to fail: a refused request is a `DomainError` carrying problems, each a field and a key.

Domains raise it and never word it: every message is a key in the `[error]` section of the text
catalogue (core/locales/*.toml) and each field's name in words is in `[field]`, so one refusal
reads "Waktu selesai harus sesudah waktu mulai." on an Indonesian console page, in the API's 422
and at the terminal, and "The end time must be after the start time." in English. One exception
handler, set up by the app factory with `install`, turns an error nobody caught into the API's
422 (or 404) and, for console pages, into a page with the message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from core.texts import DEFAULT_LANGUAGE, LANGUAGES, t


@dataclass(frozen=True, slots=True)
class Term:
    """A value shown as a word from the catalogue (e.g. a status), not as its code."""

    key: str


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with one field (None: with the request as a whole)."""

    field: str | None
    key: str
    values: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    def message(self, language: str) -> str:
        """The sentence in `language`; `{field}` / `{Field}` name the field in words."""
        words = {
            name: t(language, value.key) if isinstance(value, Term) else value
            for name, value in self.values.items()
        }
        if self.field is not None:
            name = t(language, f"field.{self.field}")  # "Waktu selesai": a label's capital
            words |= {"Field": name, "field": name[:1].lower() + name[1:]}
        return t(language, f"error.{self.key}", **words)


class DomainError(Exception):
    """A refused request: one or more problems; nothing was changed."""

    status = 422

    def __init__(self, *problems: Problem) -> None:
        if not problems:
            raise ValueError("a DomainError needs at least one problem")
        self.problems = problems
        super().__init__(*(f"{p.field}: {p.key}" for p in problems))

    def __str__(self) -> str:
        return self.text("en")

    @classmethod
    def of(cls, field: str | None, key: str, **values: Any) -> DomainError:
        """The common case: one problem with one field."""
        return cls(Problem(field, key, MappingProxyType(values)))

    def keys(self) -> dict[str | None, str]:
        """Field → message key of its first problem (what tests and callers compare)."""
        found: dict[str | None, str] = {}
        for problem in self.problems:
            found.setdefault(problem.field, problem.key)
        return found

    def messages(self, language: str) -> dict[str | None, str]:
        """Field → its messages in `language`, joined: what a form shows beside each field."""
        found: dict[str | None, list[str]] = {}
        for problem in self.problems:
            found.setdefault(problem.field, []).append(problem.message(language))
        return {name: " ".join(texts) for name, texts in found.items()}

    def text(self, language: str) -> str:
        """Every message in one line, for a banner or a terminal."""
        return " ".join(self.messages(language).values())


class NotFound(DomainError):
    """The thing asked for does not exist (the API answers 404)."""

    status = 404


def accepted_language(header: str | None) -> str:
    """The best of our languages for an `Accept-Language` header; Indonesian when none fits."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if code in LANGUAGES and q > best_q:
            best, best_q = code, q
    return best


def api_body(error: DomainError, language: str) -> dict[str, Any]:
    """The API's answer: FastAPI's validation shape, `loc` naming the field."""
    if isinstance(error, NotFound):
        return {"detail": error.text(language)}
    return {
        "detail": [
            {
                "loc": ["body", problem.field] if problem.field else ["body"],
                "msg": problem.message(language),
                "type": "value_error",
                "key": problem.key,
            }
            for problem in error.problems
        ]
    }


PageRenderer = Callable[[Request, DomainError], Awaitable[Response]]


def install(app: FastAPI, *, page: PageRenderer | None = None, page_prefix: str = "/staff") -> None:
    """The one handler: console pages (under `page_prefix`) get `page`, everything else JSON."""

    async def handle(request: Request, error: Exception) -> Response:
        assert isinstance(error, DomainError)
        if page is not None and request.url.path.startswith(page_prefix):
            return await page(request, error)
        language = accepted_language(request.headers.get("accept-language"))
        return JSONResponse(api_body(error, language), status_code=error.status)

    app.add_exception_handler(DomainError, handle)
