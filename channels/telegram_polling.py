"""Long polling (getUpdates) for running a real bot from a laptop with only a token.

Each update goes through the same translation and intake as a webhook delivery. The offset
only moves past an update once it is taken in, and intake is idempotent on update_id, so
a crash or restart re-reads at most a few updates and changes nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from telegram import Bot
from telegram.error import Conflict, NetworkError, TimedOut

from channels.telegram import ALLOWED_UPDATES, TelegramUpdate, parse_update

log = logging.getLogger("kabar_air.telegram")

Take = Callable[[TelegramUpdate], Awaitable[None]]


async def poll_updates(bot: Bot, take: Take, *, timeout: int = 25) -> None:
    """Fetch and take in updates until cancelled."""
    await bot.delete_webhook(drop_pending_updates=False)
    log.info("telegram: polling for updates (no PUBLIC_BASE_URL, so no webhook)")
    offset: int | None = None
    delay = 1.0
    while True:
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
            )
        except (TimedOut, NetworkError, Conflict) as exc:
            log.warning("telegram getUpdates failed (%s); retrying in %.0fs", exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)
            continue
        delay = 1.0
        for update in updates:
            try:
                parsed = parse_update(update.to_dict())
            except ValueError:
                log.info("skipping an update we cannot read: %s", update.update_id)
            else:
                if not await _take_or_wait(take, parsed):
                    break  # re-read from this update after a pause
            offset = update.update_id + 1


async def _take_or_wait(take: Take, update: TelegramUpdate) -> bool:
    try:
        await take(update)
    except Exception:
        log.exception("taking in a Telegram update failed; will retry")
        await asyncio.sleep(2.0)
        return False
    return True
