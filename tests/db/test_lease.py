"""The one lease (db/lease.py): one holder at a time per name, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

from db import lease
from db.engine import make_engine
from db.types import utcnow


def test_a_live_lease_keeps_others_out_until_it_expires(engine):
    now = utcnow()
    assert lease.acquire(engine, name="job", holder="a", now=now, seconds=30)
    later = now + timedelta(seconds=10)
    assert not lease.acquire(engine, name="job", holder="b", now=later, seconds=30)
    assert lease.acquire(
        engine, name="job", holder="a", now=now + timedelta(seconds=20), seconds=30
    )
    assert not lease.acquire(
        engine, name="job", holder="b", now=now + timedelta(seconds=45), seconds=30
    )
    assert lease.acquire(
        engine, name="job", holder="b", now=now + timedelta(seconds=51), seconds=30
    )
    assert lease.current_holder(engine, name="job", now=now + timedelta(seconds=51)) == "b"


def test_the_same_holder_gets_its_lease_back_at_once_even_from_a_new_engine(database_url, engine):
    now = utcnow()
    assert lease.acquire(engine, name="job", holder="web-1", now=now, seconds=30)
    restarted = make_engine(database_url)  # the same holder name after a restart
    try:
        soon = now + timedelta(seconds=1)
        assert lease.acquire(restarted, name="job", holder="web-1", now=soon, seconds=30)
        assert lease.current_holder(restarted, name="job", now=soon) == "web-1"
    finally:
        restarted.dispose()


def test_releasing_hands_the_lease_over_at_once_and_only_the_holder_can(engine):
    now = utcnow()
    assert lease.acquire(engine, name="job", holder="a", now=now, seconds=30)
    lease.release(engine, name="job", holder="b")  # not b's to give
    assert lease.current_holder(engine, name="job", now=now) == "a"
    lease.release(engine, name="job", holder="a")
    assert lease.current_holder(engine, name="job", now=now) is None
    assert lease.acquire(engine, name="job", holder="b", now=now, seconds=30)


def test_nobody_holds_an_absent_or_expired_lease(engine):
    now = utcnow()
    assert lease.current_holder(engine, name="job", now=now) is None
    assert lease.acquire(engine, name="job", holder="a", now=now, seconds=30)
    assert lease.current_holder(engine, name="job", now=now + timedelta(seconds=30)) == "a"
    assert lease.current_holder(engine, name="job", now=now + timedelta(seconds=31)) is None


def test_leases_of_different_names_are_independent(engine):
    now = utcnow()
    assert lease.acquire(engine, name="notices", holder="a", now=now, seconds=30)
    assert lease.acquire(engine, name="outbox", holder="b", now=now, seconds=30)
    assert lease.current_holder(engine, name="notices", now=now) == "a"
    assert lease.current_holder(engine, name="outbox", now=now) == "b"


def test_contenders_with_their_own_engines_never_both_hold_it(database_url, engine):
    names = [f"p{n}" for n in range(4)]
    rounds = 15
    winners: list[list[str]] = [[] for _ in range(rounds)]
    barrier = threading.Barrier(len(names))
    start = utcnow()

    def contend(holder: str) -> None:
        own = make_engine(database_url)
        try:
            for round_ in range(rounds):
                barrier.wait()
                # each round the previous lease has just expired: everyone races for it
                now = start + timedelta(seconds=10 * round_)
                if lease.acquire(own, name="job", holder=holder, now=now, seconds=5):
                    winners[round_].append(holder)
        finally:
            own.dispose()

    threads = [threading.Thread(target=contend, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [len(round_) for round_ in winners] == [1] * rounds


def test_a_holder_name_is_unique_per_call_and_fits_the_column():
    first, second = lease.holder_name(), lease.holder_name()
    assert first != second
    assert len(first) <= 64
