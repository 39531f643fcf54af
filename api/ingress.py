"""One way in for both channels: claim the message, dispatch it, answer it, keep the answer for retries.

    /wechat (official account) ─┐                        ┌─ passive reply ≤ budget, the rest as customer-service
                                ├─ claim ─ dispatch ─────┤  messages; past the budget "success" now, answers later
    /api/mp/chat (mini-program) ┘   │                    └─ every answer in the response (no later channel)
                            retry? the first attempt's answer (waited for up to the budget)

The channel's adapter (``bot/channels``) reads the request into an :class:`~bot.types.Update` and completes
it (the official account downloads the photo); a :class:`Replies` per channel renders the answer.

Redis away (the claim, the lock or the dialog state cannot be reached): the message is not handled — a
retry could otherwise be handled twice — and the resident gets the polite ``system.busy`` reply in the
channel's own form, never a 500 (WeChat would show "该公众号暂时无法提供服务").
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

from api.services import Services
from bot.errors import MediaUnavailable
from bot.types import Outgoing, TextMessage, Update

log = logging.getLogger(__name__)


class Replies(Protocol):
    """How one channel answers: the reply text kept for retries, and what happens past the budget."""

    unanswered: str  # what a retry gets when the first attempt has no answer yet
    waits: bool  # True: no later channel; the request waits for the answer however long it takes

    async def complete(self, update: Update) -> Update: ...

    def answer(self, update: Update, messages: list[Outgoing]) -> str: ...

    async def deliver_late(self, update: Update, messages: list[Outgoing]) -> None: ...


async def receive(services: Services, update: Update, replies: Replies) -> str:
    """Handle ``update`` once however often it arrives; the reply text for this request."""
    started = time.perf_counter()
    services.metrics.updates.labels(update.kind.value, update.channel.value).inc()
    key = update.dedupe_key
    budget = services.settings.reply_budget_seconds
    try:
        if not await services.replies.claim(key):
            services.metrics.retries.inc()
            cached = await services.replies.wait(key, budget)
            return cached if cached is not None else replies.unanswered
    except services.store_errors as exc:
        services.metrics.errors.labels("reply_cache").inc()
        log.warning("retry cache unavailable, message %s not handled: %s", key, exc)
        return replies.answer(update, [await _apology(services)])

    task = asyncio.create_task(_dispatch(services, update, replies))
    done, _ = await asyncio.wait({task}, timeout=None if replies.waits else budget)
    if task not in done:
        await _remember(services, key, replies.unanswered)
        services.spawn(_late(services, update, task, replies))
        services.metrics.replies.labels("late").inc()
        return replies.unanswered
    messages = _result(services, task)
    if task.exception() is not None:  # the dispatcher could not reach its own error handler (lock, state)
        messages = [await _apology(services)]
    reply = replies.answer(update, messages)
    await _remember(services, key, reply)
    services.metrics.latency.labels(update.channel.value).observe(time.perf_counter() - started)
    return reply


async def _apology(services: Services) -> Outgoing:
    services.metrics.replies.labels("apology").inc()
    return TextMessage(await asyncio.to_thread(services.templates.render, "system.busy"))


async def _remember(services: Services, key: str, reply: str) -> None:
    """Keep the reply for retries; if the cache is away, a retry just gets the channel's "unanswered"."""
    try:
        await services.replies.put(key, reply)
    except services.store_errors as exc:
        services.metrics.errors.labels("reply_cache").inc()
        log.warning("could not keep the reply to %s for retries: %s", key, exc)


async def _dispatch(services: Services, update: Update, replies: Replies) -> list[Outgoing]:
    try:
        update = await replies.complete(update)
    except MediaUnavailable as exc:
        services.metrics.errors.labels("media_download").inc()
        log.warning("could not download the photo of %s: %s", update.resident_id, exc)
    return await services.dispatcher.feed_update(update)


def _result(services: Services, task: asyncio.Task[list[Outgoing]]) -> list[Outgoing]:
    if task.exception() is not None:
        services.metrics.errors.labels("dispatch").inc()
        log.error("handling failed", exc_info=task.exception())
        return []
    return task.result()


async def _late(services: Services, update: Update, task: asyncio.Task[list[Outgoing]], replies: Replies) -> None:
    """The handler outran the budget: its answers go out by the channel's later path."""
    await asyncio.wait({task})
    messages = _result(services, task)
    if task.exception() is not None:
        messages = [await _apology(services)]
    if messages:
        await replies.deliver_late(update, messages)
