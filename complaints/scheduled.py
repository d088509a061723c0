"""Escalations on a timer: one process at a time (lease 'escalations') runs a pass a minute.

APScheduler calls `EscalationScheduler.run` every ESCALATION_INTERVAL_SECONDS in a background
thread; the pass renews the lease (`db.lease`), records what fell due and commits, then counts
it (`core.metrics.ESCALATIONS`) and wakes the outbox when it queued Telegram messages.
`kabar-air complaints escalate` runs one pass from the shell through `run_pass`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine
from sqlmodel import Session

from complaints.escalation import PassReport, escalate_due
from core.metrics import ESCALATIONS
from core.settings import Settings
from db import lease
from db.types import utcnow

log = logging.getLogger(__name__)
LEASE_NAME = "escalations"
JOB_ID = "complaint-escalations"


def run_pass(
    *,
    engine: Engine,
    settings: Settings,
    now: datetime,
    wake: Callable[[], None] | None = None,
) -> PassReport:
    """One committed escalation pass; counted, and the outbox woken for its messages."""
    with Session(engine, expire_on_commit=False) as session:
        report = escalate_due(session=session, now=now, settings=settings)
        session.commit()
    for escalation in report.escalations:
        ESCALATIONS.labels(kind=f"complaint_{escalation.kind}").inc()
        log.info(
            "complaint %s escalated: %s %s",
            escalation.complaint_id,
            escalation.target,
            escalation.kind,
        )
    if report.messages and wake is not None:
        wake()
    return report


@dataclass
class EscalationScheduler:
    engine: Engine
    settings: Settings
    scheduler: BackgroundScheduler
    wake: Callable[[], None] | None = None
    holder: str = field(default_factory=lease.holder_name)

    def tick(self, now: datetime | None = None) -> PassReport | None:
        """A pass if this process holds the lease; None when another process leads."""
        now = now or utcnow()
        seconds = max(30.0, 3 * self.settings.escalation_interval_seconds)
        if not lease.acquire(
            self.engine, name=LEASE_NAME, holder=self.holder, now=now, seconds=seconds
        ):
            return None
        return run_pass(engine=self.engine, settings=self.settings, now=now, wake=self.wake)

    def run(self) -> None:
        """The scheduled job; a failed pass is logged and the next one tries again."""
        try:
            self.tick()
        except Exception:
            log.exception("escalation pass failed")

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
        lease.release(self.engine, name=LEASE_NAME, holder=self.holder)


def start_escalations(
    *, engine: Engine, settings: Settings, wake: Callable[[], None] | None = None
) -> EscalationScheduler:
    """Start the background escalation passes; every process may call this, one leads."""
    scheduler = BackgroundScheduler(timezone="UTC")
    handle = EscalationScheduler(engine=engine, settings=settings, scheduler=scheduler, wake=wake)
    scheduler.add_job(
        handle.run,
        "interval",
        seconds=settings.escalation_interval_seconds,
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        next_run_time=datetime.now(scheduler.timezone),
    )
    scheduler.start()
    return handle


def stop_escalations(handle: EscalationScheduler | None) -> None:
    if handle is not None:
        handle.stop()
