"""``GET /api/geo/grids.geojson``: the active grid layer for the staff console's map."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ServicesDep

router = APIRouter()


@router.get("/api/geo/grids.geojson", response_class=JSONResponse)
def grids_geojson(services: ServicesDep) -> JSONResponse:
    """The layer as GeoJSON (GCJ-02; the map must use a GCJ-02 base such as AMap or Tencent)."""
    return JSONResponse(services.geo.geojson(), media_type="application/geo+json",
                        headers={"Cache-Control": "no-cache"})
