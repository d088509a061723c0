"""What one step of a flow sees and does: the message, the contact's state, the replies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection
from sqlmodel import Session

from bot.engine.store import ContactView
from bot.engine.understanding import Understanding, understand
from channels.messages import Choice, Inbound, Outbound
from core import timefmt
from core.texts import t
from db.vocab import MEDIA_CHANNELS

if TYPE_CHECKING:
    from areas.index import AreaIndex
    from core.settings import Settings


@dataclass
class Context:
    connection: Connection
    contact: ContactView
    inbound: Inbound
    text: str
    now: datetime
    settings: Settings
    areas: AreaIndex
    simple: str = ""  # the text folded to lowercase words, for keyword matching
    choice: str | None = None  # the value of a choice the customer picked, if any
    replies: list[Outbound] = field(default_factory=list)
    complaint_id: int | None = None
    language_changed: bool = False
    _session: Session | None = None
    _understood: Understanding | None = None
    _preface: list[str] = field(default_factory=list)

    @property
    def session(self) -> Session:
        """An ORM session on the turn's transaction, made only for the steps that need one."""
        if self._session is None:
            self._session = Session(
                bind=self.connection, expire_on_commit=False, join_transaction_mode="rollback_only"
            )
        return self._session

    def flush(self) -> None:
        if self._session is not None:
            self._session.flush()
            self._session.close()
            self._session = None

    @property
    def lang(self) -> str:
        return self.contact.language

    @property
    def supports_media(self) -> bool:
        return self.contact.channel in MEDIA_CHANNELS

    @property
    def data(self) -> dict:
        return self.contact.data

    def t(self, key: str, **values: object) -> str:
        return t(self.lang, key, **values)

    def time(self, moment: datetime) -> str:
        return timefmt.moment(moment, self.lang, self.settings.tz)

    @property
    def understood(self) -> Understanding:
        """What the message says (bot/engine/understanding.py), read once per turn."""
        if self._understood is None:
            self._understood = understand(
                self.text, areas=self.areas, ticket_prefix=self.settings.ticket_prefix
            )
        return self._understood

    def preface(self, text: str) -> None:
        """A line to open the next reply with: a salam answered, an apology."""
        if text not in self._preface:
            self._preface.append(text)

    def say(self, text: str, choices: list[Choice] | None = None) -> None:
        """Queue a reply; its choices are remembered so '2' or a label can answer them."""
        if self._preface:
            text = "\n".join([*self._preface, text])
            self._preface.clear()
        self.replies.append(Outbound(text=text, choices=tuple(choices or ())))
        if choices:
            self.data["_choices"] = [[c.value, c.label] for c in choices]

    def go(self, flow: str | None, step: str | None = None) -> None:
        if (flow, step) != (self.contact.flow, self.contact.step):
            self.data.pop("_misses", None)  # a new question: the count of unusable answers restarts
        self.contact.flow = flow
        self.contact.step = step

    def missed(self) -> int:
        """Count one more answer this step could not use; returns how many so far."""
        misses = int(self.data.get("_misses", 0)) + 1
        self.data["_misses"] = misses
        return misses

    def finish(self) -> None:
        """Back to idle; flow data is dropped, the language stays."""
        self.contact.flow = None
        self.contact.step = None
        self.contact.data = {}
