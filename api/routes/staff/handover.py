"""The hand-over queue (``/api/staff/handover``): residents waiting for a person, and staff's answers.

Centre staff only. A resident is shown as the role allows: agents see a masked phone (also inside message
texts) and nothing of a confidential resident's identity; admins see everything.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.deps import CurrentStaff, NowDep, SessionDep
from api.routes.staff.case_actions import missing
from api.routes.staff.case_schemas import CaseSummary
from api.routes.staff.cases import shown_time, summaries
from cases import handover
from cases.errors import MissingField
from cases.models import Resident, StaffUser
from cases.roles import ADMIN
from cases.vocabulary import mask_phone

router = APIRouter(prefix="/api/staff/handover", tags=["staff-handover"])
RequestId = Annotated[int, PathParam(ge=1)]
CHANNELS = {"oa": "公众号", "mp": "小程序"}
DIRECTIONS = {"in": "居民", "bot": "机器人", "staff": "工作人员"}


class WhoOut(BaseModel):
    label: str  # 公众号居民 …a1b2
    channel: str
    channel_text: str
    phone: str | None
    hidden: bool
    last_seen: str | None
    in_window: bool  # a customer-service message can still reach them (48 h)


class MessageOut(BaseModel):
    direction: str
    direction_text: str
    via: str
    via_text: str
    text: str
    actor: str | None
    time: str | None


class HandoverOut(BaseModel):
    id: int
    reason: str
    reason_text: str
    state: str
    state_text: str
    text: str
    assignee: str | None
    created_at: str | None
    answered_at: str | None
    resident: WhoOut
    case: CaseSummary | None
    open_cases: list[CaseSummary]
    messages: list[MessageOut]
    answer_via: str  # how an answer would go now: custom | template | subscribe
    answer_via_text: str


class AnswerIn(BaseModel):
    text: str = Field(min_length=1, max_length=600)


class CallIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


class AnswerOut(BaseModel):
    via: str
    via_text: str
    request: HandoverOut


def _who(resident: Resident, staff: StaffUser, in_window: bool) -> WhoOut:
    hidden = resident.confidential and staff.role != ADMIN
    tail = resident.openid[-4:] if not hidden else "****"
    phone = None if hidden else (resident.phone if staff.role == ADMIN else mask_phone(resident.phone))
    return WhoOut(label=f"{CHANNELS.get(resident.channel, resident.channel)}居民 …{tail}", channel=resident.channel,
                  channel_text=CHANNELS.get(resident.channel, resident.channel), phone=phone, hidden=hidden,
                  last_seen=shown_time(resident.last_seen), in_window=in_window)


def _text(text: str, staff: StaffUser) -> str:
    return text if staff.role == ADMIN else handover.mask_phones_in(text)


def _out(session: Session, found: handover.QueueItem, staff: StaffUser, now: NowDep) -> HandoverOut:
    request = found.request
    via = "custom" if found.in_window else ("subscribe" if found.resident.channel == "mp" else "template")
    return HandoverOut(
        id=request.id or 0,
        reason=request.reason,
        reason_text=handover.REASON_LABELS.get(request.reason, request.reason),
        state=request.state,
        state_text=handover.STATE_LABELS.get(request.state, request.state),
        text=_text(request.text, staff),
        assignee=request.assignee,
        created_at=shown_time(request.created_at),
        answered_at=shown_time(request.answered_at),
        resident=_who(found.resident, staff, found.in_window),
        case=summaries(session, [found.case], staff, now)[0] if found.case is not None else None,
        open_cases=summaries(session, found.open_cases, staff, now),
        messages=[
            MessageOut(direction=m.direction, direction_text=DIRECTIONS.get(m.direction, m.direction), via=m.via,
                       via_text=handover.VIA_LABELS.get(m.via, ""), text=_text(m.text, staff), actor=m.actor,
                       time=shown_time(m.created_at))
            for m in found.messages
        ],
        answer_via=via,
        answer_via_text=handover.VIA_LABELS[via] + ("（48 小时内）" if found.in_window else "（已超过 48 小时）"),
    )


def _load(session: Session, request_id: int, staff: StaffUser, now: NowDep) -> HandoverOut:
    try:
        request = handover.get_request(session, request_id)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return _out(session, handover.item(session, request, now=now, messages=20), staff, now)


@router.get("", response_model=list[HandoverOut], summary="人工队列：请求人工和不满意评价")
def queue(
    staff: CurrentStaff,
    session: SessionDep,
    now: NowDep,
    state: Annotated[Literal["open", "answered", "closed", "all"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> list[HandoverOut]:
    states = ("open", "answered", "closed") if state == "all" else (state,)
    return [_out(session, found, staff, now) for found in handover.queue(session, now=now, states=states, limit=limit)]


@router.get("/{request_id}", response_model=HandoverOut)
def one(request_id: RequestId, staff: CurrentStaff, session: SessionDep, now: NowDep) -> HandoverOut:
    return _load(session, request_id, staff, now)


@router.post("/{request_id}/answer", response_model=AnswerOut, summary="答复居民：48 小时内客服消息，否则模板消息")
def answer(request_id: RequestId, body: AnswerIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> AnswerOut:
    try:
        sent = handover.answer(session=session, request_id=request_id, actor=staff.name, text=body.text, now=now)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    except MissingField as exc:
        raise missing(exc.name) from None
    loaded = _load(session, request_id, staff, now)
    return AnswerOut(via=sent.via, via_text=handover.VIA_LABELS[sent.via], request=loaded)


@router.post("/{request_id}/call", response_model=AnswerOut, summary="记录电话回访")
def call(request_id: RequestId, body: CallIn, staff: CurrentStaff, session: SessionDep, now: NowDep) -> AnswerOut:
    try:
        handover.call_note(session=session, request_id=request_id, actor=staff.name, note=body.note, now=now)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return AnswerOut(via="call", via_text=handover.VIA_LABELS["call"], request=_load(session, request_id, staff, now))


@router.post("/{request_id}/claim", response_model=HandoverOut, summary="认领")
def claim(request_id: RequestId, staff: CurrentStaff, session: SessionDep, now: NowDep) -> HandoverOut:
    try:
        handover.claim(session=session, request_id=request_id, actor=staff.name, now=now)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return _load(session, request_id, staff, now)


@router.post("/{request_id}/close", response_model=HandoverOut, summary="关闭（无需再处理）")
def close(request_id: RequestId, staff: CurrentStaff, session: SessionDep, now: NowDep) -> HandoverOut:
    try:
        handover.close_request(session=session, request_id=request_id, actor=staff.name, now=now)
    except handover.HandoverNotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from None
    return _load(session, request_id, staff, now)
