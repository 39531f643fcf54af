"""Webhooks that could not be delivered (administrators): the dead letters with their counts, sent again
one by one (``POST /api/staff/outbox/{id}/retry``) or all at once, or given up."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel
from sqlmodel import col, select

from api.deps import AdminStaff, NowDep, SessionDep
from cases.models import Case
from cases.outbox import dead_letters, discard, retry_all_dead
from cases.webhooks import backlog, list_endpoints

router = APIRouter(prefix="/api/staff/webhooks/dead", tags=["staff-integration"])


class HookDeadOut(BaseModel):
    id: int
    endpoint: str | None  # None: the endpoint was removed
    event: str
    event_id: str | None
    number: str | None
    attempts: int
    error_code: int | None
    error: str | None
    created_at: datetime


class EndpointBacklog(BaseModel):
    id: int | None
    name: str | None
    dead: int
    retrying: int  # failed at least once, waiting for the next attempt


class BacklogOut(BaseModel):
    dead: int
    retrying: int
    endpoints: list[EndpointBacklog]


class CountOut(BaseModel):
    count: int


@router.get("", response_model=list[HookDeadOut])
def hook_dead_letters(
    admin: AdminStaff, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> list[HookDeadOut]:
    """Webhooks that could not be delivered, newest first."""
    rows = list(dead_letters(session, limit=limit, kind="webhook"))
    names = {e.id: e.name for e in list_endpoints(session)}
    ids = {r.case_id for r in rows if r.case_id is not None}
    found = session.exec(select(Case.id, Case.number).where(col(Case.id).in_(ids))).all() if ids else []
    numbers = dict(found)
    return [HookDeadOut(id=r.id or 0, endpoint=names.get(r.endpoint_id), event=r.template_key,
                        event_id=(r.variables or {}).get("id"), number=numbers.get(r.case_id),
                        attempts=r.attempts, error_code=r.last_error_code, error=r.last_error,
                        created_at=r.created_at) for r in rows]


@router.get("/summary", response_model=BacklogOut)
def hook_backlog(admin: AdminStaff, session: SessionDep) -> BacklogOut:
    """How many webhooks are dead-lettered and how many are still being retried, per endpoint."""
    counts = backlog(session)
    names = {e.id: e.name for e in list_endpoints(session)}
    endpoints = [EndpointBacklog(id=i, name=names.get(i), dead=c["dead"], retrying=c["retrying"])
                 for i, c in counts.items()]
    endpoints.sort(key=lambda e: (-e.dead, -e.retrying, e.name or ""))
    return BacklogOut(dead=sum(e.dead for e in endpoints), retrying=sum(e.retrying for e in endpoints),
                      endpoints=endpoints)


@router.post("/retry", response_model=CountOut, status_code=status.HTTP_202_ACCEPTED)
def retry_all(admin: AdminStaff, session: SessionDep, now: NowDep) -> CountOut:
    """Queue every dead-lettered webhook again (each from its first attempt)."""
    return CountOut(count=retry_all_dead(session, kind="webhook", now=now, actor=admin.name))


@router.post("/{row_id}/discard", status_code=status.HTTP_204_NO_CONTENT)
def discard_one(row_id: int, admin: AdminStaff, session: SessionDep) -> None:
    """Give up one webhook: it is never sent (the record stays)."""
    if not discard(session, [row_id], kind="webhook"):
        raise HTTPException(status.HTTP_409_CONFLICT, "这条推送已不在失败列表中（可能已重发或已放弃），请刷新")
