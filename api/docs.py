"""``/docs`` (Swagger UI) and ``/redoc`` with their scripts and styles served from an installed package
(fastapi-offline ships them), so that the API documentation works without reaching a CDN."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/docs-assets"


def mount_docs(app: FastAPI) -> None:
    """Serve the documentation pages and their assets (the app is created with ``docs_url=None``)."""
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="docs-assets")
    title = f"{app.title} · 接口文档"

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url=app.openapi_url or "/openapi.json", title=title,
                                   swagger_js_url=f"{PREFIX}/swagger-ui-bundle.js",
                                   swagger_css_url=f"{PREFIX}/swagger-ui.css",
                                   swagger_favicon_url="/staff/static/favicon.svg")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url=app.openapi_url or "/openapi.json", title=title,
                              redoc_js_url=f"{PREFIX}/redoc.standalone.js",
                              redoc_favicon_url="/staff/static/favicon.svg", with_google_fonts=False)
