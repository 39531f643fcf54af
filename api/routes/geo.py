"""``GET /api/geo/grids.geojson``: the active grid layer for the staff console's map."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter()


@router.get("/api/geo/grids.geojson", response_class=JSONResponse)
def grids_geojson(request: Request) -> JSONResponse:
    """The layer as GeoJSON (GCJ-02; the map must use a GCJ-02 base such as AMap or Tencent)."""
    geo = request.app.state.services.geo
    return JSONResponse(geo.geojson(), media_type="application/geo+json",
                        headers={"Cache-Control": "no-cache"})
