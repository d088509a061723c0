"""The FastAPI service: the app factory that wires the parts together, every router in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

from fastapi import FastAPI
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from areas.deps import attach_area_index
from bot import api_docs, health, metrics, middleware
from bot.ops_views import ops_router, outbox_router
from bot.runtime import Runtime
from channels.webhooks import BODY_LIMITS, webhook_app, webhook_endpoints, webhook_router
from complaints.views import router as complaints_router
from core.errors import install as install_error_handler
from core.http_limits import ASGIApp
from core.services import Services, attach
from core.settings import Settings, get_settings
from outage_notices.views import router as notices_router
from staff.mount import install as install_console
from staff.web import domain_error_page


def include_staff_doors(app: FastAPI) -> None:
    """The doors staff use: the web console, the complaints, notices and outbox APIs.

    A refused request (`core.errors.DomainError`) has one handler for all of them: the API's
    422 in the asker's language, or the console's error page in the console's.
    """
    install_console(app)
    install_error_handler(app, page=domain_error_page)
    app.include_router(complaints_router)
    app.include_router(notices_router)
    app.include_router(outbox_router())


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the service; tests pass their own settings or runtime."""
    settings = settings or get_settings()
    running = runtime or Runtime.start(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await running.startup()
        try:
            yield
        finally:
            await running.shutdown()

    app = FastAPI(
        title="Kabar Air",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by bot.api_docs, behind a staff sign-in in production
        redoc_url=None,
        openapi_url=None,
        # Metrics are Prometheus's (bot.metrics); FastAPI's OpenTelemetry would otherwise look
        # for its providers on every request, a webhook's included.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    attach(
        app,
        Services(
            settings=running.settings,
            engine=running.engine,
            wake_outbox=running.wake_outbox,
            wake_notices=running.wake_notices,
        ),
    )
    attach_area_index(app, running.areas)
    app.state.runtime = running  # for tests that reach the running service's parts
    webhooks = webhook_endpoints(lambda: running.channels)
    app.include_router(webhook_router(webhooks))  # first: hottest routes
    include_staff_doors(app)
    app.include_router(ops_router(lambda: running.channels))
    health.install(app)
    metrics.install(app, lambda: running.channels.journal)
    api_docs.install(app, staff_only=running.settings.production)
    middleware.install(
        app,
        settings=running.settings,
        route_limits=BODY_LIMITS,
    )
    # Outermost: the client's address (login throttle, audit trail) and scheme as a trusted
    # proxy gives them, believed only from FORWARDED_ALLOW_IPS (uvicorn's own rule, applied
    # here so every way of serving the app, and every test, goes through the same one).
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=running.settings.forwarded_allow_ips)
    # Before all of it, webhook POSTs go to their routes alone. Twilio's signature is checked
    # against PUBLIC_BASE_URL (production requires it); without one, against the URL as seen,
    # so the proxy's scheme and host still count.
    handlers = {k: v for k, v in app.exception_handlers.items() if k not in (500, Exception)}
    fast = webhook_app(webhooks, handlers=handlers)
    if not running.settings.public_base_url:
        trusted = running.settings.forwarded_allow_ips
        proxied = ProxyHeadersMiddleware(cast(Any, fast), trusted_hosts=trusted)
        fast = cast(ASGIApp, proxied)
    app.add_middleware(middleware.WebhookFastPath, webhooks=fast, paths=webhooks)
    return app
