"""What a running service holds: settings, database engine, area index, conversation engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from bot.settings import Settings
from db.engine import make_engine


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    background: list[Any] = field(default_factory=list)

    @classmethod
    def start(cls, settings: Settings) -> Runtime:
        return cls(settings=settings, engine=make_engine(settings.database_url))

    async def startup(self) -> None:
        """Start background work (delivery, scheduler) once the event loop runs."""

    async def shutdown(self) -> None:
        self.engine.dispose()
