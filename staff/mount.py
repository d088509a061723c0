"""The web console's pages, static files and error handling, in one call from the app factory."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from staff import (
    admin_views,
    answer_views,
    complaint_views,
    escalation_views,
    media_views,
    notice_views,
    outbox_views,
    report_views,
    views,
)
from staff.web import install_handlers


def install(app: FastAPI) -> None:
    """Mount the console pages and their error handling."""
    install_handlers(app)
    static = Path(__file__).parent / "static"
    app.mount("/staff/static", StaticFiles(directory=static), name="staff-static")
    for module in (
        views,
        complaint_views,
        escalation_views,
        media_views,
        admin_views,
        notice_views,
        answer_views,
        outbox_views,
        report_views,
    ):
        app.include_router(module.router)
