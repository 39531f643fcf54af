"""One's own cases in the mini-program: the list, a case's steps, rating a closed case, subscribe-message grants."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from api.deps import NowDep, ServicesDep, SessionDep
from api.routes.mp.auth import ERRORS, ErrorOut, ResidentDep, problem
from cases import CaseStatus, my_views, queries
from cases.errors import CaseNotFound, MissingField, RatingRejected
from cases.models import OutboxMessage
from cases.residents import grant_subscription
from nlu import extract_case_number

router = APIRouter(prefix="/api/mp", tags=["mini-program"])
PROBLEM = "mp.case_problem"


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
def my_cases(session: SessionDep, openid: ResidentDep) -> list[my_views.MyCase]:
    return my_views.my_cases(session, openid)


@router.get("/cases/{number}", summary="一个工单的办理过程", responses={**ERRORS, 404: {"model": ErrorOut}})
def my_case(
    number: MyNumber, services: ServicesDep, session: SessionDep, openid: ResidentDep
) -> my_views.MyCaseDetail:
    case = queries.get_case_for_resident(session, openid, number)
    if case is None:
        raise problem(services, 404, PROBLEM, reason="not_found")
    templates = services.templates

    def title(step: my_views.Step) -> str:
        return templates.render("mp.step_title", kind=step.kind, status_text=CaseStatus.label_of(step.status or ""),
                                reopened=step.reopened)

    def notice(push: OutboxMessage) -> str:
        try:
            return str(templates.render(push.template_key, **push.variables))
        except Exception:
            return templates.render("mp.notice_fallback")

    return my_views.my_case_detail(session, case, openid, title=title, notice=notice)


@router.post("/cases/{number}/rating", status_code=201, summary="评价已办结的工单",
             responses={**ERRORS, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
async def rate(number: MyNumber, body: RatingIn, services: ServicesDep, openid: ResidentDep) -> my_views.MyRating:
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
    return my_views.my_rating(rating)


@router.post("/subscriptions", summary="记录居民同意接收的订阅消息", responses=ERRORS)
def subscriptions(body: SubscriptionsIn, session: SessionDep, openid: ResidentDep, now: NowDep) -> SubscriptionsOut:
    accepted = [tid for tid, answer in body.results.items() if answer == "accept" and 0 < len(tid) <= 128]
    for template_id in accepted:
        grant_subscription(session, openid=openid, template_id=template_id, now=now)
    grants = queries.subscriptions_of(session, openid)
    return SubscriptionsOut(accepted=accepted, remaining={g.template_id: g.remaining for g in grants})
