"""The web console's pages and error handling, in one call from the app factory."""

from __future__ import annotations

from fastapi import FastAPI

from staff import admin_views, complaint_views, notice_views, report_views, views
from staff.web import install_handlers


def install(app: FastAPI) -> None:
    """Mount the console pages and their error handling."""
    install_handlers(app)
    for module in (views, complaint_views, admin_views, notice_views, report_views):
        app.include_router(module.router)
