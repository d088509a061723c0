"""`/metrics` for Prometheus: what the service holds, read from the database when scraped.

Two kinds of figures:
- the whole service's state, from the database at scrape time (a few indexed queries, no
  counters kept in memory, so every process of a scaled-out service tells the same truth and
  a restart loses nothing): outbound messages per channel and status, the intake backlog and
  its oldest message, dead letters, and who holds each lease;
- what this process did (core.metrics): send latency, conversation turns, escalations, plus
  prometheus-client's process and Python figures. Prometheus scrapes each process; the
  workers of one `serve --workers N` share a port, so there they are added up (multiprocess
  mode, PROMETHEUS_MULTIPROC_DIR) and the process figures are left out.

Who may read it: requests from METRICS_ALLOW_IPS (addresses or networks; the Prometheus
server on the same host by default) or a signed-in staff member (a staff API token).
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Callable, Iterator
from datetime import datetime

from fastapi import APIRouter, FastAPI, HTTPException, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector, CollectorRegistry
from sqlalchemy import Engine, case, func, select

from accounts.deps import SessionDep, identify_staff
from channels.outbox import LEASE_NAME as SENDER_LEASE
from core.services import get_services
from db.engine import reading
from db.models import InboundReceipt, Message, SchedulerLease
from db.types import utcnow
from db.vocab import Channel, MessageStatus
from outage_notices.scheduled import LEASE_NAME as SCHEDULER_LEASE

log = logging.getLogger("kabar_air.metrics")

MESSAGE, RECEIPT, LEASE = Message.__table__, InboundReceipt.__table__, SchedulerLease.__table__
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"  # set by `serve --workers N` (bot.cli)
OUTBOUND = tuple(status for status in MessageStatus if status != MessageStatus.RECEIVED)
# Walks the (status, channel, id) index alone: inbound rows are the only 'received' ones.
OUTBOX = (
    select(MESSAGE.c.channel, MESSAGE.c.status, func.count())
    .where(MESSAGE.c.status.in_(OUTBOUND))
    .group_by(MESSAGE.c.status, MESSAGE.c.channel)
)
# Only the rows not taken up yet, through the (processed_at, received_at) index.
INTAKE = select(
    func.count(case((RECEIPT.c.failed_at.is_(None), 1))),
    func.count(RECEIPT.c.failed_at),
    func.min(case((RECEIPT.c.failed_at.is_(None), RECEIPT.c.received_at))),
).where(RECEIPT.c.processed_at.is_(None))
LEASES = select(LEASE.c.name, LEASE.c.holder, LEASE.c.expires_at)
WATCHED_LEASES = (SENDER_LEASE, SCHEDULER_LEASE)
QUEUED = (Channel.TELEGRAM, Channel.WHATSAPP)  # always listed, at 0 when empty


class DatabaseFigures(Collector):
    """The service's state as gauges, read when Prometheus asks."""

    def __init__(self, engine: Engine, journal: Engine, *, now: datetime | None = None) -> None:
        self.engine, self.journal, self.now = engine, journal, now or utcnow()

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "kabar_air_database_up", "1 when the scrape could read the database, else 0"
        )
        try:
            figures = [*self._outbox(), *self._intake(), self._leases()]
        except Exception as error:  # the database is away: say so, not a 500
            log.warning("metrics: database unreadable (%s)", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from figures

    def _outbox(self) -> list[Metric]:
        counts = {(channel, status): 0 for channel in QUEUED for status in OUTBOUND}
        with reading(self.engine) as connection:
            for channel, status, count in connection.execute(OUTBOX):
                counts[(channel, status)] = count
        outbox = GaugeMetricFamily(
            "kabar_air_outbox_messages",
            "Outbound messages by channel and status (pending, sending, sent, delivered, read, "
            "failed, undelivered, unknown)",
            labels=["channel", "status"],
        )
        for (channel, status), count in sorted(counts.items()):
            outbox.add_metric([str(channel), str(status)], count)
        return [outbox]

    def _intake(self) -> list[Metric]:
        with reading(self.journal) as connection:
            waiting, dead, oldest = connection.execute(INTAKE).one()
        backlog = GaugeMetricFamily(
            "kabar_air_intake_backlog",
            "Customer messages stored by a webhook and not yet answered",
            value=waiting,
        )
        dead_letters = GaugeMetricFamily(
            "kabar_air_intake_dead_letters",
            "Customer messages set aside after a failure of their own, waiting for staff",
            value=dead,
        )
        age = (self.now - oldest).total_seconds() if oldest is not None else 0.0
        oldest_waiting = GaugeMetricFamily(
            "kabar_air_intake_oldest_waiting_seconds",
            "How long the oldest unanswered customer message has waited (0: none waits)",
            value=max(age, 0.0),
        )
        return [backlog, dead_letters, oldest_waiting]

    def _leases(self) -> Metric:
        held = GaugeMetricFamily(
            "kabar_air_lease_held",
            "1 for the live holder of each lease (outbox sender, notice scheduler); "
            "0 with an empty holder when no live process holds it",
            labels=["lease", "holder"],
        )
        with reading(self.engine) as connection:
            rows = connection.execute(LEASES).all()
        live = {row.name: row.holder for row in rows if row.expires_at >= self.now}
        for name in sorted(set(WATCHED_LEASES) | set(live)):
            holder = live.get(name)
            held.add_metric([name, holder or ""], 1 if holder else 0)
        return held


def allowed_networks(setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    """METRICS_ALLOW_IPS as networks ('10.0.0.5' is a network of one)."""
    return [
        ipaddress.ip_network(part.strip(), strict=False)
        for part in setting.split(",")
        if part.strip()
    ]


def from_allowed_address(request: Request, allowed: str) -> bool:
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # not an address (a Unix socket, a test client)
        return False
    return any(address in network for network in allowed_networks(allowed))


def scrape(engine: Engine, journal: Engine) -> bytes:
    """The text Prometheus reads: the processes' figures, then the database's.

    Under `serve --workers N` (PROMETHEUS_MULTIPROC_DIR set) the counters and histograms are
    every worker's added up, whichever worker answers the scrape; else this process's own.
    """
    figures = CollectorRegistry(auto_describe=False)
    figures.register(DatabaseFigures(engine, journal))
    return generate_latest(_process_figures()) + generate_latest(figures)


def _process_figures() -> CollectorRegistry:
    if not os.environ.get(MULTIPROC_DIR):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


def metrics_router(journal: Callable[[], Engine]) -> APIRouter:
    """`GET /metrics`; `journal` looks up the running service's intake journal per request."""
    router = APIRouter(tags=["ops"])

    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request, session: SessionDep) -> Response:
        services = get_services(request)
        allowed = from_allowed_address(request, services.settings.metrics_allow_ips)
        if not allowed and identify_staff(request, session) is None:  # a wrong token: 401 there
            raise HTTPException(
                401, "sign in or send a staff API token", {"WWW-Authenticate": "Bearer"}
            )
        return Response(scrape(services.engine, journal()), media_type=CONTENT_TYPE_LATEST)

    return router


def install(app: FastAPI, journal: Callable[[], Engine]) -> None:
    app.include_router(metrics_router(journal))
