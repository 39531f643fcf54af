"""Reading cases: the filtered list, a case's file, its photos, the due and flagged lists, clusters, activity."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from sqlmodel import Session

from api.deps import AnyStaff, CaseNumber, CurrentStaff, Moment, NowDep, ServicesDep, SessionDep, SettingsDep
from cases import attention, queries, search, views
from cases.channels import AppealType, IntakeChannel
from cases.models import Case
from cases.roles import ADMIN, visible_cases
from cases.search import CaseFilter
from cases.views import CaseDetail, CasePage, CaseSummary, DueLists, case_file, summaries_for
from cases.vocabulary import CaseStatus

router = APIRouter(prefix="/api/staff", tags=["staff"])


def case_or_404(session: Session, number: str) -> Case:
    case = queries.case_by_number(session, number)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"工单 {number} 不存在")
    return case


def case_filter(
    status_: Annotated[CaseStatus | None, Query(alias="status")] = None,
    grid_id: Annotated[str | None, Query(max_length=64)] = None,
    street: Annotated[str | None, Query(max_length=128)] = None,
    category: Annotated[str | None, Query(max_length=32, description="大类或小类代码")] = None,
    openid: Annotated[str | None, Query(max_length=64)] = None,
    created_from: Moment | None = None,
    created_until: Moment | None = None,
    overdue: bool | None = None,
    flagged: bool | None = None,
    urgent: bool | None = None,
    q: Annotated[str | None, Query(max_length=100, description="工单号或描述关键词")] = None,
    community: Annotated[str | None, Query(max_length=128)] = None,
    department: Annotated[str | None, Query(max_length=128)] = None,
    categories: Annotated[str | None, Query(max_length=2000, description="多个类别代码，逗号分隔")] = None,
    sort: Annotated[
        Literal["created", "-created", "due", "-due", "updated", "-updated", "status", "-status", "number", "-number"],
        Query(description="排序：created 提交时间、due 办理期限、updated 更新时间；前加 - 为倒序"),
    ] = "-created",
    channel: Annotated[IntakeChannel | None, Query(description="来源渠道")] = None,
    appeal_type: Annotated[str | None, Query(max_length=16, description="诉求类型：名称（投诉）或代码")] = None,
) -> CaseFilter:
    appeal = AppealType.named(appeal_type) if appeal_type else None
    if appeal_type and appeal is None:
        names = "、".join(kind.label for kind in AppealType)
        raise HTTPException(422, {"message": f"诉求类型只能是：{names}", "field": "appeal_type"})
    return CaseFilter(status=status_, grid_id=grid_id, street=street, category=category, openid=openid,
                      created_from=created_from, created_until=created_until, overdue=overdue, flagged=flagged,
                      urgent=urgent, text=q, community=community, department=department,
                      minor_codes=tuple(c.strip() for c in (categories or "").split(",") if c.strip()), sort=sort,
                      channel=channel.value if channel else None,
                      appeal_type=appeal.value if appeal else None)


Filter = Annotated[CaseFilter, Depends(case_filter)]


@router.get("/cases", response_model=CasePage)
def list_cases(
    staff: CurrentStaff,
    session: SessionDep,
    flt: Filter,
    now: NowDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CasePage:
    # ?openid= must not link a confidential resident to their cases for an agent.
    flt = dataclasses.replace(flt, confidential_visible=staff.role == "admin")
    rows, total = search.search_cases(session, flt, now=now, offset=(page - 1) * page_size, limit=page_size)
    found = views.page_summaries(session, rows, admin=staff.role == ADMIN, now=now)
    return CasePage(items=found, total=total, page=page, page_size=page_size)


@router.get("/cases/{number}", response_model=CaseDetail)
def case_detail(number: CaseNumber, staff: CurrentStaff, session: SessionDep, now: NowDep) -> CaseDetail:
    return case_file(session, case_or_404(session, number), staff, now)


@router.get("/photos/{sha256}")
def photo(
    sha256: Annotated[str, PathParam(pattern=r"^[0-9a-f]{64}$")],
    staff: AnyStaff,
    session: SessionDep,
    settings: SettingsDep,
) -> FileResponse:
    """A case photo; department users and grid workers get only the photos of cases they may see."""
    stored = queries.photo_by_sha256(session, sha256, scope=visible_cases(session, staff))
    if stored is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "照片不存在")
    media = Path(settings.media_dir).resolve()
    path = (media / stored.path).resolve()
    if media not in path.parents or not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, "照片文件不存在")
    return FileResponse(path, media_type=stored.content_type)


@router.get("/due", response_model=DueLists)
def due_lists(staff: CurrentStaff, session: SessionDep, now: NowDep, services: ServicesDep) -> DueLists:
    """Overdue cases and those due within ``due_soon_hours`` (24 h by default)."""
    late = attention.overdue(session, now)
    soon = attention.due_soon(session, now, within_hours=services.rules.due_soon_hours)
    return DueLists(overdue=summaries_for(session, late, staff, now), due_soon=summaries_for(session, soon, staff, now))


@router.get("/overdue", response_model=list[CaseSummary])
def overdue_cases(staff: CurrentStaff, session: SessionDep, now: NowDep) -> list[CaseSummary]:
    return summaries_for(session, attention.overdue(session, now), staff, now)


@router.get("/due-soon", response_model=list[CaseSummary])
def due_soon_cases(staff: CurrentStaff, session: SessionDep, now: NowDep, services: ServicesDep) -> list[CaseSummary]:
    soon = attention.due_soon(session, now, within_hours=services.rules.due_soon_hours)
    return summaries_for(session, soon, staff, now)


@router.get("/flagged", response_model=list[CaseSummary])
def flagged(staff: CurrentStaff, session: SessionDep, now: NowDep) -> list[CaseSummary]:
    """Cases needing a call-back (回访) or filed by a repeat reporter."""
    return summaries_for(session, attention.flagged_cases(session), staff, now)


@router.get("/repeat-reporters", response_model=list[views.RepeatView])
def repeat_list(staff: CurrentStaff, session: SessionDep, now: NowDep, services: ServicesDep) -> list[views.RepeatView]:
    """一人多诉: residents with several cases on one topic within the window."""
    return [views.repeat_view(r, admin=staff.role == ADMIN) for r in attention.repeat_reporters(session, now,
                                                                                                services.rules)]


@router.get("/clusters", response_model=list[views.ClusterView])
def cluster_list(staff: CurrentStaff, session: SessionDep, open_only: bool = True) -> list[views.ClusterView]:
    """多人一诉: duplicate clusters, largest first."""
    return [views.cluster_view(c) for c in attention.clusters(session, open_only=open_only)]


@router.get("/events/recent", response_model=list[views.EventView])
def recent_events(
    staff: CurrentStaff, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[views.EventView]:
    """The latest timeline entries across all cases (the console's activity feed)."""
    return [views.event_view(e) for e in queries.recent_events(session, limit=limit)]
