"""The API's documentation (/docs, /redoc, /openapi.json): open in development, and only for
signed-in staff (a console session or an API token) in production, where it maps every door.

FastAPI's own documentation routes are switched off (`FastAPI(docs_url=None, ...)`) and
served from here, so a dependency can guard them. Swagger UI and ReDoc load their scripts
from a CDN and start with an inline script, so these two pages carry a looser
Content-Security-Policy of their own (bot.middleware keeps a route's own policy).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse

from accounts.deps import current_staff

OPENAPI_URL = "/openapi.json"
CDN = "https://cdn.jsdelivr.net"
DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {CDN}; "
    f"style-src 'self' 'unsafe-inline' {CDN} https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; img-src 'self' data: https:; "
    "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    return page


def install(app: FastAPI, *, staff_only: bool) -> None:
    """Serve the documentation; `staff_only` (production) asks for a signed-in staff member."""
    guard = [Depends(current_staff)] if staff_only else []
    router = APIRouter(include_in_schema=False, dependencies=guard)
    title = f"{app.title} API"

    @router.get(OPENAPI_URL)
    def openapi() -> JSONResponse:
        return JSONResponse(app.openapi())

    @router.get("/docs")
    def swagger() -> HTMLResponse:
        return _with_policy(get_swagger_ui_html(openapi_url=OPENAPI_URL, title=title))

    @router.get("/redoc")
    def redoc() -> HTMLResponse:
        return _with_policy(get_redoc_html(openapi_url=OPENAPI_URL, title=title))

    app.include_router(router)
