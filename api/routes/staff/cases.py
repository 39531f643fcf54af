"""Reading cases: the filtered list, a case's file, its photos, the due and flagged lists, clusters, activity."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel
from sqlmodel import Session

from api.deps import AnyStaff, CaseNumber, CurrentStaff, Moment, NowDep, ServicesDep, SessionDep, SettingsDep
from api.routes.staff.case_schemas import CaseDetail, CasePage, CaseSummary, EventPublic, Public, ResidentPublic
from cases import attention, queries, search, views
from cases.channels import AppealType, IntakeChannel
from cases.clock import local
from cases.models import Case, StaffUser
from cases.roles import visible_cases
from cases.search import CaseFilter
from cases.vocabulary import CaseStatus

router = APIRouter(prefix="/api/staff", tags=["staff"])


def shown_time(moment: datetime | None) -> str | None:
    """A moment as staff read it: the centre's time zone, ``2026-11-27T09:30:00+08:00``."""
    return local(moment).isoformat(timespec="seconds") if moment else None


def case_or_404(session: Session, number: str) -> Case:
    case = queries.case_by_number(session, number)
    if case is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"工单 {number} 不存在")
    return case


def case_file(session: Session, case: Case, staff: StaffUser, now: datetime) -> CaseDetail:
    return CaseDetail.model_validate(views.detail(session, case, admin=staff.role == "admin", now=now))


def summaries(session: Session, rows: list[Case], staff: StaffUser, now: datetime) -> list[CaseSummary]:
    return [CaseSummary.model_validate(s) for s in views.summaries(session, rows, admin=staff.role == "admin",
                                                                    now=now)]


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


class DueLists(BaseModel):
    overdue: list[CaseSummary]
    due_soon: list[CaseSummary]


class RepeatPublic(Public):
    resident: ResidentPublic
    minor_code: str
    minor_name: str
    count: int
    numbers: list[str]


class ClusterPublic(BaseModel):
    number: str
    status_text: str
    minor_name: str
    address: str
    size: int
    residents: int
    numbers: list[str]


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
    found = views.summaries(session, [c for c, _r in rows], admin=staff.role == "admin", now=now,
                            residents={r.id: r for _c, r in rows if r is not None and r.id is not None})
    return CasePage(items=[CaseSummary.model_validate(s) for s in found], total=total, page=page,
                    page_size=page_size)


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
    return DueLists(overdue=summaries(session, late, staff, now), due_soon=summaries(session, soon, staff, now))


@router.get("/overdue", response_model=list[CaseSummary])
def overdue_cases(staff: CurrentStaff, session: SessionDep, now: NowDep) -> list[CaseSummary]:
    return summaries(session, attention.overdue(session, now), staff, now)


@router.get("/due-soon", response_model=list[CaseSummary])
def due_soon_cases(staff: CurrentStaff, session: SessionDep, now: NowDep, services: ServicesDep) -> list[CaseSummary]:
    return summaries(session, attention.due_soon(session, now, within_hours=services.rules.due_soon_hours), staff, now)


@router.get("/flagged", response_model=list[CaseSummary])
def flagged(staff: CurrentStaff, session: SessionDep, now: NowDep) -> list[CaseSummary]:
    """Cases needing a call-back (回访) or filed by a repeat reporter."""
    return summaries(session, attention.flagged_cases(session), staff, now)


@router.get("/repeat-reporters", response_model=list[RepeatPublic])
def repeat_list(staff: CurrentStaff, session: SessionDep, now: NowDep, services: ServicesDep) -> list[RepeatPublic]:
    """一人多诉: residents with several cases on one topic within the window."""
    return [
        RepeatPublic(resident=ResidentPublic.model_validate(views.resident_view(r.resident, admin=staff.role == "admin",
                                                                                masked=True)),
                     minor_code=r.minor_code, minor_name=r.minor_name, count=r.count, numbers=r.numbers)
        for r in attention.repeat_reporters(session, now, services.rules)
    ]


@router.get("/clusters", response_model=list[ClusterPublic])
def cluster_list(staff: CurrentStaff, session: SessionDep, open_only: bool = True) -> list[ClusterPublic]:
    """多人一诉: duplicate clusters, largest first."""
    return [
        ClusterPublic(number=c.first.number, status_text=CaseStatus.label_of(c.first.status),
                      minor_name=c.first.minor_name, address=c.first.address or c.first.grid_name,
                      size=len(c.members), residents=c.residents, numbers=[m.number for m in c.members])
        for c in attention.clusters(session, open_only=open_only)
    ]


@router.get("/events/recent", response_model=list[EventPublic])
def recent_events(
    staff: CurrentStaff, session: SessionDep, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[EventPublic]:
    """The latest timeline entries across all cases (the console's activity feed)."""
    return [EventPublic.model_validate(e) for e in queries.recent_events(session, limit=limit)]
