"""The FastAPI service: the app factory that wires the parts together, every router in one place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from areas.deps import attach_area_index
from bot.runtime import Runtime
from channels.webhooks import webhook_router
from complaints.views import router as complaints_router
from core.services import Services, attach
from core.settings import Settings, get_settings
from outage_notices.views import router as notices_router
from staff.mount import install as install_console


def include_staff_doors(app: FastAPI) -> None:
    """The doors staff use: the web console, the complaints API and the notices API."""
    install_console(app)
    app.include_router(complaints_router)
    app.include_router(notices_router)


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

    app = FastAPI(title="Kabar Air", version="0.1.0", lifespan=lifespan)
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
    app.include_router(webhook_router(lambda: running.channels))  # first: hottest routes
    include_staff_doors(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "utility": running.settings.utility_name}

    return app
