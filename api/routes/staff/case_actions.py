"""Acting on a case: move it through the lifecycle, correct its category or place, add a note, record a call-back.

Categories and places are checked against the running taxonomy and grid layer: their names come from the
centre's data, not from the browser, and an unknown code or a point outside the district is refused.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field

import cases
from api.deps import CaseNumber, CurrentStaff, NowDep, ServicesDep, SessionDep
from api.routes.staff.cases import case_or_404
from cases.departments import announce_dispatch
from cases.errors import TransitionNotAllowed
from cases.lifecycle import add_note
from cases.ratings import mark_called_back
from cases.views import CaseDetail, case_file
from cases.vocabulary import CaseStatus, Category, Place
from geo import GeoService, UnknownGridError
from nlu import Taxonomy, TaxonomyError

router = APIRouter(prefix="/api/staff", tags=["staff"])

FIELD_LABELS = {
    "note": "说明（理由）",
    "department": "承办单位",
    "category": "分类",
    "grid_id": "网格",
    "location": "坐标（经纬度需同时填写）",
    "score": "评分",
}


def missing(name: str) -> HTTPException:
    return HTTPException(
        422, [{"loc": ["body", name], "msg": f"请填写{FIELD_LABELS.get(name, name)}", "type": "missing"}]
    )


def conflict(exc: TransitionNotAllowed) -> HTTPException:
    """409 naming the current status, the one asked for and the ones possible."""
    return HTTPException(status.HTTP_409_CONFLICT, {"message": exc.explanation, "current": exc.current,
                                                    "requested": exc.requested, "allowed": exc.allowed})


class TransitionIn(BaseModel):
    to: CaseStatus
    note: str | None = Field(default=None, max_length=2000)
    department: str | None = Field(default=None, max_length=128)


class CategoryIn(BaseModel):
    major_code: str = Field(min_length=1, max_length=32)
    major_name: str = Field(min_length=1, max_length=64)
    minor_code: str = Field(min_length=1, max_length=32)
    minor_name: str = Field(min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=2000)


class PlaceIn(BaseModel):
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    address: str = Field(default="", max_length=255)
    grid_id: str = Field(min_length=1, max_length=64)
    grid_name: str = Field(default="", max_length=128)
    community: str = Field(default="", max_length=128)
    street: str = Field(default="", max_length=128)
    note: str | None = Field(default=None, max_length=2000)


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


def checked_category(taxonomy: Taxonomy, body: CategoryIn) -> Category:
    """The taxonomy's names for the minor code; an unknown code is refused."""
    try:
        minor = taxonomy.minor(body.minor_code)
    except TaxonomyError:
        problem = {"message": f"问题小类 {body.minor_code} 不在分类表中", "field": "minor_code"}
        raise HTTPException(422, problem) from None
    major = taxonomy.major(minor.major_code)
    return Category(major_code=major.code, major_name=major.name, minor_code=minor.code, minor_name=minor.name)


def checked_place(geo: GeoService, body: PlaceIn) -> Place:
    """Grid, community and street from the active grid layer; a point outside the district is refused."""
    if (body.lat is None) != (body.lng is None):
        raise missing("location")
    if body.lat is not None and body.lng is not None:
        found = geo.locate_point(body.lat, body.lng)
        if found.grid_id is None:
            raise HTTPException(422, {"message": "该位置不在本区网格范围内", "field": "lat"})
        return Place(grid_id=found.grid_id, grid_name=found.grid_name, community=found.community,
                     street=found.street, address=body.address, lat=body.lat, lng=body.lng)
    try:
        facts = geo.grid(body.grid_id)
    except UnknownGridError:
        raise HTTPException(422, {"message": f"网格 {body.grid_id} 不存在", "field": "grid_id"}) from None
    return Place(grid_id=body.grid_id, grid_name=facts.name, community=facts.community, street=facts.street,
                 address=body.address)


@router.post("/cases/{number}/transitions", response_model=CaseDetail)
def move_case(number: CaseNumber, body: TransitionIn, staff: CurrentStaff, session: SessionDep,
              now: NowDep) -> CaseDetail:
    case = case_or_404(session, number)
    try:
        moved = cases.transition(session=session, number=case.number, to=body.to, actor=staff.name,
                                 note=body.note, department=body.department, now=now)
        if moved.status == CaseStatus.DISPATCHED:  # a managed department hears of it, as with POST …/dispatch
            announce_dispatch(session, case=moved, note=body.note, now=now)
            session.commit()
    except cases.TransitionNotAllowed as exc:
        session.rollback()
        raise conflict(exc) from None
    except cases.MissingField as exc:
        session.rollback()
        raise missing(exc.name) from None
    return case_file(session, moved, staff, now)


@router.post("/cases/{number}/reclassify", response_model=CaseDetail)
def reclassify_case(number: CaseNumber, body: CategoryIn, services: ServicesDep, staff: CurrentStaff,
                    session: SessionDep, now: NowDep) -> CaseDetail:
    case = case_or_404(session, number)
    category = checked_category(services.nlu.taxonomy, body)
    moved = cases.reclassify(session=session, number=case.number, category=category, actor=staff.name, now=now,
                             note=body.note)
    return case_file(session, moved, staff, now)


@router.post("/cases/{number}/relocate", response_model=CaseDetail)
def relocate_case(number: CaseNumber, body: PlaceIn, services: ServicesDep, staff: CurrentStaff,
                  session: SessionDep, now: NowDep) -> CaseDetail:
    case = case_or_404(session, number)
    place = checked_place(services.geo, body)
    try:
        moved = cases.relocate(session=session, number=case.number, place=place, actor=staff.name, now=now,
                               note=body.note)
    except cases.InvalidDraft as exc:
        raise missing(exc.field) from None
    return case_file(session, moved, staff, now)


@router.post("/cases/{number}/notes", response_model=CaseDetail)
def note_case(number: CaseNumber, body: NoteIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> CaseDetail:
    case = case_or_404(session, number)
    try:
        add_note(session=session, number=case.number, actor=staff.name, note=body.note, now=now)
    except cases.MissingField as exc:
        raise missing(exc.name) from None
    return case_file(session, case, staff, now)


@router.post("/cases/{number}/callback", response_model=CaseDetail)
def called_back(number: CaseNumber, body: NoteIn, staff: CurrentStaff, session: SessionDep,
                now: NowDep) -> CaseDetail:
    """The call-back (回访) was made: clear the flag and record what was said."""
    case = case_or_404(session, number)
    try:
        done = mark_called_back(session=session, number=case.number, actor=staff.name, note=body.note, now=now)
    except cases.MissingField as exc:
        raise missing(exc.name) from None
    return case_file(session, done, staff, now)
