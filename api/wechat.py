"""``GET/POST /wechat``: the official account's callback, exactly as WeChat calls it.

The path of one message::

    verify signature + timestamp ─ 403 ─┐   decrypt + parse ─ 400 ─┐
    claim MsgId ── retry? wait for the first attempt's reply (or "success")
    dispatch (download the photo first) ── done within the budget? passive reply (encrypted like the request)
                                        └─ not done: "success" now, the answers as customer-service messages
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import PlainTextResponse

from api.deps import get_services
from bot.channels.official_account import CallbackParams, coalesce
from bot.errors import BadSignature, MalformedMessage, StaleRequest
from bot.push import WeChatApiError
from bot.types import ImageMessage, Kind, NewsMessage, Outgoing, Photo, TextMessage, Update

log = logging.getLogger(__name__)
router = APIRouter(tags=["wechat"])
SUCCESS = "success"
EXTRA_DELAY = 0.5  # seconds between the passive reply and the customer-service messages that follow it


async def callback_params(
    signature: Annotated[str, Query()] = "",
    timestamp: Annotated[str, Query()] = "",
    nonce: Annotated[str, Query()] = "",
    encrypt_type: Annotated[str, Query()] = "",
    msg_signature: Annotated[str, Query()] = "",
) -> CallbackParams:
    return CallbackParams(signature=signature, timestamp=timestamp, nonce=nonce, encrypt_type=encrypt_type,
                          msg_signature=msg_signature)


ParamsDep = Annotated[CallbackParams, Depends(callback_params)]


@router.get("/wechat", response_class=PlainTextResponse)
async def verify_url(params: ParamsDep, request: Request, echostr: str = "") -> Response:
    services = get_services(request)
    try:
        return PlainTextResponse(services.oa_channel.verify_url(params, echostr))
    except (BadSignature, StaleRequest) as exc:
        services.metrics.rejected.labels(type(exc).__name__).inc()
        return PlainTextResponse("invalid signature", status_code=403)


@router.post("/wechat", response_class=PlainTextResponse)
async def receive(params: ParamsDep, request: Request) -> Response:
    services = get_services(request)
    started = time.perf_counter()
    try:
        body = await _read_limited(request, services.settings.max_body_bytes)
        inbound = services.oa_channel.read(body, params)
    except (BadSignature, StaleRequest) as exc:
        services.metrics.rejected.labels(type(exc).__name__).inc()
        log.warning("refused callback: %s", exc)
        return PlainTextResponse("invalid signature", status_code=403)
    except MalformedMessage as exc:
        services.metrics.rejected.labels("MalformedMessage").inc()
        log.warning("malformed callback: %s", exc)
        return PlainTextResponse("malformed message", status_code=400)

    update = inbound.update
    services.metrics.updates.labels(update.kind.value, update.channel.value).inc()
    key = update.dedupe_key
    if not await services.replies.claim(key):
        cached = await services.replies.wait(key, services.settings.reply_budget_seconds)
        services.metrics.retries.inc()
        return _answer(services, cached or SUCCESS, params)

    task = asyncio.create_task(_handle(services, update))
    done, _ = await asyncio.wait({task}, timeout=services.settings.reply_budget_seconds)
    if task not in done:
        await services.replies.put(key, SUCCESS)
        services.spawn(_deliver_late(services, update, task))
        services.metrics.replies.labels("late").inc()
        return PlainTextResponse(SUCCESS)

    messages = _result(services, task)
    if not messages:
        reply = SUCCESS
    else:
        reply = services.oa_channel.render_reply(messages[0], to_user=update.resident_id,
                                                 from_user=inbound.account_id)
        services.metrics.replies.labels("passive").inc()
        if len(messages) > 1:
            # After the passive reply has reached the phone, so the resident reads them in order.
            services.spawn(send_custom(services, update.resident_id, messages[1:], after=EXTRA_DELAY))
    await services.replies.put(key, reply)
    services.metrics.latency.labels(update.channel.value).observe(time.perf_counter() - started)
    return _answer(services, reply, params)


def _answer(services: Any, reply: str, params: CallbackParams) -> Response:
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


async def _handle(services: Any, update: Update) -> list[Outgoing]:
    if update.kind is Kind.IMAGE:
        update = await _with_photo(services, update)
    messages: list[Outgoing] = await services.dispatcher.feed_update(update)
    return coalesce(messages)


async def _with_photo(services: Any, update: Update) -> Update:
    """Download the photo at once: WeChat's media ids expire after three days."""
    media_id = update.raw.get("MediaId", "")
    try:
        content, _ = await services.oa_api.get_media(media_id)
    except (WeChatApiError, OSError) as exc:
        services.metrics.errors.labels("media_download").inc()
        log.warning("could not download photo %s of %s: %s", media_id, update.resident_id, exc)
        return update
    return dataclasses.replace(update, photo=Photo(content=content, media_id=media_id,
                                                   url=update.raw.get("PicUrl", "")))


def _result(services: Any, task: asyncio.Task[list[Outgoing]]) -> list[Outgoing]:
    if task.exception() is not None:
        services.metrics.errors.labels("dispatch").inc()
        log.error("handling failed", exc_info=task.exception())
        return []
    return task.result()


async def _deliver_late(services: Any, update: Update, task: asyncio.Task[list[Outgoing]]) -> None:
    """The handler outran the 5-second budget: its answers go out as customer-service messages."""
    await asyncio.wait({task})
    messages = _result(services, task)
    if messages:
        await send_custom(services, update.resident_id, messages)


async def send_custom(services: Any, openid: str, messages: list[Outgoing], *, after: float = 0.0) -> None:
    """Send messages beyond the passive reply (WeChat allows 5 per resident message within 48 h)."""
    if after:
        await asyncio.sleep(after)
    for message in messages:
        try:
            if isinstance(message, TextMessage):
                await services.oa_api.send_custom_text(openid, message.text)
            elif isinstance(message, ImageMessage):
                await services.oa_api.send_custom_image(openid, message.media_id)
            elif isinstance(message, NewsMessage):
                await services.oa_api.send_custom_news(openid, [
                    {"title": a.title, "description": a.description, "url": a.url, "picurl": a.image_url}
                    for a in message.articles
                ])
            services.metrics.replies.labels("custom").inc()
        except WeChatApiError as exc:
            services.metrics.errors.labels(f"custom_send_{exc.errcode}").inc()
            log.warning("customer-service message to %s failed: %s", openid, exc)
