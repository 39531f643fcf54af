"""The composition root's container: every long-lived part, built once in the lifespan and closed there.

Nothing here is created at import time. Handlers and routes reach these parts through
``request.app.state.services`` (routes) or the dispatcher's workflow data (dialogs).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy.engine import Engine

from api.db import make_engine
from api.metrics import Metrics
from api.settings import Settings
from bot.channels.official_account import OfficialAccount
from bot.dedupe import MemoryReplyCache, RedisReplyCache, ReplyCache
from bot.dispatcher import Dispatcher
from bot.locks import MemoryLocks, RedisLocks, ResidentLocks
from bot.push import MemoryTokenCache, RedisTokenCache, TokenCache, WeChatApi
from bot.storage import BaseStorage, MemoryStorage, RedisStorage
from cases.rules import CaseRules
from dialogs import CaseDesk
from geo import GeoService
from nlu import NLU
from reply_templates import Renderer

log = logging.getLogger(__name__)
SANDBOX_HOST = "http://sandbox.local"


@dataclass
class Services:
    settings: Settings
    engine: Engine
    redis: Redis | None
    storage: BaseStorage
    locks: ResidentLocks
    replies: ReplyCache
    oa_channel: OfficialAccount
    oa_api: WeChatApi
    mp_api: WeChatApi
    metrics: Metrics
    http: httpx.AsyncClient
    dispatcher: Dispatcher | None = None
    # The leaves, loaded by the lifespan once the runtime is up (see api.app._build_leaves).
    nlu: NLU = field(init=False)
    geo: GeoService = field(init=False)
    templates: Renderer = field(init=False)
    desk: CaseDesk = field(init=False)
    rules: CaseRules = field(init=False)
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run work after the response (late answers, extra messages); kept until done or shutdown."""
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.metrics.errors.labels("background").inc()
            log.error("background task failed", exc_info=task.exception())

    async def drain(self, timeout: float = 5.0) -> None:
        if self.tasks:
            await asyncio.wait(set(self.tasks), timeout=timeout)

    async def close(self) -> None:
        await self.drain()
        if hasattr(self, "desk"):
            await self.desk.flush()
        for task in list(self.tasks):
            task.cancel()
        await self.oa_api.aclose()
        await self.mp_api.aclose()
        await self.http.aclose()
        await self.storage.close()
        if self.redis is not None:
            await self.redis.aclose()
        self.engine.dispose()


def wechat_http(settings: Settings, app: Any) -> tuple[httpx.AsyncClient, str]:
    """The HTTP client and base URL for WeChat's server API.

    While sandboxed with no explicit API base, the stand-in is mounted in this very app: calls go through
    its ASGI interface (same routing, same JSON, no socket), so the embedded set-up needs no second server.
    """
    if settings.sandbox_on and not settings.wechat_api_base:
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url=SANDBOX_HOST, timeout=10), \
            f"{SANDBOX_HOST}/sandbox/wechat-api"
    return httpx.AsyncClient(timeout=10), settings.api_base


async def build_runtime(settings: Settings, app: Any) -> Services:
    """Connect the runtime parts: database engine, Redis (optional), storages, WeChat clients."""
    redis: Redis | None = None
    storage: BaseStorage
    locks: ResidentLocks
    replies: ReplyCache
    token_cache: TokenCache
    if settings.redis_url:
        redis = Redis.from_url(settings.redis_url)
        prefix = settings.redis_prefix
        storage = RedisStorage(redis, prefix=prefix)
        locks = RedisLocks(redis, prefix=prefix)
        replies = RedisReplyCache(redis, prefix=prefix)
        token_cache = RedisTokenCache(redis, prefix=prefix)
    else:
        storage, locks, replies, token_cache = MemoryStorage(), MemoryLocks(), MemoryReplyCache(), \
            MemoryTokenCache()
    http, base = wechat_http(settings, app)
    return Services(
        settings=settings,
        engine=make_engine(settings.database_url),
        redis=redis,
        storage=storage,
        locks=locks,
        replies=replies,
        oa_channel=OfficialAccount(token=settings.wechat_token, appid=settings.wechat_appid,
                                   aes_key=settings.wechat_aes_key,
                                   timestamp_tolerance=settings.timestamp_tolerance_seconds,
                                   max_body_bytes=settings.max_body_bytes),
        oa_api=WeChatApi(base_url=base, appid=settings.wechat_appid, secret=settings.wechat_secret,
                         cache=token_cache, http=http),
        mp_api=WeChatApi(base_url=base, appid=settings.mp_appid, secret=settings.mp_secret,
                         cache=token_cache, http=http),
        metrics=Metrics(),
        http=http,
    )
