"""Staff API for other systems: API keys and webhook endpoints (administrators, a test event included),
and cases counted by intake channel. Webhooks that could not be delivered: :mod:`api.routes.staff.hook_letters`."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.deps import AdminStaff, CurrentStaff, NowDep, ServicesDep, SessionDep
from api.hooks import post_signed
from cases.channel_queries import count_by_channel
from cases.channels import IntakeChannel
from cases.clients import ApiClient, ClientError, issue_key, list_clients, revoke
from cases.webhooks import (
    EVENT_TYPES,
    EndpointError,
    WebhookEndpoint,
    create_endpoint,
    delete_endpoint,
    list_endpoints,
    ping_event,
    set_active,
)

router = APIRouter(prefix="/api/staff", tags=["staff-integration"])

CLIENT_ERRORS = {"name_taken": "名称已被使用", "bad_channel": "未知的渠道", "bad_rate": "限额须在 1–100000 次/分钟之间",
                 "bad_name": "名称不能为空，且不超过 64 个字"}
ENDPOINT_ERRORS = {"name_taken": "名称已被使用", "bad_url": "地址须以 http:// 或 https:// 开头",
                   "bad_event": f"事件只能是 {'、'.join(EVENT_TYPES)}", "bad_name": "名称不能为空，且不超过 64 个字"}


Now = NowDep  # the services' one clock


class ClientIn(BaseModel):
    name: str = Field(max_length=64)
    channel: IntakeChannel
    rate_per_minute: int = Field(default=60, ge=1, le=100_000)


class ClientOut(BaseModel):
    id: int
    name: str
    channel: str
    channel_text: str
    key_prefix: str
    rate_per_minute: int
    active: bool
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    key: str | None = None  # only in the answer that created it

    @classmethod
    def of(cls, client: ApiClient, key: str | None = None) -> ClientOut:
        return cls(id=client.id or 0, name=client.name, channel=client.channel,
                   channel_text=IntakeChannel(client.channel).label, key_prefix=client.key_prefix,
                   rate_per_minute=client.rate_per_minute, active=client.active, created_by=client.created_by,
                   created_at=client.created_at, last_used_at=client.last_used_at, key=key)


class EndpointIn(BaseModel):
    name: str = Field(max_length=64)
    url: str = Field(max_length=512)
    events: list[str] = Field(default_factory=list, description="空表示全部事件")


class EndpointOut(BaseModel):
    id: int
    name: str
    key_id: str
    url: str
    events: list[str]
    active: bool
    created_at: datetime
    secret: str | None = None  # only in the answer that created it

    @classmethod
    def of(cls, endpoint: WebhookEndpoint, secret: str | None = None) -> EndpointOut:
        return cls(id=endpoint.id or 0, name=endpoint.name, key_id=endpoint.key_id, url=endpoint.url,
                   events=list(endpoint.events), active=endpoint.active, created_at=endpoint.created_at,
                   secret=secret)


class ActiveIn(BaseModel):
    active: bool


class PingOut(BaseModel):
    ok: bool
    code: int | None  # the endpoint's HTTP status, when it answered
    error: str | None


class ChannelCount(BaseModel):
    channel: str
    channel_text: str
    cases: int


@router.get("/api-clients", response_model=list[ClientOut])
def clients(admin: AdminStaff, session: SessionDep) -> list[ClientOut]:
    return [ClientOut.of(c) for c in list_clients(session)]


@router.post("/api-clients", response_model=ClientOut, status_code=status.HTTP_201_CREATED)
def add_client(body: ClientIn, admin: AdminStaff, session: SessionDep, now: Now) -> ClientOut:
    """A new API key for another system; the key is in this answer only (only its hash is kept)."""
    try:
        issued = issue_key(session, name=body.name, channel=body.channel.value, rate_per_minute=body.rate_per_minute,
                           actor=admin.name, now=now)
    except ClientError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, CLIENT_ERRORS.get(exc.reason, exc.reason)) from None
    return ClientOut.of(issued.client, key=issued.key)


@router.post("/api-clients/{client_id}/revoke", response_model=ClientOut)
def revoke_client(client_id: int, admin: AdminStaff, session: SessionDep, now: Now) -> ClientOut:
    client = revoke(session, client_id, now=now)
    if client is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这个接入方")
    return ClientOut.of(client)


@router.get("/webhooks", response_model=list[EndpointOut])
def endpoints(admin: AdminStaff, session: SessionDep) -> list[EndpointOut]:
    return [EndpointOut.of(e) for e in list_endpoints(session)]


@router.post("/webhooks", response_model=EndpointOut, status_code=status.HTTP_201_CREATED)
def add_endpoint(body: EndpointIn, admin: AdminStaff, session: SessionDep, now: Now) -> EndpointOut:
    """A new endpoint; its signing secret is in this answer only."""
    try:
        endpoint = create_endpoint(session, name=body.name, url=body.url, events=body.events, actor=admin.name,
                                   now=now)
    except EndpointError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, ENDPOINT_ERRORS.get(exc.reason, exc.reason)) from None
    return EndpointOut.of(endpoint, secret=endpoint.secret)


@router.post("/webhooks/{endpoint_id}/active", response_model=EndpointOut)
def switch_endpoint(endpoint_id: int, body: ActiveIn, admin: AdminStaff, session: SessionDep) -> EndpointOut:
    endpoint = set_active(session, endpoint_id, body.active)
    if endpoint is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这个接收端")
    return EndpointOut.of(endpoint)


@router.delete("/webhooks/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_endpoint(endpoint_id: int, admin: AdminStaff, session: SessionDep) -> None:
    """Remove an endpoint; the events it was still owed are discarded, its key id stops signing calls."""
    if delete_endpoint(session, endpoint_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这个接收端")


@router.post("/webhooks/{endpoint_id}/test", response_model=PingOut)
async def test_endpoint(endpoint_id: int, admin: AdminStaff, services: ServicesDep, now: Now) -> PingOut:
    """Send one signed ``webhook.ping`` now (not queued, not retried) and say how the endpoint answered."""
    def find() -> WebhookEndpoint | None:
        with Session(services.engine, expire_on_commit=False) as session:
            return session.get(WebhookEndpoint, endpoint_id)

    endpoint = await asyncio.to_thread(find)
    if endpoint is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "没有这个接收端")
    outcome = await post_signed(services.hooks_http, endpoint, ping_event(endpoint, actor=admin.name, now=now),
                                delivery="test")
    return PingOut(ok=outcome.state == "sent", code=outcome.code, error=outcome.error or None)


@router.get("/stats/channels", response_model=list[ChannelCount])
def channel_counts(
    staff: CurrentStaff, session: SessionDep, now: Now, since: datetime | None = None,
    until: datetime | None = None,
) -> list[ChannelCount]:
    """Cases filed per intake channel in [since, until) (default: the last 7 days), every channel listed."""
    until = until or now
    since = since or until - timedelta(days=7)
    counts = count_by_channel(session, since=since, until=until)
    return [ChannelCount(channel=c.value, channel_text=c.label, cases=counts.get(c.value, 0)) for c in IntakeChannel]
