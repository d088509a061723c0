"""Scheduled work: one process at a time (a lease row in the database) sends the pushes due.

APScheduler wakes `Dispatcher.tick` every few seconds in a background thread. The tick renews
the lease (`db.lease`, name 'notices'), marks notices whose start has come as ongoing, then
sends, holds or drops each pending push whose moment has come. Pushes missed while the
service was down are simply due on the first tick after start; `pushes.verdict` decides
whether they still matter.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, select
from sqlmodel import Session, col

from db import lease
from db.models import Notice, Push
from db.rows import saved_id
from db.types import utcnow
from db.vocab import PushStatus
from outage_notices import fanout, linking, pushes, service
from outage_notices.policy import NoticePolicy

log = logging.getLogger(__name__)
LEASE_NAME = "notices"
JOB_ID = "notice-dispatcher"
BACKGROUND_NICENESS = 10  # Unix nice of the dispatcher's thread: webhooks come first


@dataclass
class TickReport:
    leader: bool
    started: list[int] = field(default_factory=list)
    sent: dict[str, int] = field(default_factory=dict)
    held: list[str] = field(default_factory=list)
    dropped: dict[str, str] = field(default_factory=dict)


@dataclass
class Dispatcher:
    engine: Engine
    policy: NoticePolicy
    holder: str = field(default_factory=lease.holder_name)
    wake: Callable[[], None] | None = None
    lease_seconds: int = 30
    batch_size: int = fanout.DEFAULT_BATCH

    def tick(self, now: datetime | None = None) -> TickReport:
        """One round of scheduled work, if this process holds the lease."""
        now = now or utcnow()
        if not self.lead(now):
            return TickReport(leader=False)
        report = TickReport(leader=True)
        with Session(self.engine, expire_on_commit=False) as session:
            report.started = [saved_id(n) for n in service.start_due(session=session, now=now)]
            session.commit()
            statement = (
                select(col(Push.id))
                .where(col(Push.status) == PushStatus.PENDING, col(Push.due_at) <= now)
                .order_by(col(Push.due_at), col(Push.id))
            )
            # A primary key is never NULL: the filter only tells the type checker so.
            due = [push_id for push_id in session.scalars(statement) if push_id is not None]
        for push_id in due:
            self._run(push_id, now, report)
        return report

    def lead(self, now: datetime) -> bool:
        """Take or renew the lease; False when another process leads."""
        return lease.acquire(
            self.engine, name=LEASE_NAME, holder=self.holder, now=now, seconds=self.lease_seconds
        )

    def _run(self, push_id: int, now: datetime, report: TickReport) -> None:
        """Decide on one due push; the fan-out runs in its own short transactions."""
        with Session(self.engine, expire_on_commit=False) as session:
            push, notice = _load(session, push_id)
            notice_id = saved_id(notice)
            others = pushes.pushes_of(session, notice_id)
            decision, reason = pushes.verdict(push, notice, self.policy, now, others=others)
            label = f"{notice_id}:{push.event}"
            if decision == "hold":
                report.held.append(label)
                return
            if decision == "drop":
                push.status, push.drop_reason, push.processed_at = PushStatus.DROPPED, reason, now
                session.commit()
                report.dropped[label] = reason or ""
                log.info("notice push %s dropped: %s", label, reason)
                return
            if push.event == "restore_followup":
                targeted = linking.queue_followups(
                    session=session, notice=notice, policy=self.policy, now=now
                )
                push.status, push.targeted, push.processed_at = PushStatus.DONE, targeted, now
                session.commit()
                report.sent[label] = targeted
                if self.wake:
                    self.wake()
                return
        result = fanout.queue_event(
            engine=self.engine,
            notice_id=notice_id,
            event=push.event,
            policy=self.policy,
            now=now,
            batch_size=self.batch_size,
            wake=self.wake,
        )
        with Session(self.engine) as session:
            push, _ = _load(session, push_id)
            push.status, push.targeted, push.processed_at = PushStatus.DONE, result.targeted, now
            session.commit()
        report.sent[label] = result.targeted

    def release(self) -> None:
        lease.release(self.engine, name=LEASE_NAME, holder=self.holder)


def _load(session: Session, push_id: int) -> tuple[Push, Notice]:
    """A due push and its notice; pushes are never deleted and a push's notice is a foreign key."""
    push = session.get(Push, push_id)
    notice = session.get(Notice, push.notice_id) if push is not None else None
    if push is None or notice is None:
        raise LookupError(f"push {push_id} or its notice does not exist")
    return push, notice


@dataclass
class NoticeScheduler:
    dispatcher: Dispatcher
    scheduler: BackgroundScheduler
    again: threading.Event = field(default_factory=threading.Event)

    def wake(self) -> None:
        """Run the dispatcher now (e.g. right after a publish) instead of at the next interval.

        A tick already running when this is called runs once more when it ends, so a
        wake-up is never lost to APScheduler's one-instance rule.
        """
        self.again.set()
        job = self.scheduler.get_job(JOB_ID)
        if job is not None:
            job.modify(next_run_time=datetime.now(self.scheduler.timezone))

    def run(self) -> None:
        """The scheduled job: tick, and tick again while wake-ups arrived meanwhile."""
        while True:
            self.again.clear()
            try:
                self.dispatcher.tick()
            except Exception:  # a bad tick must not kill the scheduler; the next one retries
                log.exception("notice dispatcher tick failed")
            if not self.again.is_set():
                return

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        self.dispatcher.release()


def start_scheduler(
    *,
    engine: Engine,
    policy: NoticePolicy,
    interval_seconds: float = 5.0,
    wake: Callable[[], None] | None = None,
) -> NoticeScheduler:
    """Start the background dispatcher; every process may call this, one leads at a time."""
    dispatcher = Dispatcher(engine=engine, policy=policy, wake=wake)
    executor = ThreadPoolExecutor(1, pool_kwargs={"initializer": _yield_the_cpu})
    scheduler = BackgroundScheduler(timezone="UTC", executors={"default": executor})
    handle = NoticeScheduler(dispatcher=dispatcher, scheduler=scheduler)
    handle.scheduler.add_job(
        handle.run,
        "interval",
        seconds=interval_seconds,
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(handle.scheduler.timezone),
    )
    handle.scheduler.start()
    return handle


def _yield_the_cpu() -> None:
    """A 100,000-row fan-out keeps a CPU busy in SQLite; when the webhook handlers want the
    same CPU, the kernel gives it to them first (this thread's nice value, Linux)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICENESS)
    except (AttributeError, OSError):  # not Linux/Unix, or not allowed: run at normal priority
        log.debug("could not lower the dispatcher thread's CPU priority")


def stop_scheduler(handle: NoticeScheduler | None) -> None:
    if handle is not None:
        handle.stop()
