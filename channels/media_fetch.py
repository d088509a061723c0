"""The downloader: fetches the files customers sent into the media store, in the background.

A conversation turn only records an `attachment` row (pending, with the provider's
reference); this task, run by the holder of the 'media' lease, fetches it: Telegram through
getFile and the file URL, Twilio's media URLs with the account's basic auth. The size limit
is enforced while streaming and the type by what is served (or, when the provider says only
"octet-stream", by the file's first bytes). Files get names we make (channels.media).
Transient errors are tried again a few times (channels.media_store.MAX_ATTEMPTS).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from sqlalchemy import Engine

from channels import media_store as store
from channels.media import GENERIC_TYPES, MediaPolicy, base_type, sniff, stored_name
from core.settings import Settings
from db import lease
from db.types import utcnow

log = logging.getLogger("kabar_air.media")
LEASE_NAME = "media"
TWILIO_HOST = "api.twilio.com"


class Refused(Exception):
    """The file is not taken: `reason` is too_big or wrong_type; its size or type when known."""

    def __init__(
        self, reason: str, *, size: int | None = None, content_type: str | None = None
    ) -> None:
        super().__init__(reason)
        self.reason, self.size, self.content_type = reason, size, content_type


class Lost(Exception):
    """The provider will never give this file (a 4xx, a reference we may not follow)."""


@dataclass(frozen=True, slots=True)
class Sources:
    """Where files come from: Telegram's Bot API and Twilio's REST API."""

    telegram_base_url: str  # https://api.telegram.org/bot (the token follows)
    telegram_token: str
    twilio_account_sid: str
    twilio_auth_token: str
    twilio_base_url: str | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Sources:
        return cls(
            telegram_base_url=settings.telegram_api_base_url,
            telegram_token=settings.telegram_bot_token.get_secret_value(),
            twilio_account_sid=settings.twilio_account_sid,
            twilio_auth_token=settings.twilio_auth_token.get_secret_value(),
            twilio_base_url=settings.twilio_api_base_url,
        )

    @property
    def telegram_file_url(self) -> str:
        """Telegram's file address beside the API's: .../bot → .../file/bot."""
        return self.telegram_base_url.removesuffix("bot").rstrip("/") + "/file/bot"

    def twilio_host_ok(self, url: str) -> bool:
        """Our credentials go only to Twilio itself (or the configured gateway)."""
        allowed = {TWILIO_HOST}
        if self.twilio_base_url:
            allowed.add(urlsplit(self.twilio_base_url).netloc)
        return urlsplit(url).netloc in allowed


class MediaFetcher:
    """Fetches pending attachments while the service runs; one process at a time (lease)."""

    def __init__(
        self,
        *,
        engine: Engine,
        policy: MediaPolicy,
        sources: Sources,
        told: Callable[[], None] = lambda: None,
        poll_seconds: float = 1.0,
        lease_seconds: float = 30.0,
        timeout: float = 30.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine, self.policy, self.sources, self.told = engine, policy, sources, told
        self.poll_seconds, self.lease_seconds, self.clock = poll_seconds, lease_seconds, clock
        self.holder = lease.holder_name()
        self._lease_at: float | None = None
        self._client = httpx.AsyncClient(timeout=timeout, follow_redirects=True)
        self._event: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._loop, self._event = asyncio.get_running_loop(), asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="media-fetcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._lease_at is not None:
            await asyncio.to_thread(lease.release, self.engine, name=LEASE_NAME, holder=self.holder)
        await self._client.aclose()

    def wake(self) -> None:
        """New attachments were recorded (callable from any thread)."""
        if self._loop is not None and self._event is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._event.set)

    async def _run(self) -> None:
        while True:
            try:
                busy = await self.step()
            except Exception:
                log.exception("media step failed; trying again shortly")
                busy = False
            if not busy and self._event is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event.wait(), self.poll_seconds)
                self._event.clear()

    async def step(self) -> bool:
        """Fetch what is due now; True when there was something (look again at once)."""
        if not await self._hold_lease():
            return False
        items = await asyncio.to_thread(store.due, self.engine, now=self.clock())
        for item in items:
            await self.fetch_one(item)
        return bool(items)

    async def _hold_lease(self) -> bool:
        held_for = None if self._lease_at is None else time.monotonic() - self._lease_at
        if held_for is not None and held_for < self.lease_seconds / 3:
            return True
        holding = await asyncio.to_thread(
            lease.acquire,
            self.engine,
            name=LEASE_NAME,
            holder=self.holder,
            now=self.clock(),
            seconds=self.lease_seconds,
        )
        self._lease_at = time.monotonic() if holding else None
        return holding

    async def fetch_one(self, item: store.Due) -> None:
        """Download one file and record what became of it."""
        now = self.clock()
        try:
            fetched = await self._download(item, now)
        except Refused as refusal:
            await asyncio.to_thread(
                store.refused,
                self.engine,
                item=item,
                refusal=store.Refused(refusal.reason, refusal.size, refusal.content_type),
                now=now,
                limit_bytes=self.policy.max_bytes,
            )
            self.told()
        except Lost as lost:
            await asyncio.to_thread(store.failed, self.engine, item=item, error=str(lost), now=now)
            self.told()
        except (httpx.HTTPError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.info("media %s: %s", item.id, error)
            again = await asyncio.to_thread(
                store.retry_later, self.engine, item=item, error=error, now=now
            )
            if not again:
                self.told()
        else:
            await asyncio.to_thread(store.stored, self.engine, item=item, fetched=fetched)

    async def _download(self, item: store.Due, now: datetime) -> store.Fetched:
        if item.channel == "telegram":
            url, auth = await self._telegram_url(item.ref), None
        elif item.channel == "whatsapp":
            if not self.sources.twilio_host_ok(item.ref):
                raise Lost("media URL is not Twilio's")
            url = item.ref
            auth = (self.sources.twilio_account_sid, self.sources.twilio_auth_token)
        else:
            raise Lost(f"no media on channel {item.channel}")
        return await self._stream(url, auth, item, now)

    async def _telegram_url(self, file_id: str) -> str:
        """getFile: where the file is, and its size (refused before a byte is fetched)."""
        token = self.sources.telegram_token
        response = await self._client.get(
            f"{self.sources.telegram_base_url}{token}/getFile", params={"file_id": file_id}
        )
        _raise_for_status(response)
        result = response.json().get("result") or {}
        size, path = result.get("file_size"), result.get("file_path")
        if isinstance(size, int) and size > self.policy.max_bytes:
            raise Refused("too_big", size=size)
        if not isinstance(path, str) or not path:
            raise Lost("getFile gave no file_path")
        return f"{self.sources.telegram_file_url}{token}/{path}"

    async def _stream(
        self, url: str, auth: tuple[str, str] | None, item: store.Due, now: datetime
    ) -> store.Fetched:
        async with self._client.stream("GET", url, auth=auth) as response:
            _raise_for_status(response)
            length = response.headers.get("content-length", "")
            if length.isdigit() and int(length) > self.policy.max_bytes:
                raise Refused("too_big", size=int(length))
            served = base_type(response.headers.get("content-type"))
            return await self._write(response, served, item, now)

    async def _write(
        self, response: httpx.Response, served: str, item: store.Due, now: datetime
    ) -> store.Fetched:
        """Stream into a temporary file; keep it under a fresh name only when it is taken."""
        directory = self.policy.directory
        directory.mkdir(parents=True, exist_ok=True)
        temporary = directory / f".part-{item.id}-{os.getpid()}"
        size, head = 0, b""
        try:
            with temporary.open("wb") as out:
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > self.policy.max_bytes:
                        raise Refused("too_big")
                    head = head or chunk[:16]
                    out.write(chunk)
            content_type = _effective_type(served, item.declared_type, head)
            if not self.policy.takes(content_type):
                raise Refused("wrong_type", size=size, content_type=content_type)
            relative = stored_name(content_type=content_type, now=now)
            final = directory / relative
            final.parent.mkdir(parents=True, exist_ok=True)
            temporary.replace(final)
        finally:
            temporary.unlink(missing_ok=True)
        return store.Fetched(path=relative, content_type=content_type, size=size)


def _effective_type(served: str, declared: str | None, head: bytes) -> str:
    """What the provider serves, unless it says only 'octet-stream': then the first bytes,
    then what it declared in the message."""
    if served not in GENERIC_TYPES:
        return served
    return sniff(head) or base_type(declared) or "application/octet-stream"


def _raise_for_status(response: httpx.Response) -> None:
    """4xx (not 408/429): the file is gone or not ours; 5xx, 408, 429: try again later."""
    status = response.status_code
    if status < 400:
        return
    if status in (408, 429) or status >= 500:
        raise httpx.HTTPStatusError(f"HTTP {status}", request=response.request, response=response)
    raise Lost(f"HTTP {status}")
