"""``GET/POST /wechat``: the official account's callback, exactly as WeChat calls it.

The path of one message::

    verify signature + timestamp ─ 403 ─┐   decrypt + parse ─ 400 ─┐
    the one ingress (api.ingress): claim MsgId ── retry? the first attempt's reply (or "success")
    dispatch (the adapter downloads the photo first) ── done within the budget? passive reply (encrypted
    like the request), the rest as customer-service messages; not done: "success" now, the answers later
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import PlainTextResponse

from api.deps import ServicesDep
from api.ingress import receive
from api.services import Services
from bot.channels.official_account import CallbackParams, Inbound, coalesce
from bot.errors import BadSignature, MalformedMessage, StaleRequest
from bot.push import WeChatApiError
from bot.types import Outgoing, Update

log = logging.getLogger(__name__)
router = APIRouter(tags=["wechat"])
SUCCESS = "success"
EXTRA_DELAY = 0.5  # seconds between the passive reply and the customer-service messages that follow it


QUERY = ("signature", "timestamp", "nonce", "encrypt_type", "msg_signature")
# Both routes document the query WeChat adds; it is read in one step, as FastAPI's validation of five
# declared parameters cost more per message than decrypting it.
QUERY_DOCS = {"parameters": [{"name": name, "in": "query", "required": False,
                              "schema": {"type": "string", "default": ""}} for name in QUERY]}


async def callback_params(request: Request) -> CallbackParams:
    query = request.query_params
    return CallbackParams(**{name: query.get(name, "") for name in QUERY})


ParamsDep = Annotated[CallbackParams, Depends(callback_params)]


@router.get("/wechat", response_class=PlainTextResponse, openapi_extra=QUERY_DOCS)
async def verify_url(params: ParamsDep, services: ServicesDep, echostr: str = "") -> Response:
    try:
        return PlainTextResponse(services.oa_channel.verify_url(params, echostr, now=services.clock().timestamp()))
    except (BadSignature, StaleRequest) as exc:
        services.metrics.rejected.labels(type(exc).__name__).inc()
        return PlainTextResponse("invalid signature", status_code=403)


@router.post("/wechat", response_class=PlainTextResponse, openapi_extra=QUERY_DOCS)
async def callback(params: ParamsDep, request: Request, services: ServicesDep) -> Response:
    try:
        body = await _read_limited(request, services.settings.max_body_bytes)
        inbound = services.oa_channel.read(body, params, now=services.clock().timestamp())
    except (BadSignature, StaleRequest) as exc:
        services.metrics.rejected.labels(type(exc).__name__).inc()
        log.warning("refused callback: %s", exc)
        return PlainTextResponse("invalid signature", status_code=403)
    except MalformedMessage as exc:
        services.metrics.rejected.labels("MalformedMessage").inc()
        log.warning("malformed callback: %s", exc)
        return PlainTextResponse("malformed message", status_code=400)
    # Plaintext mode signs the query, not the body: a captured nonce must not carry another message. In
    # safe mode msg_signature covers the ciphertext too, so a captured query is worth nothing elsewhere.
    fresh = True
    if not params.encrypted:
        with suppress(*services.store_errors):  # the claim meets the same outage and the resident is answered politely
            fresh = await services.replies.bind_nonce(f"{params.timestamp}:{params.nonce}",
                                                      inbound.update.dedupe_key)
    if not fresh:
        services.metrics.rejected.labels("ReplayedNonce").inc()
        log.warning("refused callback: nonce %s re-used with another message", params.nonce)
        return PlainTextResponse("invalid signature", status_code=403)
    reply = await receive(services, inbound.update, OfficialAccountReplies(services, inbound))
    if reply == SUCCESS:
        return PlainTextResponse(SUCCESS)
    return Response(services.oa_channel.seal(reply, params), media_type="application/xml")


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise MalformedMessage(f"body of {declared} bytes exceeds {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise MalformedMessage(f"body exceeds {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass
class OfficialAccountReplies:
    """The official account answers one message passively; everything else goes as customer-service messages."""

    services: Services
    inbound: Inbound
    unanswered: str = SUCCESS
    waits: bool = False

    async def complete(self, update: Update) -> Update:
        return await self.services.oa_channel.with_photo(update)

    def answer(self, update: Update, messages: list[Outgoing]) -> str:
        joined = coalesce(messages)
        if not joined:
            return SUCCESS
        self.services.metrics.replies.labels("passive").inc()
        if len(joined) > 1:
            # After the passive reply has reached the phone, so the resident reads them in order.
            self.services.spawn(send_custom(self.services, update.resident_id, joined[1:], after=EXTRA_DELAY))
        return self.services.oa_channel.render_reply(joined[0], to_user=update.resident_id,
                                                     from_user=self.inbound.account_id,
                                                     now=int(self.services.clock().timestamp()))

    async def deliver_late(self, update: Update, messages: list[Outgoing]) -> None:
        await send_custom(self.services, update.resident_id, coalesce(messages))


async def send_custom(services: Services, openid: str, messages: list[Outgoing], *, after: float = 0.0) -> None:
    """Send messages beyond the passive reply (WeChat allows 5 per resident message within 48 h)."""
    if after:
        await asyncio.sleep(after)
    for message in messages:
        try:
            await services.oa_channel.send(openid, message)
            services.metrics.replies.labels("custom").inc()
        except WeChatApiError as exc:
            services.metrics.errors.labels(f"custom_send_{exc.errcode}").inc()
            log.warning("customer-service message to %s failed: %s", openid, exc)
