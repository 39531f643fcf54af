"""The outbox worker process loop: passes of :func:`dialogs.outbox.deliver_batch` until ``stop`` is set, with
the due-time reminders every few minutes; in the API process (``intake serve``) or on its own (``intake worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

import httpx
from sqlalchemy.engine import Engine

from api.hooks import HookCourier
from api.metrics import Metrics
from api.settings import Settings
from bot.courier import MP_SUBSCRIBE_IDS, OA_TEMPLATE_IDS, Courier, TemplateRenderer
from bot.push import WeChatApi
from cases.outbox import OutboxPolicy
from cases.rules import CaseRules
from dialogs.outbox import BatchReport, add_due_reminders, deliver_batch

log = logging.getLogger(__name__)


class WorkerParts(Protocol):
    """What the worker needs: the API process's :class:`api.services.Services`, or :class:`WorkerServices`."""

    @property
    def settings(self) -> Settings: ...
    @property
    def engine(self) -> Engine: ...
    @property
    def oa_api(self) -> WeChatApi: ...
    @property
    def mp_api(self) -> WeChatApi: ...
    @property
    def templates(self) -> TemplateRenderer: ...
    @property
    def rules(self) -> CaseRules: ...
    @property
    def metrics(self) -> Metrics: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def hooks_http(self) -> httpx.AsyncClient: ...


def courier_for(services: WorkerParts) -> Courier:
    """The courier of an app's services (``oa_api``, ``mp_api``, ``templates`` built in the lifespan)."""
    settings = services.settings
    return Courier(
        oa_api=services.oa_api,
        mp_api=services.mp_api,
        renderer=services.templates,
        template_ids={**OA_TEMPLATE_IDS, **settings.push_template_ids},
        subscribe_ids={**MP_SUBSCRIBE_IDS, **settings.push_subscribe_ids},
    )


def policy_for(settings: Settings) -> OutboxPolicy:
    return OutboxPolicy(max_attempts=settings.outbox_max_attempts,
                        base_delay_seconds=settings.outbox_retry_base_seconds)


def _count(metrics: Metrics, report: BatchReport) -> None:
    """Feed ``intake_pushes_total{result=…}``."""
    counts = {"sent": report.sent, "held": report.held, "retried": report.retried, "dead": report.dead,
              "skipped": report.skipped}
    for result, count in counts.items():
        if count:
            metrics.pushes.labels(result).inc(count)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def run_worker(
    services: WorkerParts,
    *,
    stop: asyncio.Event,
    worker_id: str | None = None,
    batch: int = 20,
    lease_seconds: float = 120.0,
    reminder_seconds: float = 300.0,
    policy: OutboxPolicy | None = None,
) -> None:
    """Deliver the outbox until ``stop`` is set; add due-time reminders every ``reminder_seconds``.

    Webhook rows go to the centre's platform through a :class:`api.hooks.HookCourier`; the retry policy
    comes from the settings unless given.
    """
    policy = policy or policy_for(services.settings)
    name = worker_id or default_worker_id()
    courier = courier_for(services)
    hooks = HookCourier(engine=services.engine, http=services.hooks_http)
    poll = services.settings.worker_poll_seconds
    rules = services.rules
    loop = asyncio.get_running_loop()
    next_reminders = loop.time()
    log.info("outbox worker %s started", name)
    while not stop.is_set():
        full = False
        try:
            report = await deliver_batch(
                engine=services.engine,
                courier=courier,
                hooks=hooks,
                worker_id=name,
                clock=services.clock,
                limit=batch,
                lease_seconds=lease_seconds,
                policy=policy,
            )
            full = report.claimed >= batch
            _count(services.metrics, report)
            if loop.time() >= next_reminders:
                next_reminders = loop.time() + reminder_seconds
                await asyncio.to_thread(add_due_reminders, services.engine, rules, services.clock())
        except Exception:
            log.exception("outbox worker pass failed; retrying")
            services.metrics.errors.labels("worker").inc()
        if full:
            continue  # more is waiting: no pause
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=poll)
    log.info("outbox worker %s stopped", name)


@dataclass
class WorkerServices:
    """What a stand-alone worker process needs (the API process has these in its Services)."""

    settings: Settings
    engine: Engine
    oa_api: WeChatApi
    mp_api: WeChatApi
    templates: TemplateRenderer
    rules: CaseRules
    metrics: Metrics
    hooks_http: httpx.AsyncClient
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


async def run_standalone(settings: Settings) -> None:
    """``intake worker``: a worker process of its own, stopped by SIGINT / SIGTERM."""
    from redis.asyncio import Redis

    from api.db import make_engine
    from bot.token_cache import MemoryTokenCache, RedisTokenCache, TokenCache
    from reply_templates import Renderer, default_catalog

    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    cache: TokenCache = RedisTokenCache(redis, prefix=settings.redis_prefix) if redis else MemoryTokenCache()
    engine = make_engine(settings.database_url)
    async with httpx.AsyncClient(timeout=10) as http, \
            httpx.AsyncClient(timeout=settings.webhook_timeout_seconds) as hooks_http:
        services = WorkerServices(
            hooks_http=hooks_http,
            settings=settings,
            engine=engine,
            oa_api=WeChatApi(
                base_url=settings.api_base,
                appid=settings.wechat_appid,
                secret=settings.wechat_secret,
                cache=cache,
                http=http,
            ),
            mp_api=WeChatApi(
                base_url=settings.api_base, appid=settings.mp_appid, secret=settings.mp_secret, cache=cache, http=http
            ),
            templates=Renderer(default_catalog(), engine, settings.template_refresh_seconds),
            rules=CaseRules(),
            metrics=Metrics(),
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        try:
            await run_worker(services, stop=stop)
        finally:
            engine.dispose()
            if redis is not None:
                await redis.aclose()
