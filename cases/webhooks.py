"""Webhook endpoints: the centre's system of record hears of every new case, status change and rating.

An event becomes one outbox row per subscribed endpoint (``kind="webhook"``), written in the same
transaction as the change it reports, so a rolled-back change sends nothing and a committed one is
delivered at least once (the worker signs and posts it, retries with backoff, dead-letters at the end).
Every event carries a unique ``id``, also sent as the ``Idempotency-Key`` header: a receiver that stores
the ids it has handled sees each event exactly once, whatever the retries.

The endpoint's secret signs outbound bodies and verifies the platform's inbound status calls
(:mod:`cases.inbound`); it is shown to administrators, so it is stored as is.
"""

import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from cases.clock import utc
from cases.errors import CaseError
from cases.models import STATUS_LABELS, Case, OutboxMessage
from cases.outbox import discard, enqueue

EVENT_TYPES: tuple[str, ...] = ("case.created", "case.status_changed", "case.rated")
PING = "webhook.ping"  # a test event an administrator sends by hand; whatever the endpoint subscribes to


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    key_id: str = Field(max_length=32, unique=True)  # names the endpoint in inbound calls (public)
    url: str = Field(max_length=512)
    secret: str = Field(max_length=128)
    events: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))  # [] = all
    active: bool = True
    created_by: str = Field(max_length=64)
    created_at: datetime


class EndpointError(CaseError):
    """An endpoint cannot be created as asked: ``bad_name``, ``bad_url``, ``bad_event`` or ``name_taken``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def create_endpoint(
    session: Session, *, name: str, url: str, events: list[str], actor: str, now: datetime
) -> WebhookEndpoint:
    """A new endpoint with a fresh secret and key id. Commits."""
    name, url = name.strip(), url.strip()
    if not name or len(name) > 64:
        raise EndpointError("bad_name")
    if not url.startswith(("http://", "https://")) or len(url) > 512:
        raise EndpointError("bad_url")
    if any(event not in EVENT_TYPES for event in events):
        raise EndpointError("bad_event")
    endpoint = WebhookEndpoint(
        name=name,
        key_id="wh_" + secrets.token_hex(8),
        url=url,
        secret=secrets.token_urlsafe(32),
        events=sorted(set(events)),
        created_by=actor,
        created_at=utc(now),
    )
    session.add(endpoint)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise EndpointError("name_taken") from None
    session.refresh(endpoint)
    return endpoint


def set_active(session: Session, endpoint_id: int, active: bool) -> WebhookEndpoint | None:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is not None:
        endpoint.active = active
        session.add(endpoint)
        session.commit()
    return endpoint


def delete_endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint | None:
    """Remove an endpoint; what it was still owed (queued, dead-lettered) is discarded. Commits."""
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return None
    owed = session.exec(select(OutboxMessage.id).where(OutboxMessage.endpoint_id == endpoint_id)
                        .where(col(OutboxMessage.kind) == "webhook")).all()
    discard(session, [i for i in owed if i is not None], kind="webhook", states=("pending", "dead", "held"))
    session.delete(endpoint)
    session.commit()
    return endpoint


def backlog(session: Session) -> dict[int | None, dict[str, int]]:
    """Per endpoint id: its webhook rows still waiting to be retried (``retrying``) and dead-lettered."""
    rows = session.exec(
        select(OutboxMessage.endpoint_id, OutboxMessage.state, func.count())
        .where(col(OutboxMessage.kind) == "webhook")
        .where(col(OutboxMessage.state).in_(("pending", "dead")))
        .where(col(OutboxMessage.attempts) > 0)
        .group_by(col(OutboxMessage.endpoint_id), col(OutboxMessage.state))
    ).all()
    out: dict[int | None, dict[str, int]] = {}
    for endpoint_id, state, count in rows:
        counts = out.setdefault(endpoint_id, {"retrying": 0, "dead": 0})
        counts["dead" if state == "dead" else "retrying"] += int(count)
    return out


def list_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.exec(select(WebhookEndpoint).order_by(col(WebhookEndpoint.id))).all())


def endpoint_by_key_id(session: Session, key_id: str) -> WebhookEndpoint | None:
    return session.exec(select(WebhookEndpoint).where(WebhookEndpoint.key_id == key_id)).first()


def case_payload(case: Case) -> dict[str, Any]:
    """The case as the system of record receives it (no resident identity: only what staff see)."""
    return {
        "number": case.number,
        "status": case.status,
        "status_text": STATUS_LABELS[case.status],
        "channel": case.intake_channel,
        "appeal_type": case.appeal_type,
        "description": case.description,
        "category": {
            "major_code": case.major_code,
            "major_name": case.major_name,
            "minor_code": case.minor_code,
            "minor_name": case.minor_name,
        },
        "location": {
            "lat": case.lat,
            "lng": case.lng,
            "crs": "gcj02",
            "address": case.address,
            "grid_id": case.grid_id,
            "grid_name": case.grid_name,
            "community": case.community,
            "street": case.street,
        },
        "urgent": case.urgent,
        "department": case.department,
        "due_at": utc(case.due_at).isoformat(),
        "created_at": utc(case.created_at).isoformat(),
        "updated_at": utc(case.updated_at).isoformat(),
    }


def ping_event(endpoint: WebhookEndpoint, *, actor: str, now: datetime) -> dict[str, Any]:
    """A test event for ``endpoint``: signed and sent like the others, about no case."""
    return {
        "id": "evt_" + uuid.uuid4().hex,
        "type": PING,
        "created_at": utc(now).isoformat(),
        "case": None,
        "data": {"endpoint": endpoint.name, "sent_by": actor, "message": "这是一条测试事件，收到即可，无需处理"},
    }


def emit(
    session: Session, *, case: Case, event_type: str, now: datetime, data: dict[str, Any] | None = None
) -> list[OutboxMessage]:
    """Queue ``event_type`` about ``case`` for every active endpoint that wants it (not committed)."""
    assert event_type in EVENT_TYPES
    endpoints = session.exec(select(WebhookEndpoint).where(col(WebhookEndpoint.active).is_(True))).all()
    wanted = [e for e in endpoints if not e.events or event_type in e.events]
    if not wanted:
        return []
    event_id = "evt_" + uuid.uuid4().hex
    body = {
        "id": event_id,
        "type": event_type,
        "created_at": utc(now).isoformat(),
        "case": case_payload(case),
        "data": data or {},
    }
    return [
        enqueue(
            session,
            case_id=case.id,
            openid="",
            channel="hook",
            template_key=event_type,
            variables=body,
            idempotency_key=f"{event_id}@{endpoint.id}",
            now=now,
            kind="webhook",
            endpoint_id=endpoint.id,
        )
        for endpoint in wanted
    ]
