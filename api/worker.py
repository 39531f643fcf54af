"""The outbox worker: renders each queued push with the reply templates and sends it through WeChat.

One pass (:func:`deliver_batch`) leases a batch of due rows, then for each row, still holding its lease::

    official account ─▶ template message ──fails──▶ customer-service text (WeChat's 48 h window)
    mini-program     ─▶ subscribe message ──43101 (no subscription)──▶ held: the case page shows it

and records the outcome: sent, held, retried later with backoff (WeChat busy, quota, network), or dead
(visible to staff with WeChat's error). :func:`run_worker` repeats passes until ``stop`` is set and adds
the due-time reminders every few minutes. The delivery guarantee is the outbox's (see
:mod:`cases.outbox`): at least once, and never twice unless the process dies between WeChat's answer and
the commit that records it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.metrics import Metrics
from api.settings import Settings
from bot.push import RETRYABLE_ERRORS, TOKEN_ERRORS, WeChatApi, WeChatApiError
from cases.models import OutboxMessage
from cases.outbox import DEFAULT_POLICY, OutboxPolicy, begin_delivery, claim_batch, mark_failed, mark_held, mark_sent
from cases.queries import add_reminders
from cases.residents import take_subscription
from cases.rules import CaseRules

log = logging.getLogger(__name__)

# WeChat template ids per push key. WeChat assigns them in the official-account / mini-program console;
# the local stand-in accepts any id, so these defaults serve the sandbox and are overridden in production.
OA_TEMPLATE_IDS: dict[str, str] = {
    "report.filed_push": "sandbox-tpl-report-filed",
    "status.changed": "sandbox-tpl-status-changed",
    "rating.ask": "sandbox-tpl-rating-ask",
}
MP_SUBSCRIBE_IDS: dict[str, str] = {
    "report.filed_push": "sandbox-sub-report-filed",
    "status.changed": "sandbox-sub-status-changed",
    "rating.ask": "sandbox-sub-rating-ask",
}
CASE_PAGE = "pages/case/detail?number={number}"
FIELD_MAX = 20
NO_SUBSCRIPTION = 43101
RETRY_LATER = frozenset(RETRYABLE_ERRORS | TOKEN_ERRORS | {45047})  # 45047: 5 messages used, wait for the next


class TemplateRenderer(Protocol):
    """What the worker needs of :class:`reply_templates.Renderer`."""

    def render(self, key: str, **variables: Any) -> str: ...

    def render_fields(self, key: str, **variables: Any) -> dict[str, str]: ...


@dataclass(frozen=True)
class Outcome:
    state: Literal["sent", "held", "retry", "dead"]
    via: str | None = None  # template | custom | subscribe
    template_id: str | None = None
    code: int | None = None
    error: str = ""


def fit(fields: Mapping[str, str]) -> dict[str, str]:
    """Template fields as WeChat takes them: one line, at most 20 characters (cut with an ellipsis)."""
    fitted = {}
    for key, value in fields.items():
        line = " ".join(str(value).split())
        fitted[key] = line if len(line) <= FIELD_MAX else line[: FIELD_MAX - 1] + "…"
    return fitted


def _describe(kind: str, exc: WeChatApiError) -> str:
    return f"{kind} {exc.errcode}: {exc.errmsg}"


@dataclass
class Courier:
    """Carries one outbox row to WeChat; knows the channels, not the database."""

    oa_api: WeChatApi
    mp_api: WeChatApi
    renderer: TemplateRenderer
    template_ids: Mapping[str, str] = field(default_factory=lambda: dict(OA_TEMPLATE_IDS))
    subscribe_ids: Mapping[str, str] = field(default_factory=lambda: dict(MP_SUBSCRIBE_IDS))
    case_page: str = CASE_PAGE

    async def deliver(self, row: OutboxMessage) -> Outcome:
        variables = dict(row.variables or {})
        if row.channel == "mp":
            return await self._mini_program(row, variables)
        return await self._official_account(row, variables)

    async def _official_account(self, row: OutboxMessage, variables: dict[str, Any]) -> Outcome:
        openid, key = row.recipient_openid, row.template_key
        errors: list[tuple[str, WeChatApiError]] = []
        fields = fit(self.renderer.render_fields(key, **variables))
        template_id = self.template_ids.get(key)
        if fields and template_id:
            try:
                await self.oa_api.send_template(openid, template_id, fields)
                return Outcome("sent", via="template")
            except WeChatApiError as exc:
                errors.append(("模板消息", exc))
            except ValueError as exc:  # a field WeChat would refuse (47003)
                errors.append(("模板消息", WeChatApiError(47003, str(exc))))
        try:  # customer-service text: only inside the 48 h window after the resident's last message
            await self.oa_api.send_custom_text(openid, self.renderer.render(key, **variables))
            return Outcome("sent", via="custom")
        except WeChatApiError as exc:
            errors.append(("客服消息", exc))
        text = "；".join(_describe(kind, exc) for kind, exc in errors)
        retryable = [exc for _kind, exc in errors if exc.errcode in RETRY_LATER]
        if retryable:
            return Outcome("retry", code=retryable[0].errcode, error=text)
        return Outcome("dead", code=errors[0][1].errcode, error=text)

    async def _mini_program(self, row: OutboxMessage, variables: dict[str, Any]) -> Outcome:
        key = row.template_key
        template_id = self.subscribe_ids.get(key)
        fields = fit(self.renderer.render_fields(key, **variables))
        if not template_id or not fields:
            return Outcome("held", error=f"{key} 没有小程序订阅消息模板，居民可在工单页查看")
        page = self.case_page.format(number=variables.get("number", ""))
        try:
            await self.mp_api.send_subscribe(row.recipient_openid, template_id, fields, page=page)
            return Outcome("sent", via="subscribe", template_id=template_id)
        except WeChatApiError as exc:
            if exc.errcode == NO_SUBSCRIPTION:
                return Outcome(
                    "held", code=exc.errcode, error=_describe("订阅消息", exc) + "（居民未订阅，工单页可见）"
                )
            state: Literal["retry", "dead"] = "retry" if exc.errcode in RETRY_LATER else "dead"
            return Outcome(state, code=exc.errcode, error=_describe("订阅消息", exc))


@dataclass
class BatchReport:
    claimed: int = 0
    sent: int = 0
    held: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0  # lease lost before sending: another worker has the row


def _claim(engine: Engine, worker_id: str, limit: int, lease_seconds: float, now: datetime) -> list[OutboxMessage]:
    with Session(engine, expire_on_commit=False) as session:
        return claim_batch(session, worker_id=worker_id, limit=limit, lease_seconds=lease_seconds, now=now)


def _begin(engine: Engine, row: OutboxMessage, worker_id: str, now: datetime) -> bool:
    with Session(engine, expire_on_commit=False) as session:
        return begin_delivery(session, row, worker_id=worker_id, now=now)


def _record(engine: Engine, row: OutboxMessage, outcome: Outcome, now: datetime, policy: OutboxPolicy) -> None:
    with Session(engine, expire_on_commit=False) as session:
        if outcome.state == "sent":
            mark_sent(session, row, now=now, via=outcome.via)
            if outcome.via == "subscribe" and outcome.template_id:
                # WeChat spent one of the resident's acceptances: keep our record of them in step
                take_subscription(session, openid=row.recipient_openid, template_id=outcome.template_id, now=now)
        elif outcome.state == "held":
            mark_held(session, row, reason=outcome.error, now=now)
        else:
            state = mark_failed(
                session,
                row,
                error_code=outcome.code,
                error=outcome.error,
                now=now,
                permanent=outcome.state == "dead",
                policy=policy,
            )
            if state == "dead":
                log.warning("outbox %s dead-lettered: %s", row.id, outcome.error)


def _reminders(engine: Engine, rules: CaseRules) -> None:
    with Session(engine, expire_on_commit=False) as session:
        add_reminders(session, datetime.now(UTC), rules)


async def deliver_batch(
    *,
    engine: Engine,
    courier: Courier,
    worker_id: str,
    now: datetime | None = None,
    limit: int = 20,
    lease_seconds: float = 120.0,
    policy: OutboxPolicy = DEFAULT_POLICY,
) -> BatchReport:
    """One pass: lease up to ``limit`` due rows, deliver each, record each outcome.

    ``now`` fixes the clock (tests); by default every step reads the real time.
    """
    rows = await asyncio.to_thread(_claim, engine, worker_id, limit, lease_seconds, now or datetime.now(UTC))
    report = BatchReport(claimed=len(rows))
    for row in rows:
        if not await asyncio.to_thread(_begin, engine, row, worker_id, now or datetime.now(UTC)):
            report.skipped += 1
            continue
        try:
            outcome = await courier.deliver(row)
        except Exception as exc:  # a bug or an unexpected answer: keep the row, try again later
            log.exception("outbox %s: delivery crashed", row.id)
            outcome = Outcome("retry", error=f"{type(exc).__name__}: {exc}")
        await asyncio.to_thread(_record, engine, row, outcome, now or datetime.now(UTC), policy)
        if outcome.state == "sent":
            report.sent += 1
        elif outcome.state == "held":
            report.held += 1
        elif outcome.state == "retry":
            report.retried += 1
        else:
            report.dead += 1
    return report


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
    policy: OutboxPolicy = DEFAULT_POLICY,
) -> None:
    """Deliver the outbox until ``stop`` is set; add due-time reminders every ``reminder_seconds``."""
    name = worker_id or default_worker_id()
    courier = courier_for(services)
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
                worker_id=name,
                limit=batch,
                lease_seconds=lease_seconds,
                policy=policy,
            )
            full = report.claimed >= batch
            _count(services.metrics, report)
            if loop.time() >= next_reminders:
                next_reminders = loop.time() + reminder_seconds
                await asyncio.to_thread(_reminders, services.engine, rules)
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


async def run_standalone(settings: Settings) -> None:
    """``intake worker``: a worker process of its own, stopped by SIGINT / SIGTERM."""
    import httpx
    from redis.asyncio import Redis

    from api.db import make_engine
    from bot.push import MemoryTokenCache, RedisTokenCache, TokenCache
    from reply_templates import Renderer, default_catalog

    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    cache: TokenCache = RedisTokenCache(redis, prefix=settings.redis_prefix) if redis else MemoryTokenCache()
    engine = make_engine(settings.database_url)
    async with httpx.AsyncClient(timeout=10) as http:
        services = WorkerServices(
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
