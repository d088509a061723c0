"""Everything the staff side adds to the service, in one call from bot/app.py."""

from __future__ import annotations

from fastapi import FastAPI

from reports import views as report_views
from staff import admin_views, api, complaint_views, notice_views, views
from staff.web import install_handlers


def install(app: FastAPI) -> None:
    """Mount the console pages and their error handling."""
    install_handlers(app)
    app.include_router(views.router)
    app.include_router(complaint_views.router)
    app.include_router(admin_views.router)
    app.include_router(api.router)
    app.include_router(notice_views.router)
    app.include_router(report_views.router)
