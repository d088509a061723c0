"""What a running service holds: settings, database engine, area index, conversation engine."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy import Engine

from areas.index import AreaIndex
from areas.reference import load_area_index
from bot.engine import ConversationEngine
from channels.registry import ChannelHub
from core.settings import Settings
from db.engine import make_engine
from outage_notices.policy import NoticePolicy
from outage_notices.scheduled import NoticeScheduler, start_scheduler, stop_scheduler


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    areas: AreaIndex
    conversation: ConversationEngine
    channels: ChannelHub  # Telegram/WhatsApp adapters + outbox sender
    notice_scheduler: NoticeScheduler | None = None  # due notice pushes (one process leads)

    @classmethod
    def start(cls, settings: Settings, *, engine: Engine | None = None) -> Runtime:
        """Connect to the (already migrated) database and build what every request shares."""
        engine = engine or make_engine(settings.database_url)
        areas = load_area_index(engine)
        conversation = ConversationEngine(engine=engine, settings=settings, areas=areas)
        channels = ChannelHub.from_settings(settings, engine)
        return cls(
            settings=settings,
            engine=engine,
            areas=areas,
            conversation=conversation,
            channels=channels,
        )

    async def startup(self) -> None:
        """Start background work (delivery, scheduler) once the event loop runs."""
        await self.channels.start(handle=self.conversation.handle)
        self.notice_scheduler = start_scheduler(
            engine=self.engine,
            policy=NoticePolicy.from_settings(self.settings),
            wake=self.wake_outbox,
        )

    async def shutdown(self) -> None:
        await asyncio.to_thread(stop_scheduler, self.notice_scheduler)
        await self.channels.stop()
        self.engine.dispose()

    def wake_outbox(self) -> None:
        """New outbound rows were written (e.g. a notice fan-out): deliver them now."""
        self.channels.wake()

    def wake_notices(self) -> None:
        """Notice pushes may have fallen due (a publish, an edit): dispatch them now."""
        if self.notice_scheduler is not None:
            self.notice_scheduler.wake()
