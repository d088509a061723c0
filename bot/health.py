"""Health that tells the truth: is the process up, and can it do its work.

- `/healthz`: the process answers (for a supervisor that restarts a hung process).
- `/readyz`: the database answers within a short time, its schema is at the code's Alembic
  head, and the leases of the outbox sender and the notice scheduler are held by a live
  process (some process of the service is delivering and dispatching). 503 with the failed
  checks otherwise, for a load balancer to route around.

And when the database is away, every route answers 503 with a clear body in both languages
(`database_unavailable`), rather than a bare 500.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from channels.outbox import LEASE_NAME as SENDER_LEASE
from core.http_limits import both_languages
from core.services import get_services
from core.settings import Settings
from db.engine import reading
from db.lease import current_holder
from db.migrate import current_revision, head_revision
from db.types import utcnow
from outage_notices.scheduled import LEASE_NAME as SCHEDULER_LEASE

log = logging.getLogger("kabar_air.health")

READY_TIMEOUT_SECONDS = 3.0
RETRY_AFTER_SECONDS = "5"


def required_leases(settings: Settings) -> list[str]:
    """The scheduler always runs; the sender only when a channel is on."""
    leases = [SCHEDULER_LEASE]
    if settings.telegram_enabled or settings.whatsapp_enabled:
        leases.append(SENDER_LEASE)
    return leases


def readiness(engine: Engine, *, leases: list[str]) -> dict[str, str]:
    """Each check's finding, 'ok' when it passes (blocking: run it in a thread)."""
    try:
        with reading(engine) as connection:
            connection.execute(text("SELECT 1"))
            revision = current_revision(connection)
    except Exception as error:  # whatever it is, the database is not usable
        return {"database": f"unreachable ({type(error).__name__})"}
    head = head_revision()
    if revision != head:
        return {"database": "ok", "schema": f"at {revision}, the code needs {head}"}
    checks = {"database": "ok", "schema": "ok"}
    now = utcnow()
    for name in leases:
        held = current_holder(engine, name=name, now=now) is not None
        checks[f"lease:{name}"] = "ok" if held else "not held by any live process"
    return checks


health = APIRouter(tags=["ops"])


@health.get("/healthz")
def healthz(request: Request) -> dict[str, str]:
    """The process is up (says nothing of the database: see /readyz)."""
    return {"status": "ok", "utility": get_services(request).settings.utility_name}


@health.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    services = get_services(request)
    leases = required_leases(services.settings)
    work = asyncio.to_thread(readiness, services.engine, leases=leases)
    try:
        checks = await asyncio.wait_for(work, timeout=READY_TIMEOUT_SECONDS)
    except TimeoutError:
        checks = {"database": f"no answer within {READY_TIMEOUT_SECONDS:.0f} s"}
    ready = all(finding == "ok" for finding in checks.values())
    body: dict[str, Any] = {"status": "ready" if ready else "not ready", "checks": checks}
    body |= both_languages("ops.ready" if ready else "ops.not_ready")
    return JSONResponse(body, status_code=200 if ready else 503)


async def database_unavailable(request: Request, error: Exception) -> JSONResponse:
    """503 for a database that is down, locked or out of connections: try again shortly."""
    log.error("database unavailable for %s %s: %s", request.method, request.url.path, error)
    return JSONResponse(
        both_languages("ops.database_unavailable"),
        status_code=503,
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def install(app: FastAPI) -> None:
    app.include_router(health)
    for kind in (OperationalError, PoolTimeout):
        app.add_exception_handler(kind, database_unavailable)
