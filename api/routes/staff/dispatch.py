"""Departments and dispatch: the managed list (admins edit), suggestions, 派遣, bulk 受理/派遣, assignment,
and the pick-lists the console's filters are built from (names, not codes).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from api.deps import AdminStaff, CurrentStaff, NowDep, ServicesDep, SessionDep
from api.routes.staff.case_actions import conflict, missing
from api.routes.staff.cases import case_or_404
from api.services import Services
from cases import AppealType, IntakeChannel, departments
from cases.departments import BulkResult, DepartmentView, department_view
from cases.errors import MissingField, StaffError, TransitionNotAllowed
from cases.lifecycle import assign as assign_case
from cases.views import CaseDetail, case_file
from cases.vocabulary import STATUS_LABELS
from nlu import extract_case_number

router = APIRouter(prefix="/api/staff", tags=["staff-dispatch"])
DepartmentId = Annotated[int, PathParam(ge=1)]


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


@router.get("/departments", response_model=list[DepartmentView], summary="承办单位")
def list_departments(services: ServicesDep, staff: CurrentStaff, session: SessionDep) -> list[DepartmentView]:
    counts, names = departments.open_case_counts(session), _category_names(services)
    return [department_view(d, counts.get(d.name, 0), names) for d in departments.list_departments(session)]


def _save(
    services: ServicesDep, body: DepartmentIn, session: SessionDep, now: NowDep, department_id: int | None
) -> DepartmentView:
    try:
        saved = departments.save_department(session=session, now=now, department_id=department_id,
                                            **body.model_dump())
    except StaffError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except MissingField as exc:
        raise missing(exc.name) from None
    return department_view(saved, 0, _category_names(services))


@router.post("/departments", response_model=DepartmentView, status_code=status.HTTP_201_CREATED, summary="新增承办单位")
def add_department(
    services: ServicesDep, body: DepartmentIn, admin: AdminStaff, session: SessionDep, now: NowDep
) -> DepartmentView:
    return _save(services, body, session, now, None)


@router.put("/departments/{department_id}", response_model=DepartmentView, summary="修改承办单位")
def change_department(
    services: ServicesDep, department_id: DepartmentId, body: DepartmentIn, admin: AdminStaff, session: SessionDep,
    now: NowDep,
) -> DepartmentView:
    return _save(services, body, session, now, department_id)


@router.get("/cases/{number}/suggestions", response_model=list[SuggestionOut], summary="建议的承办单位")
def suggestions(number: str, staff: CurrentStaff, session: SessionDep) -> list[SuggestionOut]:
    case = case_or_404(session, number)
    return [SuggestionOut(department_id=s.department.id or 0, name=s.department.name, reasons=s.reasons)
            for s in departments.suggest_departments(session, case)]


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
    numbers = [extract_case_number(n) or n.strip() for n in body.numbers]  # the one case-number parser
    try:
        return departments.bulk_move(session=session, numbers=numbers, action=body.action,
                                     department_id=body.department_id, actor=staff.name, note=body.note, now=now)
    except MissingField as exc:
        raise missing(exc.name) from None


@router.post("/cases/{number}/assign", response_model=CaseDetail, summary="指派给工作人员（空为取消）")
def assign(number: str, body: AssignIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> CaseDetail:
    case = case_or_404(session, number)
    assigned = assign_case(session=session, number=case.number, assignee=body.assignee, actor=staff.name, now=now)
    return case_file(session, assigned, staff, now)


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
