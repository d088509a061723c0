"""The FastAPI service: one app factory that wires the parts together."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.runtime import Runtime
from bot.settings import Settings, get_settings
from channels.webhooks import webhook_router
from outage_notices.views import router as notices_router
from staff.mount import install as install_staff


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the service; tests pass their own settings or runtime."""
    settings = settings or get_settings()
    runtime = runtime or Runtime.start(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await runtime.startup()
        try:
            yield
        finally:
            await runtime.shutdown()

    app = FastAPI(title="Kabar Air", version="0.1.0", lifespan=lifespan)
    app.state.runtime = runtime
    app.include_router(webhook_router(lambda: runtime.channels))  # first: hottest routes
    install_staff(app)
    app.include_router(notices_router)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "utility": settings.utility_name}

    return app
