"""The one lease (db/lease.py): one holder at a time per name, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
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


def _holder_of_a_process(*, keep_running: bool) -> tuple[str, subprocess.Popen]:
    """A holder name made in another process, which then exits (reaped) or keeps running."""
    code = "from db.lease import holder_name; print(holder_name(), flush=True)"
    if keep_running:
        code += "; import sys; sys.stdin.read()"
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    return child.stdout.readline().strip(), child


def test_a_restart_takes_over_the_lease_of_its_dead_predecessor_at_once(engine):
    """kill -9 leaves the lease behind; the next process on this host does not wait for it."""
    now = utcnow()
    dead, child = _holder_of_a_process(keep_running=False)
    child.wait(10)  # gone (and reaped, as a supervisor reaps it)
    assert lease.acquire(engine, name="outbox", holder=dead, now=now, seconds=30)  # until +30 s
    restarted = lease.holder_name()
    assert lease.acquire(engine, name="outbox", holder=restarted, now=now, seconds=30)
    assert lease.current_holder(engine, name="outbox", now=now) == restarted


def test_a_live_process_on_this_host_is_never_taken_over(engine):
    now = utcnow()
    alive, child = _holder_of_a_process(keep_running=True)
    try:
        assert lease.acquire(engine, name="outbox", holder=alive, now=now, seconds=30)
        assert not lease.acquire(engine, name="outbox", holder=lease.holder_name(), now=now,
                                 seconds=30)  # fmt: skip
        mine = lease.holder_name()  # another holder in this very (live) process
        assert lease.acquire(engine, name="notices", holder=mine, now=now, seconds=30)
        assert not lease.acquire(engine, name="notices", holder=lease.holder_name(), now=now,
                                 seconds=30)  # fmt: skip
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(10)
    assert lease.current_holder(engine, name="outbox", now=now) == alive


def test_a_pid_reused_by_another_process_does_not_keep_a_dead_holder_alive():
    host, pid, started, tag = lease.holder_name().rsplit(":", 3)
    assert not lease.holder_is_dead(f"{host}:{pid}:{started}:{tag}")  # this process
    assert lease.holder_is_dead(f"{host}:{pid}:{int(started) - 1}:{tag}")  # an earlier one
    assert not lease.holder_is_dead(f"elsewhere:{pid}:1:{tag}")  # another host: not judged
    assert not lease.holder_is_dead("web-1")  # a name we did not make: not judged
    assert lease.parse_holder(lease.holder_name()) == lease.Holder(host, os.getpid(), started)
