"""What a running service holds: settings, database engine, area index, conversation engine."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from areas.index import AreaIndex
from areas.reference import load_area_index
from bot.engine import ConversationEngine
from bot.engine.conversation import Turn
from channels.media import MediaPolicy
from channels.media_fetch import MediaFetcher, Sources
from channels.messages import Inbound
from channels.registry import ChannelHub
from complaints.scheduled import EscalationScheduler, start_escalations, stop_escalations
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
    escalations: EscalationScheduler | None = None  # complaints nearing/past target (one leads)
    media: MediaFetcher | None = None  # downloads what customers send (one process leads)

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
        await self.channels.start(handle=self.answer, handle_run=self.answer_run)
        if self.settings.telegram_enabled or self.settings.whatsapp_enabled:
            self.media = MediaFetcher(
                engine=self.engine,
                policy=MediaPolicy.from_settings(self.settings),
                sources=Sources.from_settings(self.settings),
                told=self.wake_outbox,
            )
            await self.media.start()
        self.notice_scheduler = start_scheduler(
            engine=self.engine,
            policy=NoticePolicy.from_settings(self.settings),
            wake=self.wake_outbox,
        )
        self.escalations = start_escalations(
            engine=self.engine, settings=self.settings, wake=self.wake_outbox
        )

    async def shutdown(self) -> None:
        await asyncio.to_thread(stop_escalations, self.escalations)
        await asyncio.to_thread(stop_scheduler, self.notice_scheduler)
        if self.media is not None:
            await self.media.stop()
        await self.channels.stop()
        self.engine.dispose()

    def answer(self, inbound: Inbound, **options: Any) -> Turn:
        """One conversation turn; a message that carried files wakes the downloader at once."""
        turn = self.conversation.handle(inbound, **options)
        if inbound.media and self.media is not None and not turn.duplicate:
            self.media.wake()
        return turn

    def answer_run(self, inbounds: Sequence[Inbound], **options: Any) -> bool:
        """Several turns in one transaction (see `ConversationEngine.handle_run`); False if
        nothing was committed and they are to be answered one by one."""
        turns = self.conversation.handle_run(inbounds, **options)
        if turns is None:
            return False
        if self.media is not None and any(
            inbound.media and not turn.duplicate
            for inbound, turn in zip(inbounds, turns, strict=True)
        ):
            self.media.wake()
        return True

    def wake_outbox(self) -> None:
        """New outbound rows were written (e.g. a notice fan-out): deliver them now."""
        self.channels.wake()

    def wake_notices(self) -> None:
        """Notice pushes may have fallen due (a publish, an edit): dispatch them now."""
        if self.notice_scheduler is not None:
            self.notice_scheduler.wake()
