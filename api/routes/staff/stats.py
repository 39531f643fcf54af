"""Statistics and 考核 for any date range or month (JSON, CSV, XLSX), the case list as XLSX, and the open
cases for the district map."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import AdminStaff, CurrentStaff, NowDep, ServicesDep, SessionDep
from api.routes.staff.cases import Filter
from api.routes.staff.exports import CSV_HEADER, CSV_LIMIT, row_of
from api.xlsx import XLSX_TYPE, workbook
from cases import statistics, views
from cases.clock import local
from cases.search import search_cases
from geo.store import PACKAGE_DATA

router = APIRouter(prefix="/api/staff", tags=["staff-stats"])


@router.get("/stats", response_model=statistics.StatisticsView,
            summary="统计与考核：受理、办结、按时办结率、满意率、回访率、重办率",
            responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}}})
def stats(
    staff: CurrentStaff,
    session: SessionDep,
    now: NowDep,
    since: Annotated[date | None, Query(description="开始日期（含）")] = None,
    until: Annotated[date | None, Query(description="结束日期（含）")] = None,
    month: Annotated[str | None, Query(max_length=7, description="整月，如 2026-11")] = None,
    group: Annotated[Literal["department", "street", "grid", "appeal", "channel"],
                     Query(description="分组：承办单位、街道、网格、诉求类型或来源渠道")] = "department",
    format: Annotated[Literal["json", "csv", "xlsx"], Query()] = "json",
) -> Any:
    try:
        first, end = statistics.date_range(now, since=since, until=until, month=month)
    except statistics.RangeRefused as exc:
        raise HTTPException(422, {"message": str(exc), "field": exc.field}) from None
    result = statistics.compute(session, since=first, until=end, grouping=group)
    name = f"统计-{first.isoformat()}至{(end - timedelta(days=1)).isoformat()}"
    if format == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        csv.writer(buffer).writerows(statistics.table(result))
        return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8", headers=_attachment(f"{name}.csv"))
    if format == "xlsx":
        trend: list[list[Any]] = [["日期", "受理量", "办结量"], *([d.isoformat(), r, c] for d, r, c in result.trend)]
        content = workbook([(statistics.GROUPINGS[group], list(statistics.table(result))), ("每日趋势", trend)])
        return Response(content, media_type=XLSX_TYPE, headers=_attachment(f"{name}.xlsx"))
    return statistics.statistics_view(result)


def _attachment(filename: str) -> dict[str, str]:
    from urllib.parse import quote

    return {"Content-Disposition": f"attachment; filename=\"export\"; filename*=UTF-8''{quote(filename)}"}


@router.get("/cases.xlsx", summary="按筛选条件导出工单（Excel）")
def export_xlsx(admin: AdminStaff, session: SessionDep, flt: Filter, now: NowDep) -> Response:
    rows, _total = search_cases(session, flt, now=now, offset=0, limit=CSV_LIMIT)
    found = views.page_summaries(session, rows, admin=True, now=now)
    lines: list[list[Any]] = [CSV_HEADER, *(row_of(s) for s in found)]
    stamp = local(now).strftime("%Y%m%d-%H%M")
    return Response(workbook([("工单", lines)]), media_type=XLSX_TYPE, headers=_attachment(f"工单-{stamp}.xlsx"))


class PlaceLabel(BaseModel):
    name: str
    kind: str
    lat: float
    lng: float


class MapLayers(BaseModel):
    roads: dict[str, Any]
    places: list[PlaceLabel]


@router.get("/map/layers", response_model=MapLayers, summary="地图底图：道路与地名（随系统提供，离线可用）")
def map_layers(services: ServicesDep, staff: CurrentStaff) -> MapLayers:
    roads_file = PACKAGE_DATA / "roads.geojson"
    roads = json.loads(roads_file.read_text(encoding="utf-8")) if roads_file.is_file() else {}
    places = [PlaceLabel(name=p.name, kind=p.kind, lat=p.lat, lng=p.lng) for p in services.geo.snapshot.places]
    return MapLayers(roads=roads or {"type": "FeatureCollection", "features": []}, places=places)


@router.get("/map/cases", response_model=list[views.MapCase], summary="地图：所有未办结且有坐标的工单")
def map_cases(staff: CurrentStaff, session: SessionDep, now: NowDep) -> list[views.MapCase]:
    return views.map_cases(session, now)
