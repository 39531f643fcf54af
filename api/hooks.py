"""Signed webhooks: how the worker carries a ``kind="webhook"`` outbox row to the centre's platform.

Each attempt signs the exact body bytes with a fresh timestamp (``X-Gongzhi-Timestamp``,
``X-Gongzhi-Signature: sha256=…``, see :mod:`cases.signing`) and names the event in ``Idempotency-Key``.
A 2xx answer is a delivery; 410 Gone, or an endpoint that was removed or switched off, dead-letters the
row at once; anything else (other statuses, timeouts, refused connections) is retried with the outbox's
backoff until its attempts run out. A ``webhook.ping`` (the console's 发送测试事件) takes the same path once,
straight from the request, outside the outbox.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.courier import Outcome
from cases.models import OutboxMessage
from cases.signing import sign
from cases.webhooks import WebhookEndpoint

USER_AGENT = "Gongzhi-Intake-Webhooks/1"


def encode(event: dict[str, Any]) -> bytes:
    """An event's JSON body, as signed and sent (UTF-8, no spaces, keys in order)."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def signed_headers(*, event_type: str, delivery: str, event_id: str, secret: str, body: bytes,
                   timestamp: int) -> dict[str, str]:
    return {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Gongzhi-Event": event_type,
        "X-Gongzhi-Delivery": delivery,
        "Idempotency-Key": event_id,
        "X-Gongzhi-Timestamp": str(timestamp),
        "X-Gongzhi-Signature": sign(secret, timestamp, body),
    }


async def post_signed(http: httpx.AsyncClient, endpoint: WebhookEndpoint, event: dict[str, Any], *,
                      delivery: str) -> Outcome:
    """One signed attempt (``code``: the HTTP status, when there was an answer)."""
    body = encode(event)
    headers = signed_headers(event_type=str(event.get("type", "")), delivery=delivery,
                             event_id=str(event.get("id", "")), secret=endpoint.secret, body=body,
                             timestamp=int(time.time()))
    try:
        response = await http.post(endpoint.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome("retry", error=f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Outcome("sent", via="webhook", code=response.status_code)
    text = f"HTTP {response.status_code}: {response.text[:200]}"
    return Outcome("dead" if response.status_code == 410 else "retry", code=response.status_code, error=text)


def _endpoint(engine: Engine, endpoint_id: int | None) -> WebhookEndpoint | None:
    if endpoint_id is None:
        return None
    with Session(engine, expire_on_commit=False) as session:
        return session.get(WebhookEndpoint, endpoint_id)


@dataclass
class HookCourier:
    """Posts webhook rows; reads each row's endpoint (URL and secret) at the moment of sending."""

    engine: Engine
    http: httpx.AsyncClient

    async def deliver(self, row: OutboxMessage) -> Outcome:
        """The outcome of one attempt (``code``: the HTTP status, when there was an answer)."""
        endpoint = await asyncio.to_thread(_endpoint, self.engine, row.endpoint_id)
        if endpoint is None or not endpoint.active:
            return Outcome("dead", error="接收端已删除或停用")
        return await post_signed(self.http, endpoint, row.variables, delivery=str(row.id))
