"""One's own cases in the mini-program: the list, a case's steps, rating a closed case, subscribe-message grants."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field

from api.deps import NowDep, ServicesDep, SessionDep
from api.routes.mp.auth import ERRORS, ErrorOut, ResidentDep, problem
from cases import CaseStatus, queries, views
from cases.errors import CaseNotFound, MissingField, RatingRejected
from cases.residents import grant_subscription
from nlu import extract_case_number
from reply_templates import Renderer

router = APIRouter(prefix="/api/mp", tags=["mini-program"])
PROBLEM = "mp.case_problem"


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CaseSummaryOut(Public):
    number: str
    status: str
    status_label: str
    description: str
    major_name: str
    minor_name: str
    address: str
    grid_name: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    can_rate: bool
    rated: bool


class StepOut(Public):
    at: datetime
    kind: str
    title: str
    status: str | None
    department: str | None
    note: str | None


class RatingOut(Public):
    score: int | None
    fixed: str | None
    comment: str | None
    created_at: datetime


class NoticeOut(BaseModel):
    key: str
    text: str
    at: datetime


class CaseDetailOut(CaseSummaryOut):
    urgent: bool
    department: str | None
    photos: int
    timeline: list[StepOut]
    rating: RatingOut | None
    notices: list[NoticeOut] = Field(description="未能以订阅消息送达、留在工单页的通知")


class RatingIn(BaseModel):
    score: int | None = Field(default=None, ge=1, le=5,
                              description="5 满意 · 4 基本满意 · 3 一般 · 2 不满意 · 1 很不满意")
    fixed: Literal["yes", "partly", "no"] | None = Field(default=None, description="问题是否解决")
    comment: str | None = Field(default=None, max_length=500)


class SubscriptionsIn(BaseModel):
    results: dict[str, str] = Field(
        description="wx.requestSubscribeMessage 的结果原样上传：{模板ID: accept | reject | ban | filter}",
        min_length=1, max_length=20,
    )


class SubscriptionsOut(BaseModel):
    accepted: list[str]
    remaining: dict[str, int]


def my_number(services: ServicesDep, number: Annotated[str, PathParam(max_length=40, description="工单号")]) -> str:
    """A case number from the path (the one case-number parser); 404 when it is not one."""
    parsed = extract_case_number(number)
    if parsed is None:
        raise problem(services, 404, PROBLEM, reason="not_found")
    return parsed


MyNumber = Annotated[str, Depends(my_number)]


@router.get("/cases", summary="我的工单（新的在前）", responses=ERRORS)
def my_cases(session: SessionDep, openid: ResidentDep) -> list[CaseSummaryOut]:
    return [CaseSummaryOut.model_validate(c) for c in views.my_cases(session, openid)]


@router.get("/cases/{number}", summary="一个工单的办理过程", responses={**ERRORS, 404: {"model": ErrorOut}})
def my_case(number: MyNumber, services: ServicesDep, session: SessionDep, openid: ResidentDep) -> CaseDetailOut:
    case = queries.get_case_for_resident(session, openid, number)
    if case is None:
        raise problem(services, 404, PROBLEM, reason="not_found")
    found = views.my_case_detail(session, case, openid)
    notices = [NoticeOut(key=m.template_key, text=_render(services.templates, m.template_key, m.variables),
                         at=m.created_at) for m in found.held]
    steps = [StepOut(at=step.at, kind=step.kind, title=_title(services.templates, step), status=step.status,
                     department=step.department, note=step.note) for step in found.timeline]
    fields = {name: getattr(found, name) for name in CaseDetailOut.model_fields if name not in ("notices", "timeline")}
    return CaseDetailOut.model_validate({**fields, "timeline": steps, "notices": notices})


def _title(templates: Renderer, step: views.Step) -> str:
    return templates.render("mp.step_title", kind=step.kind, status_text=CaseStatus.label_of(step.status or ""),
                            reopened=step.reopened)


def _render(templates: Renderer, key: str, variables: dict[str, Any]) -> str:
    try:
        return str(templates.render(key, **variables))
    except Exception:
        return templates.render("mp.notice_fallback")


@router.post("/cases/{number}/rating", status_code=201, summary="评价已办结的工单",
             responses={**ERRORS, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
async def rate(number: MyNumber, body: RatingIn, services: ServicesDep, openid: ResidentDep) -> RatingOut:
    if body.score is None and body.fixed is None:
        raise problem(services, 422, PROBLEM, reason="needs_verdict")
    try:
        rating = await services.desk.rate(number=number, openid=openid, score=body.score, fixed=body.fixed,
                                          comment=body.comment)
    except CaseNotFound:
        raise problem(services, 404, PROBLEM, reason="not_found") from None
    except MissingField:
        raise problem(services, 422, PROBLEM, reason="needs_verdict") from None
    except RatingRejected as exc:
        raise problem(services, 409 if exc.reason != "invalid" else 422, PROBLEM, reason=exc.reason) from None
    return RatingOut.model_validate(rating)


@router.post("/subscriptions", summary="记录居民同意接收的订阅消息", responses=ERRORS)
def subscriptions(body: SubscriptionsIn, session: SessionDep, openid: ResidentDep, now: NowDep) -> SubscriptionsOut:
    accepted = [tid for tid, answer in body.results.items() if answer == "accept" and 0 < len(tid) <= 128]
    for template_id in accepted:
        grant_subscription(session, openid=openid, template_id=template_id, now=now)
    grants = queries.subscriptions_of(session, openid)
    return SubscriptionsOut(accepted=accepted, remaining={g.template_id: g.remaining for g in grants})
