"""Departments and dispatch: the managed list (admins edit), suggestions, 派遣, bulk 受理/派遣, assignment,
and the pick-lists the console's filters are built from (names, not codes).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import col, select

import cases
from api.deps import AdminStaff, CurrentStaff, NowDep, ServicesDep, SessionDep
from api.routes.staff.case_actions import missing
from api.routes.staff.case_schemas import CaseDetail
from api.routes.staff.cases import case_file, case_or_404
from api.services import Services
from cases import AppealType, IntakeChannel, departments
from cases.errors import MissingField, StaffError, TransitionNotAllowed
from cases.models import STATUS_LABELS, Case
from cases.workflow_models import Department

router = APIRouter(prefix="/api/staff", tags=["staff-dispatch"])
DepartmentId = Annotated[int, PathParam(ge=1)]


class DepartmentOut(BaseModel):
    id: int
    name: str
    contact_person: str
    phone: str
    notify_openid: str | None
    categories: list[str]
    category_names: list[str]
    streets: list[str]
    active: bool
    open_cases: int


class DepartmentIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    contact_person: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)
    notify_openid: str | None = Field(default=None, max_length=64)
    categories: list[Annotated[str, Field(max_length=32)]] = Field(default_factory=list, max_length=400)
    streets: list[Annotated[str, Field(max_length=128)]] = Field(default_factory=list, max_length=100)
    active: bool = True


class SuggestionOut(BaseModel):
    department_id: int
    name: str
    reasons: list[str]


class DispatchIn(BaseModel):
    department_id: int = Field(ge=1)
    note: str | None = Field(default=None, max_length=2000)


class BulkIn(BaseModel):
    numbers: list[Annotated[str, Field(max_length=20)]] = Field(min_length=1, max_length=200)
    action: Literal["accept", "dispatch"]
    department_id: int | None = Field(default=None, ge=1)
    note: str | None = Field(default=None, max_length=2000)


class BulkResult(BaseModel):
    number: str
    ok: bool
    message: str


class AssignIn(BaseModel):
    assignee: str | None = Field(default=None, max_length=64)


class Option(BaseModel):
    value: str
    label: str
    group: str | None = None


class PickLists(BaseModel):
    statuses: list[Option]
    streets: list[Option]
    communities: list[Option]
    grids: list[Option]
    categories: list[Option]
    departments: list[Option]
    appeal_types: list[Option]
    channels: list[Option]  # intake channels (来源渠道), grouped 微信 / 其他系统


def _category_names(services: Services) -> dict[str, str]:
    taxonomy = services.nlu.taxonomy
    names: dict[str, str] = {}
    for major in taxonomy.majors:
        names[major.code] = major.name
        for minor in taxonomy.minors_of(major.code):
            names[minor.code] = f"{major.name}/{minor.name}"
    return names


def _department_out(services: Services, department: Department, open_cases: int) -> DepartmentOut:
    names = _category_names(services)
    return DepartmentOut(
        id=department.id or 0, name=department.name, contact_person=department.contact_person,
        phone=department.phone, notify_openid=department.notify_openid, categories=department.categories,
        category_names=[names.get(c, c) for c in department.categories], streets=department.streets,
        active=department.active, open_cases=open_cases,
    )


@router.get("/departments", response_model=list[DepartmentOut], summary="承办单位")
def list_departments(services: ServicesDep, staff: CurrentStaff, session: SessionDep) -> list[DepartmentOut]:
    counts = dict(session.exec(
        select(col(Case.department), func.count())
        .where(col(Case.status).in_(("dispatched", "processing")))
        .group_by(col(Case.department))
    ).all())
    return [_department_out(services, d, counts.get(d.name, 0)) for d in departments.list_departments(session)]


def _save(
    services: ServicesDep, body: DepartmentIn, session: SessionDep, now: NowDep, department_id: int | None
) -> DepartmentOut:
    try:
        saved = departments.save_department(session=session, now=now, department_id=department_id,
                                            **body.model_dump())
    except StaffError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except MissingField as exc:
        raise missing(exc.name) from None
    return _department_out(services, saved, 0)


@router.post("/departments", response_model=DepartmentOut, status_code=status.HTTP_201_CREATED, summary="新增承办单位")
def add_department(
    services: ServicesDep, body: DepartmentIn, admin: AdminStaff, session: SessionDep, now: NowDep
) -> DepartmentOut:
    return _save(services, body, session, now, None)


@router.put("/departments/{department_id}", response_model=DepartmentOut, summary="修改承办单位")
def change_department(
    services: ServicesDep, department_id: DepartmentId, body: DepartmentIn, admin: AdminStaff, session: SessionDep,
    now: NowDep,
) -> DepartmentOut:
    return _save(services, body, session, now, department_id)


@router.get("/cases/{number}/suggestions", response_model=list[SuggestionOut], summary="建议的承办单位")
def suggestions(number: str, staff: CurrentStaff, session: SessionDep) -> list[SuggestionOut]:
    case = case_or_404(session, number)
    return [SuggestionOut(department_id=s.department.id or 0, name=s.department.name, reasons=s.reasons)
            for s in departments.suggest_departments(session, case)]


def conflict_message(exc: TransitionNotAllowed) -> str:
    allowed = "、".join(STATUS_LABELS[a] for a in exc.allowed) or "无（已是最终状态）"
    return (f"当前状态“{STATUS_LABELS.get(exc.current, exc.current)}”不能转为"
            f"“{STATUS_LABELS.get(exc.requested, exc.requested)}”，可转为：{allowed}")


def conflict(exc: TransitionNotAllowed) -> HTTPException:
    return HTTPException(status.HTTP_409_CONFLICT, {"message": conflict_message(exc), "current": exc.current,
                                                    "requested": exc.requested, "allowed": exc.allowed})


@router.post("/cases/{number}/dispatch", response_model=CaseDetail, summary="派遣到承办单位（通知该单位）")
def dispatch(number: str, body: DispatchIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> CaseDetail:
    case = case_or_404(session, number)
    try:
        moved = departments.dispatch(session=session, number=case.number, department_id=body.department_id,
                                     actor=staff.name, note=body.note, now=now)
    except TransitionNotAllowed as exc:
        session.rollback()
        raise conflict(exc) from None
    except StaffError as exc:
        session.rollback()
        raise HTTPException(422, {"message": str(exc), "field": "department_id"}) from None
    return case_file(session, moved, staff, now)


@router.post("/cases/bulk", response_model=list[BulkResult], summary="批量受理或派遣")
def bulk(body: BulkIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> list[BulkResult]:
    if body.action == "dispatch" and body.department_id is None:
        raise missing("department")
    results: list[BulkResult] = []
    for number in dict.fromkeys(n.strip().upper() for n in body.numbers):
        try:
            if body.action == "accept":
                case = cases.transition(session=session, number=number, to="accepted", actor=staff.name,
                                        note=body.note, now=now)
                case.assignee = case.assignee or staff.name
                session.add(case)
                session.commit()
                results.append(BulkResult(number=number, ok=True, message="已受理"))
            else:
                assert body.department_id is not None
                moved = departments.dispatch(session=session, number=number, department_id=body.department_id,
                                             actor=staff.name, note=body.note, now=now)
                results.append(BulkResult(number=number, ok=True, message=f"已派遣至{moved.department}"))
        except cases.CaseNotFound:
            session.rollback()
            results.append(BulkResult(number=number, ok=False, message="工单不存在"))
        except TransitionNotAllowed as exc:
            session.rollback()
            results.append(BulkResult(number=number, ok=False, message=conflict_message(exc)))
        except StaffError as exc:
            session.rollback()
            results.append(BulkResult(number=number, ok=False, message=str(exc)))
    return results


@router.post("/cases/{number}/assign", response_model=CaseDetail, summary="指派给工作人员（空为取消）")
def assign(number: str, body: AssignIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> CaseDetail:
    case = case_or_404(session, number)
    case.assignee = (body.assignee or "").strip() or None
    session.add(case)
    session.add(cases.CaseEvent(case_id=case.id or 0, kind="assigned", actor=staff.name,
                                note=f"指派给 {case.assignee}" if case.assignee else "取消指派", created_at=now))
    session.commit()
    return case_file(session, case, staff, now)


@router.get("/picklists", response_model=PickLists, summary="筛选用的选项（名称，不是代码）")
def picklists(services: ServicesDep, staff: CurrentStaff, session: SessionDep) -> PickLists:
    streets: set[str] = set()
    communities: dict[str, str] = {}
    grids: list[Option] = []
    for grid in services.geo.snapshot.layer.grids:
        streets.add(grid.street)
        communities[grid.community] = grid.street
        grids.append(Option(value=grid.grid_id, label=grid.grid_name, group=f"{grid.street} {grid.community}"))
    names = _category_names(services)
    return PickLists(
        statuses=[Option(value=code, label=label) for code, label in STATUS_LABELS.items()],
        streets=[Option(value=s, label=s) for s in sorted(streets)],
        communities=[Option(value=c, label=c, group=s) for c, s in sorted(communities.items())],
        grids=sorted(grids, key=lambda o: (o.group or "", o.label)),
        categories=[Option(value=code, label=name, group=name.split("/")[0]) for code, name in names.items()],
        departments=[Option(value=d.name, label=d.name) for d in departments.list_departments(session)],
        appeal_types=[Option(value=a.value, label=a.label) for a in AppealType],
        channels=[Option(value=c.value, label=c.label, group="其他系统" if c.external else "微信")
                  for c in IntakeChannel],
    )
