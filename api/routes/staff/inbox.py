"""What waits for staff: notifications (call-backs, hand-over requests) and pushes that could not be delivered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from api.deps import AdminStaff, CurrentStaff, NowDep, SessionDep
from cases import queries
from cases.clock import LocalTime
from cases.outbox import dead_letters, retry_dead

router = APIRouter(prefix="/api/staff", tags=["staff"])


class NotificationPublic(BaseModel):
    id: int
    kind: str
    number: str | None
    message: str
    time: LocalTime | None
    read: bool


class DeadLetterPublic(BaseModel):
    id: int
    number: str | None
    template_key: str
    channel: str
    recipient: str | None
    attempts: int
    error_code: int | None
    error: str | None
    created_at: LocalTime | None


class RetryPublic(BaseModel):
    id: int
    state: str


@router.get("/notifications", response_model=list[NotificationPublic])
def notifications(staff: CurrentStaff, session: SessionDep, unread_only: bool = True) -> list[NotificationPublic]:
    return [
        NotificationPublic(id=n.id or 0, kind=n.kind, number=number, message=n.message, time=n.created_at,
                           read=n.read_at is not None)
        for n, number in queries.notifications(session, unread_only=unread_only)
    ]


@router.post("/notifications/{notification_id}/read", status_code=status.HTTP_204_NO_CONTENT)
def read_notification(notification_id: int, staff: CurrentStaff, session: SessionDep, now: NowDep) -> None:
    if not queries.mark_read(session, notification_id, now=now):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "通知不存在")


@router.get("/outbox/dead", response_model=list[DeadLetterPublic])
def dead_letter_list(
    staff: CurrentStaff, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[DeadLetterPublic]:
    """Pushes that could not be delivered, with WeChat's error."""
    rows = list(dead_letters(session, limit=limit))
    numbers = queries.numbers_by_id(session, (r.case_id for r in rows))
    return [
        DeadLetterPublic(
            id=r.id or 0, number=numbers.get(r.case_id) if r.case_id else None, template_key=r.template_key,
            channel=r.channel, recipient=r.recipient_openid if staff.role == "admin" else None,
            attempts=r.attempts, error_code=r.last_error_code, error=r.last_error, created_at=r.created_at,
        )
        for r in rows
    ]


@router.post("/outbox/{row_id}/retry", status_code=status.HTTP_202_ACCEPTED, response_model=RetryPublic)
def retry_push(row_id: int, admin: AdminStaff, session: SessionDep, now: NowDep) -> RetryPublic:
    """Queue a dead-lettered (or held) push again."""
    if not retry_dead(session, row_id, now=now, actor=admin.name):
        raise HTTPException(status.HTTP_409_CONFLICT, "该推送不在失败或暂存状态，无需重试")
    return RetryPublic(id=row_id, state="pending")
