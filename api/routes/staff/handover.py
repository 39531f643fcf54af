"""The hand-over queue (``/api/staff/handover``): residents waiting for a person, and staff's answers.

Centre staff only. A resident is shown as the role allows: agents see a masked phone (also inside message
texts) and nothing of a confidential resident's identity; admins see everything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.deps import CurrentStaff, NowDep, SessionDep
from api.routes.staff.case_actions import missing
from cases import handover
from cases.errors import MissingField
from cases.handover_views import AnswerView, HandoverView, handover_view
from cases.models import StaffUser

router = APIRouter(prefix="/api/staff/handover", tags=["staff-handover"])
RequestId = Annotated[int, PathParam(ge=1)]


class AnswerIn(BaseModel):
    text: str = Field(min_length=1, max_length=600)


class CallIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


def _load(session: Session, request_id: int, staff: StaffUser, now: datetime) -> HandoverView:
    try:
        request = handover.get_request(session, request_id)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return handover_view(session, handover.item(session, request, now=now, messages=20), staff, now)


@router.get("", response_model=list[HandoverView], summary="人工队列：请求人工和不满意评价")
def queue(
    staff: CurrentStaff,
    session: SessionDep,
    now: NowDep,
    state: Annotated[Literal["open", "answered", "closed", "all"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[HandoverView]:
    states = ("open", "answered", "closed") if state == "all" else (state,)
    found = handover.queue(session, now=now, states=states, limit=limit)
    return [handover_view(session, item, staff, now) for item in found]


@router.get("/{request_id}", response_model=HandoverView)
def one(request_id: RequestId, staff: CurrentStaff, session: SessionDep, now: NowDep) -> HandoverView:
    return _load(session, request_id, staff, now)


@router.post("/{request_id}/answer", response_model=AnswerView, summary="答复居民：48 小时内客服消息，否则模板消息")
def answer(request_id: RequestId, body: AnswerIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> AnswerView:
    try:
        sent = handover.answer(session=session, request_id=request_id, actor=staff.name, text=body.text, now=now)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except MissingField as exc:
        raise missing(exc.name) from None
    loaded = _load(session, request_id, staff, now)
    return AnswerView(via=sent.via, via_text=handover.VIA_LABELS[sent.via], request=loaded)


@router.post("/{request_id}/call", response_model=AnswerView, summary="记录电话回访")
def call(request_id: RequestId, body: CallIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> AnswerView:
    try:
        handover.call_note(session=session, request_id=request_id, actor=staff.name, note=body.note, now=now)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return AnswerView(via="call", via_text=handover.VIA_LABELS["call"], request=_load(session, request_id, staff, now))


@router.post("/{request_id}/claim", response_model=HandoverView, summary="认领")
def claim(request_id: RequestId, staff: CurrentStaff, session: SessionDep, now: NowDep) -> HandoverView:
    try:
        handover.claim(session=session, request_id=request_id, actor=staff.name, now=now)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return _load(session, request_id, staff, now)


@router.post("/{request_id}/close", response_model=HandoverView, summary="关闭（无需再处理）")
def close(request_id: RequestId, staff: CurrentStaff, session: SessionDep, now: NowDep) -> HandoverView:
    try:
        handover.close_request(session=session, request_id=request_id, actor=staff.name, now=now)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return _load(session, request_id, staff, now)
