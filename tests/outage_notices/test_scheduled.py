"""One scheduler at a time, on the database's word, whatever the number of processes."""

import json
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlmodel import Session

from db.engine import make_engine
from db.models import Push, SchedulerLease
from db.types import utcnow
from outage_notices import service
from outage_notices.scheduled import Dispatcher, start_scheduler, stop_scheduler
from tests.outage_notices.builders import (
    LOK_BAINTAN,
    POLICY,
    add_contact,
    events_by_user,
    new_notice,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_lead_passes_on_when_the_leader_stops_renewing(engine):
    now = utcnow()
    first = Dispatcher(engine=engine, policy=POLICY, holder="a", lease_seconds=30)
    second = Dispatcher(engine=engine, policy=POLICY, holder="b", lease_seconds=30)
    assert first.lead(now)
    assert not second.lead(now + timedelta(seconds=10))
    assert first.lead(now + timedelta(seconds=20))  # renewed until +50
    assert not second.lead(now + timedelta(seconds=45))
    assert second.lead(now + timedelta(seconds=51))
    with Session(engine) as session:
        assert session.scalars(select(SchedulerLease.holder)).all() == ["b"]


def test_a_restarted_process_with_the_same_holder_name_leads_again_at_once(database_url, engine):
    now = utcnow()
    assert Dispatcher(engine=engine, policy=POLICY, holder="web-1").lead(now)
    restarted_engine = make_engine(database_url)
    try:
        restarted = Dispatcher(engine=restarted_engine, policy=POLICY, holder="web-1")
        assert restarted.tick(now + timedelta(seconds=1)).leader
        other = Dispatcher(engine=restarted_engine, policy=POLICY, holder="web-2")
        assert not other.tick(now + timedelta(seconds=2)).leader
    finally:
        restarted_engine.dispose()


def test_a_follower_does_no_scheduled_work(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "ani", LOK_BAINTAN)
        notice = new_notice(
            session, now=utcnow(), kind="unplanned", starts_at=utcnow(), urgent=True
        )
        service.publish(session=session, notice_id=notice.id, policy=POLICY, now=utcnow())
        session.commit()
    leader = Dispatcher(engine=engine, policy=POLICY, holder="leader")
    follower = Dispatcher(engine=engine, policy=POLICY, holder="follower")
    assert leader.lead(utcnow())
    report = follower.tick()
    assert report.leader is False and report.sent == {}
    with Session(engine) as session:
        assert session.scalars(select(Push.status)).all() == ["pending"]
    assert leader.tick().sent == {f"{notice.id}:publish": 1}


def test_two_dispatchers_with_their_own_engines_never_both_lead(database_url, engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        for n in range(50):
            add_contact(session, f"c{n}", LOK_BAINTAN)
        notice = new_notice(
            session, now=utcnow(), kind="unplanned", starts_at=utcnow(), urgent=True
        )
        service.publish(session=session, notice_id=notice.id, policy=POLICY, now=utcnow())
        session.commit()
    leaders: list[set[str]] = [set() for _ in range(20)]
    barrier = threading.Barrier(2)

    def run(name: str) -> None:
        own_engine = make_engine(database_url)
        dispatcher = Dispatcher(engine=own_engine, policy=POLICY, holder=name, batch_size=7)
        for round_ in range(20):
            barrier.wait()
            if dispatcher.tick().leader:
                leaders[round_].add(name)
        own_engine.dispose()

    threads = [threading.Thread(target=run, args=(name,)) for name in ("p1", "p2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(round_) == 1 for round_ in leaders)
    assert len(set.union(*leaders)) == 1, "the lease stays with one holder while it renews"
    with Session(engine) as session:
        assert sorted(events_by_user(session, notice.id).values()) == [["publish"]] * 50


PROCESS = textwrap.dedent(
    """
    import json, sys, time
    from db.engine import make_engine
    from outage_notices.policy import NoticePolicy
    from outage_notices.scheduled import Dispatcher
    url, name, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    dispatcher = Dispatcher(engine=make_engine(url), policy=NoticePolicy.default(), holder=name)
    led, ticks, end = 0, 0, time.monotonic() + seconds
    while time.monotonic() < end:
        led += dispatcher.tick().leader
        ticks += 1
        time.sleep(0.02)
    print(json.dumps({"name": name, "led": led, "ticks": ticks}))
    """
)


def test_two_service_processes_on_one_database_elect_one_scheduler(database_url, engine):
    with Session(engine, expire_on_commit=False) as session:
        for n in range(20):
            add_contact(session, f"c{n}", LOK_BAINTAN)
        notice = new_notice(
            session, now=utcnow(), kind="unplanned", starts_at=utcnow(), urgent=True
        )
        service.publish(session=session, notice_id=notice.id, policy=POLICY, now=utcnow())
        session.commit()
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", PROCESS, database_url, name, "2.5"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for name in ("web-1", "web-2")
    ]
    results = [json.loads(p.communicate(timeout=60)[0]) for p in processes]
    assert all(r["ticks"] >= 3 for r in results)
    assert sorted(r["led"] > 0 for r in results) == [False, True]
    with Session(engine) as session:
        assert sorted(events_by_user(session, notice.id).values()) == [["publish"]] * 20


def test_the_background_scheduler_sends_a_published_notice_and_stops_cleanly(engine):
    with Session(engine, expire_on_commit=False) as session:
        add_contact(session, "ani", LOK_BAINTAN)
        notice = new_notice(
            session, now=utcnow(), kind="unplanned", starts_at=utcnow(), urgent=True
        )
    woken = threading.Event()
    handle = start_scheduler(engine=engine, policy=POLICY, interval_seconds=60, wake=woken.set)
    try:
        with Session(engine, expire_on_commit=False) as session:
            service.publish(session=session, notice_id=notice.id, policy=POLICY, now=utcnow())
            session.commit()
        handle.wake()
        assert woken.wait(10), "the outbox sender is woken once messages are queued"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with Session(engine) as session:
                if events_by_user(session, notice.id):
                    break
            time.sleep(0.05)
    finally:
        stop_scheduler(handle)
    with Session(engine) as session:
        assert events_by_user(session, notice.id) == {"ani": ["publish"]}
        assert session.scalars(select(SchedulerLease)).all() == [], "the lease is released"
