"""The channels a running service has: built from Settings, started and stopped with it.

`ChannelHub` owns the enabled adapters, the outbox sender and Telegram's start-up work
(setWebhook when PUBLIC_BASE_URL is set, long polling otherwise). The conversation is handed
in as a plain callback (`handle(inbound)`), so channels never import the engine.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

from sqlalchemy import Engine, update
from starlette.concurrency import run_in_threadpool
from telegram.error import InvalidToken, TelegramError

from channels import telegram as tg
from channels import whatsapp as wa
from channels.dead_letters import DeadLetter, dead_letters, retry
from channels.delivery import Channel
from channels.intake import AcceptQueue, IntakeWorker
from channels.messages import Inbound
from channels.outbox import Sender
from channels.ratelimit import RateLimiter
from channels.telegram_polling import poll_updates
from core.settings import Settings
from db.journal import intake_journal, is_side_file
from db.models import Contact
from db.write_gate import write_gate

log = logging.getLogger("kabar_air.channels")

Handle = Callable[[Inbound], Any]
HandleRun = Callable[..., bool]  # (inbounds, accepted=...): answered together, or False


async def _at_once(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A blocking call run right here on the event loop (for the few that cost less so)."""
    return function(*args, **kwargs)


class ChannelHub:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        telegram: tg.TelegramChannel | None = None,
        whatsapp: wa.WhatsAppChannel | None = None,
        **sender_options: Any,
    ) -> None:
        self.settings, self.engine = settings, engine
        self.telegram, self.whatsapp = telegram, whatsapp
        # SQLite has one writer per file: sixteen request threads writing at once only take
        # turns through its busy-wait (sleeps of up to 100 ms, p99 over 500 ms at 16
        # connections). One thread per file hands them the lock in order instead: one for
        # the intake worker's journal writes (webhooks store on the loop, below), one for
        # the main file (the conversation's turns and the sender's
        # claims and results, both behind the write gate: with a thread each, the sender's
        # writes rarely met a gap between turns, and a burst's replies left only once it had
        # all been turned). PostgreSQL writes in parallel.
        sqlite = engine.dialect.name == "sqlite"
        self._writer = ThreadPoolExecutor(1, "conversation") if sqlite else None
        enabled: dict[str, Channel] = {c.name: c for c in (telegram, whatsapp) if c is not None}
        self.sender = (
            Sender(
                engine=engine,
                channels=enabled,
                max_attempts=settings.outbox_max_attempts,
                after_crash=settings.outbox_after_crash,
                db_call=self._blocking if sqlite else None,
                **sender_options,
            )
            if enabled
            else None
        )
        self.handle: Handle | None = None
        self.intake: IntakeWorker | None = None
        self.journal = intake_journal(engine)  # where webhooks store messages: db.journal
        # A webhook's message is stored on the event loop itself when the journal is SQLite's
        # side file: its insert and commit (no fsync in WAL mode) cost less than the hand-off
        # to a thread, which under load waited for the interpreter lock behind the turns
        # (bench_peer.py: 1,960 -> 4,500-4,800 webhooks/s, p99 28 -> 11 ms). The loop then
        # waits, as the webhook did, only while the intake worker writes to the journal (marks
        # messages done; the hourly prune).
        side_file = is_side_file(self.journal, engine)
        self.accepts = AcceptQueue(
            engine=self.journal, blocking=_at_once if side_file else self._journal_io
        )
        self._tasks: list[asyncio.Task[None]] = []
        self._journal_writer = ThreadPoolExecutor(1, "intake") if side_file else self._writer
        self._gate = write_gate(engine)  # turns go ahead of bulk work such as a fan-out

    @classmethod
    def from_settings(cls, settings: Settings, engine: Engine, **sender_options: Any) -> ChannelHub:
        """Adapters for every channel whose credentials are set; none when none are."""
        return cls(
            settings=settings,
            engine=engine,
            telegram=build_telegram(settings) if settings.telegram_enabled else None,
            whatsapp=build_whatsapp(settings) if settings.whatsapp_enabled else None,
            **sender_options,
        )

    @property
    def telegram_webhook_url(self) -> str | None:
        base = self.settings.public_base_url
        return base.rstrip("/") + tg.WEBHOOK_PATH if base else None

    def describe(self) -> str:
        """One line for the start-up log: which channels are on, and how."""
        on = ["console", "web"]
        if self.telegram:
            on.append("telegram (webhook)" if self.telegram_webhook_url else "telegram (polling)")
        if self.whatsapp:
            on.append("whatsapp (twilio)")
        return "Channels on: " + ", ".join(on)

    # -- lifecycle -------------------------------------------------------------------------
    async def start(
        self, *, handle: Handle, handle_run: HandleRun | None = None, telegram_updates: bool = True
    ) -> None:
        """Start delivery, and Telegram's webhook registration or polling."""
        self.handle = handle
        log.info(self.describe())
        self.intake = IntakeWorker(
            engine=self.engine,
            journal=self.journal,
            handle=handle,
            handle_run=handle_run,
            blocking=self._blocking,
            journal_io=self._journal_io,
            answered=self.wake,
            default_language=self.settings.default_language,
        )
        self.intake.start()
        if self.sender is not None:
            await self.sender.start()
        if self.telegram is not None and telegram_updates:
            self._tasks.append(asyncio.create_task(self._start_telegram(), name="telegram-start"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.intake is not None:
            await self.intake.stop()
        if self.sender is not None:
            await self.sender.stop()
        for channel in (self.telegram, self.whatsapp):
            if channel is not None:
                await channel.close()
        for writer in {self._writer, self._journal_writer}:
            if writer is not None:
                writer.shutdown(wait=False)  # idle by now: the intake worker has stopped
        if is_side_file(self.journal, self.engine):
            self.journal.dispose()

    def wake(self) -> None:
        """New outbound rows are waiting (callable from any thread)."""
        if self.sender is not None:
            self.sender.wake()

    # -- intake ----------------------------------------------------------------------------
    async def take(self, inbound: Inbound) -> bool:
        """Store one customer message for the conversation (see channels.intake) and return,
        so the provider is acknowledged at once; False for a redelivery."""
        if self.handle is None or self.intake is None:
            raise RuntimeError("channels not started")
        if inbound.raw_id is None:  # nothing to deduplicate by: answer it now
            await self._blocking(self.handle, inbound)
            self.wake()
            return True
        stored = await self.accepts.put(inbound)
        if stored:
            self.intake.wake()
        return stored

    async def _blocking(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Conversation work off the event loop: SQLite's through its one writer thread."""
        if self._writer is None:
            return await run_in_threadpool(function, *args, **kwargs)
        loop = asyncio.get_running_loop()
        call = partial(self._foreground, function, *args, **kwargs)
        return await loop.run_in_executor(self._writer, call)

    async def _journal_io(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Intake journal work off the event loop: SQLite's through the journal's thread."""
        if self._journal_writer is None:
            return await run_in_threadpool(function, *args, **kwargs)
        call = partial(function, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._journal_writer, call)

    def _foreground(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self._gate.foreground():
            return function(*args, **kwargs)

    async def take_telegram(self, update: tg.TelegramUpdate) -> None:
        if update.inbound is not None:
            await self.take(update.inbound)
        if update.blocked_chat is not None:
            await run_in_threadpool(self._unreachable, tg.CHANNEL, update.blocked_chat)
        if update.callback_query_id and self.telegram is not None:
            task = asyncio.create_task(self.telegram.answer_callback(update.callback_query_id))
            self._tasks.append(task)
            task.add_done_callback(self._forget)

    # -- dead letters (channels.dead_letters) --------------------------------------------
    async def dead_letters(self, *, limit: int = 100) -> list[DeadLetter]:
        """Messages set aside after a failure of their own, the latest first."""
        return await self._journal_io(dead_letters, self.journal, limit=limit)

    async def retry_dead_letter(self, *, channel: str, raw_id: str) -> bool:
        """Send a dead letter back to the conversation; False when there is no such letter."""
        queued = await self._journal_io(retry, self.journal, channel=channel, raw_id=raw_id)
        if queued and self.intake is not None:
            self.intake.wake()
        return bool(queued)

    def _unreachable(self, channel: str, user_id: str) -> None:
        with self.engine.begin() as conn:
            table = Contact.__table__
            where = (table.c.channel == channel) & (table.c.channel_user_id == user_id)
            conn.execute(update(table).where(where).values(active=False))

    def _forget(self, task: asyncio.Task[None]) -> None:
        if task in self._tasks:
            self._tasks.remove(task)

    async def _start_telegram(self) -> None:
        """getMe, then setWebhook (public URL known) or long polling (a laptop with a token)."""
        assert self.telegram is not None
        delay = 1.0
        while True:
            try:
                await self.telegram.ensure_ready()
                if self.telegram_webhook_url is None:
                    break
                await self.telegram.bot.set_webhook(
                    url=self.telegram_webhook_url,
                    secret_token=self.telegram.secret,
                    allowed_updates=tg.ALLOWED_UPDATES,
                )
                log.info("telegram webhook set to %s", self.telegram_webhook_url)
                return
            except InvalidToken:
                log.error("Telegram refused TELEGRAM_BOT_TOKEN: Telegram stays off")
                return
            except TelegramError as exc:
                log.warning("telegram start-up failed (%s); retrying in %.0fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
        await poll_updates(self.telegram.bot, self.take_telegram)


def build_telegram(settings: Settings) -> tg.TelegramChannel:
    token = settings.telegram_bot_token.get_secret_value()
    secret = tg.webhook_secret(
        token=token,
        configured=settings.telegram_webhook_secret.get_secret_value(),
        secret_key=settings.secret_key.get_secret_value(),
    )
    limiter = RateLimiter(
        per_second=settings.telegram_rate_per_second,
        per_key_per_second=settings.telegram_rate_per_chat_per_second,
    )
    bot = tg.make_bot(token=token, base_url=settings.telegram_api_base_url)
    return tg.TelegramChannel(bot=bot, limiter=limiter, secret=secret)


def build_whatsapp(settings: Settings) -> wa.WhatsAppChannel:
    client = wa.make_client(
        account_sid=settings.twilio_account_sid,
        auth_token=settings.twilio_auth_token.get_secret_value(),
        api_base_url=settings.twilio_api_base_url,
    )
    base = settings.public_base_url
    return wa.WhatsAppChannel(
        client=client,
        limiter=RateLimiter(per_second=settings.twilio_rate_per_second),
        sender=settings.twilio_whatsapp_from,
        messaging_service_sid=settings.twilio_messaging_service_sid,
        templates=settings.twilio_templates,
        status_callback=base.rstrip("/") + wa.STATUS_PATH if base else None,
    )
