"""Token buckets that keep the sender inside each provider's published limits.

Non-blocking by design: the sender asks "may this chat get a message now?" and, if not,
learns how long to wait, so one rate-limited chat never holds up the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass
class Bucket:
    """`rate` tokens per second, holding at most `burst`; rate None means unlimited."""

    rate: float | None
    burst: float
    tokens: float = 0.0
    stamp: float = 0.0

    def refill(self, now: float) -> None:
        if self.rate is None:
            return
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def wait(self, now: float) -> float:
        """Seconds until one token is available (0 when one is there now)."""
        if self.rate is None:
            return 0.0
        self.refill(now)
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate


@dataclass
class RateLimiter:
    """An overall limit for a channel plus a limit per chat, and pauses a provider asks for.

    Per-chat buckets allow a short burst (`per_key_burst`, Telegram tolerates a few
    replies in a row) but hold the average to `per_key_per_second`.
    """

    per_second: float | None = None
    per_key_per_second: float | None = None
    per_key_burst: float = 3.0
    clock: Callable[[], float] = time.monotonic
    _overall: Bucket = field(init=False)
    _keys: dict[Hashable, Bucket] = field(init=False, default_factory=dict)
    _paused_until: float = field(init=False, default=0.0)
    _key_paused_until: dict[Hashable, float] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        rate = _positive(self.per_second)
        # Paced, no burst: at most rate + 1 messages in any second, as the providers count.
        self._overall = Bucket(rate=rate, burst=1.0, stamp=self.clock())
        self._overall.tokens = self._overall.burst
        self.per_key_per_second = _positive(self.per_key_per_second)

    def channel_wait(self) -> float:
        """Seconds until the channel as a whole may send again (0 = now); takes nothing.
        The sender asks this first, so a paced backlog is not read from the database for
        every token."""
        now = self.clock()
        return max(0.0, self._paused_until - now, self._overall.wait(now))

    def allowance(self) -> float:
        """Messages the channel as a whole may send now (inf when it has no overall limit)."""
        if self._overall.rate is None:
            return float("inf")
        self._overall.refill(self.clock())
        return self._overall.tokens

    def wait_time(self, key: Hashable) -> float:
        """Seconds until a message to `key` may go (0 = now); takes nothing."""
        now = self.clock()
        waits = [self.channel_wait(), self._key_paused_until.get(key, 0.0) - now]
        bucket = self._keys.get(key)
        if bucket is not None:
            waits.append(bucket.wait(now))
        return max(0.0, *waits)

    def take(self, key: Hashable) -> float:
        """Take a token for `key` if one is free; returns 0, or the seconds to wait."""
        wait = self.wait_time(key)
        if wait > 0:
            return wait
        now = self.clock()
        if self._overall.rate is not None:
            self._overall.tokens -= 1
        if self.per_key_per_second is not None:
            bucket = self._keys.get(key)
            if bucket is None:
                burst = max(1.0, self.per_key_burst)
                bucket = self._keys[key] = Bucket(self.per_key_per_second, burst, burst, now)
            bucket.tokens -= 1
        return 0.0

    def start_empty(self) -> None:
        """Spend the overall bucket now: a sender taking over from another starts with no burst,
        so the two together never send more than one bucket allows (burst + rate x seconds)."""
        self._overall.tokens = 0.0
        self._overall.stamp = self.clock()

    def pause(self, seconds: float, key: Hashable | None = None) -> None:
        """Stop sending (to everyone, or to one chat) for `seconds`, as a 429 asks."""
        until = self.clock() + max(0.0, seconds)
        if key is None:
            self._paused_until = max(self._paused_until, until)
        else:
            self._key_paused_until[key] = max(self._key_paused_until.get(key, 0.0), until)

    def prune(self) -> None:
        """Forget chats whose buckets are full again, so memory stays bounded."""
        now = self.clock()
        for key, bucket in list(self._keys.items()):
            bucket.refill(now)
            if bucket.tokens >= bucket.burst:
                del self._keys[key]
        for key, until in list(self._key_paused_until.items()):
            if until <= now:
                del self._key_paused_until[key]


def _positive(rate: float | None) -> float | None:
    """Zero, negative or None all mean 'no limit' (benches switch limits off with 0)."""
    return rate if rate is not None and rate > 0 else None
