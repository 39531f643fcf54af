"""``GET /sandbox`` (the phone page) and ``GET /sandbox/simulator/places`` (sample places to send)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from api.deps import ServicesDep

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
# Kinds of gazetteer places worth offering as samples, in the order shown.
SAMPLE_KINDS = ("compound", "school", "market", "hospital", "park", "plaza")

simulator_router = APIRouter(prefix="/sandbox", tags=["sandbox: simulator"])


class SamplePlace(BaseModel):
    name: str
    kind: str
    lat: float
    lng: float
    grid_name: str
    community: str
    street: str


@simulator_router.get("", response_class=HTMLResponse, include_in_schema=False)
async def phone(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    context = {"hotline": settings.centre_hotline}
    return TEMPLATES.TemplateResponse(request, "phone.html", context)


@simulator_router.get("/simulator/places", summary="可发送的示例地点（地名库）")
async def places(services: ServicesDep, q: Annotated[str, Query(max_length=50)] = "",
                 limit: Annotated[int, Query(ge=1, le=100)] = 24) -> list[SamplePlace]:
    """With ``q``: the gazetteer's matches for the words; without: a spread of places across the district."""
    geo = services.geo
    if q.strip():
        return [SamplePlace(name=c.name, kind="", lat=c.lat, lng=c.lng, grid_name=c.grid_name,
                            community=c.community, street=c.street) for c in geo.locate_text(q)[:limit]]
    snapshot = geo.snapshot
    grids = snapshot.layer.grids
    chosen: list[SamplePlace] = []
    seen: set[tuple[str, str]] = set()  # (street, kind): one of each first
    for place, index in sorted(zip(snapshot.places, snapshot.place_grid, strict=True),
                               key=lambda pair: SAMPLE_KINDS.index(pair[0].kind)
                               if pair[0].kind in SAMPLE_KINDS else len(SAMPLE_KINDS)):
        grid = grids[index] if index >= 0 else None
        if grid is None or place.kind not in SAMPLE_KINDS or (grid.street, place.kind) in seen:
            continue
        seen.add((grid.street, place.kind))
        chosen.append(SamplePlace(name=place.name, kind=place.kind, lat=place.lat, lng=place.lng,
                                  grid_name=grid.grid_name, community=grid.community, street=grid.street))
        if len(chosen) >= limit:
            break
    return chosen
