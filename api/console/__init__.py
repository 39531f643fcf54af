"""The staff console at ``/staff``: server-rendered page shells and one small script over the JSON APIs.

No build step and nothing fetched at run time: the pages are Jinja2 templates, the behaviour is plain
JavaScript modules in ``static/`` (``console.js`` for the pages, ``gridmap.js`` draws the grid layer as
SVG). The pages carry no data themselves; they call ``/api/staff/…``, ``/api/geo/grids.geojson`` with the
bearer token that ``POST /api/staff/login`` returned (kept in the tab's ``sessionStorage``).
"""

from __future__ import annotations

from pathlib import Path

from api.console.pages import console_router

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"

__all__ = ["STATIC_DIR", "TEMPLATES_DIR", "console_router"]
