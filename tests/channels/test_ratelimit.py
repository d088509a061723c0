"""Token buckets with a hand-moved clock."""

from __future__ import annotations

from channels.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_overall_rate_allows_a_second_of_burst_then_paces():
    clock = Clock()
    limiter = RateLimiter(per_second=30, clock=clock)
    assert all(limiter.take(chat) == 0 for chat in range(30))
    wait = limiter.take("one more")
    assert 0 < wait <= 1 / 30 + 1e-9
    clock.now += wait
    assert limiter.take("one more") == 0


def test_one_chat_gets_a_short_burst_then_one_a_second_others_are_not_held():
    clock = Clock()
    limiter = RateLimiter(per_key_per_second=1, per_key_burst=3, clock=clock)
    assert [limiter.take("budi") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("budi") > 0.9
    assert limiter.take("siti") == 0
    clock.now += 1.0
    assert limiter.take("budi") == 0


def test_pauses_hold_everyone_or_one_chat():
    clock = Clock()
    limiter = RateLimiter(clock=clock)
    limiter.pause(2.0, key="budi")
    assert limiter.take("budi") == 2.0
    assert limiter.take("siti") == 0
    limiter.pause(5.0)
    assert limiter.take("siti") == 5.0
    clock.now += 5.0
    assert limiter.take("budi") == limiter.take("siti") == 0


def test_zero_means_no_limit_and_prune_forgets_idle_chats():
    clock = Clock()
    limiter = RateLimiter(per_second=0, per_key_per_second=1, per_key_burst=1, clock=clock)
    assert all(limiter.take(n) == 0 for n in range(1000))
    clock.now += 10
    limiter.prune()
    assert limiter._keys == {}
