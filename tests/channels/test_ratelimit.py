"""Token buckets with a hand-moved clock."""

from __future__ import annotations

from channels.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def sent_within(limiter: RateLimiter, clock: Clock, seconds: float, step: float = 0.001) -> int:
    """How many messages a sender that always has work gets out in `seconds`."""
    sent, end = 0, clock.now + seconds
    while clock.now < end:
        if limiter.take(f"chat-{sent}") == 0:
            sent += 1
        else:
            clock.now += step
    return sent


def test_the_overall_rate_paces_evenly_never_more_than_rate_plus_one_a_second():
    clock = Clock()
    limiter = RateLimiter(per_second=30, clock=clock)
    assert limiter.take("first") == 0
    wait = limiter.take("second")
    assert 0 < wait <= 1 / 30 + 1e-9
    clock.now += wait
    assert limiter.take("second") == 0
    assert sent_within(limiter, clock, 1.0) <= 31


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


def test_a_sender_taking_over_starts_without_a_burst():
    clock = Clock()
    before = RateLimiter(per_second=30, clock=clock)
    old = sent_within(before, clock, 1.0)  # the previous holder's last second
    after = RateLimiter(per_second=30, clock=clock)  # a restarted process takes the lease
    after.start_empty()
    new = sent_within(after, clock, 1.0)
    assert old <= 31 and new <= 30, (old, new)
    assert old + new <= 2 * 30 + 1, "the two together stay within one pace"
