"""Statistics and 考核 for any date range or month (JSON, CSV, XLSX), the case list as XLSX, and the open
cases for the district map."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlmodel import col, select

from api.deps import AdminStaff, CurrentStaff, NowDep, ServicesDep, SessionDep
from api.routes.staff.cases import Filter
from api.routes.staff.exports import CSV_HEADER, CSV_LIMIT, row_of
from api.xlsx import XLSX_TYPE, workbook
from cases import statistics, views
from cases.clock import local
from cases.models import OPEN_STATUSES, STATUS_LABELS, Case
from cases.search import search_cases
from geo.store import PACKAGE_DATA

router = APIRouter(prefix="/api/staff", tags=["staff-stats"])
MAX_DAYS = 400


class RowOut(BaseModel):
    group: str
    received: int
    closed: int
    on_time: int
    on_time_rate: float | None
    rated: int
    satisfaction_rate: float | None
    revisited: int
    revisit_rate: float | None
    reopened: int
    reopen_rate: float | None
    numbers: list[str]


class TrendOut(BaseModel):
    day: date
    received: int
    closed: int


class StatsOut(BaseModel):
    since: date
    until: date  # exclusive
    last_day: date
    grouping: str
    grouping_text: str
    rows: list[RowOut]
    total: RowOut
    trend: list[TrendOut]


class MapCase(BaseModel):
    number: str
    lat: float
    lng: float
    status: str
    status_text: str
    minor_name: str
    urgent: bool
    overdue: bool
    grid_id: str
    department: str | None


def _row(row: statistics.Row) -> RowOut:
    return RowOut(group=row.group, received=row.received, closed=row.closed, on_time=row.on_time,
                  on_time_rate=row.on_time_rate, rated=row.rated, satisfaction_rate=row.satisfaction_rate,
                  revisited=row.revisited, revisit_rate=row.revisit_rate, reopened=row.reopened,
                  reopen_rate=row.reopen_rate, numbers=row.numbers)


def _range(now: datetime, since: date | None, until: date | None, month: str | None) -> tuple[date, date]:
    """[since, until) from a month (``2026-11``) or two days (``until`` inclusive); default this month."""
    if month:
        try:
            return statistics.month_range(month)
        except ValueError:
            problem = {"message": f"月份“{month}”的格式不正确，应为 2026-11 这样", "field": "month"}
            raise HTTPException(422, problem) from None
    if since is None and until is None:
        return statistics.month_range(local(now).strftime("%Y-%m"))
    first = since or (until or local(now).date()) - timedelta(days=29)
    last = until or local(now).date()
    if last < first:
        raise HTTPException(422, {"message": "结束日期不能早于开始日期", "field": "until"})
    if (last - first).days >= MAX_DAYS:
        raise HTTPException(422, {"message": f"时间范围最长 {MAX_DAYS} 天", "field": "since"})
    return first, last + timedelta(days=1)


@router.get("/stats", response_model=StatsOut, summary="统计与考核：受理、办结、按时办结率、满意率、回访率、重办率",
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
    first, end = _range(now, since, until, month)
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
    return StatsOut(since=first, until=end, last_day=end - timedelta(days=1), grouping=group,
                    grouping_text=statistics.GROUPINGS[group], rows=[_row(r) for r in result.rows],
                    total=_row(result.total),
                    trend=[TrendOut(day=d, received=r, closed=c) for d, r, c in result.trend])


def _attachment(filename: str) -> dict[str, str]:
    from urllib.parse import quote

    return {"Content-Disposition": f"attachment; filename=\"export\"; filename*=UTF-8''{quote(filename)}"}


@router.get("/cases.xlsx", summary="按筛选条件导出工单（Excel）")
def export_xlsx(admin: AdminStaff, session: SessionDep, flt: Filter, now: NowDep) -> Response:
    rows, _total = search_cases(session, flt, now=now, offset=0, limit=CSV_LIMIT)
    found = views.summaries(session, [c for c, _r in rows], admin=True, now=now,
                            residents={r.id: r for _c, r in rows if r is not None and r.id is not None})
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


@router.get("/map/cases", response_model=list[MapCase], summary="地图：所有未办结且有坐标的工单")
def map_cases(staff: CurrentStaff, session: SessionDep, now: NowDep) -> list[MapCase]:
    found = session.exec(
        select(Case).where(col(Case.status).in_(OPEN_STATUSES)).where(col(Case.lat).is_not(None))
        .order_by(col(Case.created_at).desc()).limit(20_000)
    ).all()
    return [MapCase(number=c.number, lat=c.lat or 0.0, lng=c.lng or 0.0, status=c.status,
                    status_text=STATUS_LABELS[c.status], minor_name=c.minor_name, urgent=c.urgent,
                    overdue=c.due_at < now, grid_id=c.grid_id, department=c.department) for c in found]
