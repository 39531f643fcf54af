"""Reports for staff: the weekly report (JSON or CSV, see :mod:`cases.reports`) and the satisfaction rate."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel

from api.deps import CurrentStaff, Moment, NowDep, ServicesDep, SessionDep
from cases.clock import LocalTime
from cases.errors import InvalidWeek
from cases.ratings import satisfaction
from cases.reports import WeeklyReport, build_report, parse_week, report_csv

router = APIRouter(prefix="/api/staff", tags=["staff-reports"])


class SatisfactionPublic(BaseModel):
    since: LocalTime
    until: LocalTime
    rate: float | None
    rated: int


@router.get("/reports/weekly", summary="周报：按类别、网格统计，热点网格，一人多诉，多人一诉，满意率，超期",
            response_model=WeeklyReport,
            responses={200: {"content": {"text/csv": {}}, "description": "JSON，或 format=csv 时的 CSV"},
                       401: {"description": "未登录"}, 422: {"description": "周的格式不对"}})
def weekly(
    services: ServicesDep,
    session: SessionDep,
    staff: CurrentStaff,
    now: NowDep,
    week: Annotated[str | None, Query(description="ISO 周，如 2026-W48；默认本周", max_length=10)] = None,
    format: Annotated[Literal["json", "csv"], Query(description="json 或 csv")] = "json",
) -> WeeklyReport | Response:
    try:
        parsed = parse_week(week, now)
    except InvalidWeek as exc:
        raise HTTPException(422, str(exc)) from None
    report = build_report(session, parsed, now=now, rules=services.rules, admin=staff.role == "admin")
    if format == "csv":
        filename = f"weekly-{parsed.label}.csv"
        return Response(report_csv(report), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return report


@router.get("/stats/satisfaction", response_model=SatisfactionPublic)
def satisfaction_stats(
    staff: CurrentStaff, session: SessionDep, now: NowDep, since: Moment | None = None, until: Moment | None = None
) -> SatisfactionPublic:
    """满意率 = (满意 + 基本满意) / 全部评价 (last 30 days by default)."""
    end = until or now
    start = since or end - timedelta(days=30)
    found = satisfaction(session, start, end)
    return SatisfactionPublic(since=start, until=end, rate=found.rate, rated=found.rated)
