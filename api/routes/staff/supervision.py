"""Supervision (centre staff): 催办 and 督办, 延期 approvals, the centre's notices (escalations, requests)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from api.deps import CurrentStaff, NowDep, SessionDep
from api.routes.staff.case_actions import missing
from api.routes.staff.cases import case_or_404
from cases import supervision
from cases.errors import MissingField
from cases.views import CaseDetail, case_file

router = APIRouter(prefix="/api/staff", tags=["staff-supervision"])


class UrgeIn(BaseModel):
    kind: Literal["urge", "supervise"] = Field(description="urge 催办；supervise 督办（需写明要求）")
    note: str = Field(default="", max_length=2000)


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=2000)


@router.post("/cases/{number}/urge", response_model=CaseDetail, summary="催办或督办承办单位（通知该单位）")
def urge(number: str, body: UrgeIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> CaseDetail:
    case = case_or_404(session, number)
    try:
        supervision.urge(session=session, number=case.number, kind=body.kind, actor=staff.name, note=body.note,
                         now=now)
    except supervision.SupervisionRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except MissingField as exc:
        raise missing(exc.name) from None
    return case_file(session, case, staff, now)


@router.get("/extensions", response_model=list[supervision.ExtensionView], summary="待审批的延期申请")
def extensions(staff: CurrentStaff, session: SessionDep) -> list[supervision.ExtensionView]:
    return supervision.extension_views(session)


@router.post("/extensions/{request_id}", status_code=status.HTTP_204_NO_CONTENT, summary="审批延期（同意或不同意）")
def decide(
    request_id: Annotated[int, PathParam(ge=1)], body: DecisionIn, staff: CurrentStaff, session: SessionDep, now: NowDep
) -> None:
    try:
        supervision.decide_extension(session=session, request_id=request_id, approve=body.approve, actor=staff.name,
                                     note=body.note, now=now)
    except supervision.SupervisionRefused as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from None
    except MissingField as exc:
        raise missing(exc.name) from None
