"""The composition root's container: every long-lived part, built in one step in the lifespan and closed there.

Nothing here is created at import time. Routes reach the parts through :data:`api.deps.ServicesDep`; dialogs
through the dispatcher's workflow data. ``clock`` is the one source of the current time for routes,
dialogs and the case desk (tests pass a fixed one).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp

from api.db import make_engine
from api.leaves import Leaves, load_leaves
from api.metrics import Metrics
from api.ratelimit import MemoryRateLimiter, RateLimiter, RedisRateLimiter
from api.settings import Settings
from bot.channels.mini_program import MiniProgram
from bot.channels.official_account import OfficialAccount
from bot.dedupe import MemoryReplyCache, RedisReplyCache, ReplyCache
from bot.dispatcher import Dispatcher
from bot.locks import MemoryLocks, RedisLocks, ResidentLocks
from bot.push import WeChatApi
from bot.sql_storage import SqlStorage
from bot.storage import BaseStorage, MemoryStorage, MirroredStorage, RedisStorage
from bot.token_cache import MemoryTokenCache, RedisTokenCache, TokenCache
from cases.login_throttle import LoginThrottle
from cases.rules import CaseRules
from dialogs import CaseDesk
from geo import GeoService
from nlu import NLU
from reply_templates import Renderer, default_catalog

if TYPE_CHECKING:  # imported in build_services where Redis is configured: an embedded process never loads it
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
SANDBOX_HOST = "http://sandbox.local"
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Parts:
    """What a dispatcher is built from (see :func:`api.app.default_dispatcher`)."""

    settings: Settings
    storage: BaseStorage
    locks: ResidentLocks
    leaves: Leaves
    templates: Renderer
    desk: CaseDesk


DispatcherFactory = Callable[[Parts], Dispatcher]


@dataclass(frozen=True)
class Services:
    settings: Settings
    clock: Clock
    engine: Engine
    redis: Redis | None
    storage: BaseStorage
    locks: ResidentLocks
    replies: ReplyCache
    oa_channel: OfficialAccount
    mp_channel: MiniProgram
    oa_api: WeChatApi
    mp_api: WeChatApi
    http: httpx.AsyncClient
    metrics: Metrics
    nlu: NLU
    geo: GeoService
    templates: Renderer
    rules: CaseRules
    desk: CaseDesk
    dispatcher: Dispatcher
    staff_logins: LoginThrottle
    hooks_http: httpx.AsyncClient  # webhooks to other systems (never the sandbox's in-app transport)
    limiter: RateLimiter  # Open311 clients' requests per minute
    # What a store raises while it is away: Redis's errors where Redis is configured, the socket's always.
    store_errors: tuple[type[Exception], ...] = (OSError,)
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
        await self.desk.flush()
        for task in list(self.tasks):
            task.cancel()
        await self.oa_api.aclose()
        await self.mp_api.aclose()
        await self.http.aclose()
        await self.hooks_http.aclose()
        await self.storage.close()
        if self.redis is not None:
            await self.redis.aclose()
        self.engine.dispose()


def wechat_http(settings: Settings, app: ASGIApp) -> tuple[httpx.AsyncClient, str]:
    """The HTTP client and base URL for WeChat's server API.

    While sandboxed with no explicit API base, the stand-in is mounted in this very app: calls go through
    its ASGI interface (same routing, same JSON, no socket), so the embedded set-up needs no second server.
    """
    if settings.sandbox_on and not settings.wechat_api_base:
        transport = httpx.ASGITransport(app=app)
        return httpx.AsyncClient(transport=transport, base_url=SANDBOX_HOST, timeout=10), \
            f"{SANDBOX_HOST}/sandbox/wechat-api"
    return httpx.AsyncClient(timeout=10), settings.api_base


async def build_services(settings: Settings, app: ASGIApp, *, dispatcher_factory: DispatcherFactory,
                         clock: Clock = system_clock, leaves: Leaves | None = None) -> Services:
    """Connect and load every part, then hand them over as one :class:`Services`.

    ``leaves`` may be passed in already loaded (tests share one NLU model and grid layer); otherwise the
    database is migrated and the leaves are loaded here. Whatever was opened is closed if a step fails.
    """
    redis: Redis | None = None
    storage: BaseStorage
    locks: ResidentLocks
    replies: ReplyCache
    token_cache: TokenCache
    engine = make_engine(settings.database_url)
    store_errors: tuple[type[Exception], ...] = (OSError,)
    if settings.redis_url:
        from redis.asyncio import Redis as RedisClient
        from redis.exceptions import RedisError

        redis = RedisClient.from_url(settings.redis_url)
        store_errors = (RedisError, OSError)
        prefix = settings.redis_prefix
        # Drafts outlive a Redis restart: every dialog write also goes to the database.
        storage = MirroredStorage(RedisStorage(redis, prefix=prefix), SqlStorage(engine))
        locks = RedisLocks(redis, prefix=prefix)
        replies = RedisReplyCache(redis, prefix=prefix)
        token_cache = RedisTokenCache(redis, prefix=prefix)
    else:
        storage, locks, replies, token_cache = MemoryStorage(), MemoryLocks(), MemoryReplyCache(), \
            MemoryTokenCache()
    http, base = wechat_http(settings, app)
    try:
        oa_api = WeChatApi(base_url=base, appid=settings.wechat_appid, secret=settings.wechat_secret,
                           cache=token_cache, http=http)
        if leaves is None:
            leaves = await load_leaves(settings, engine, clock)
        templates = Renderer(default_catalog(), engine, settings.template_refresh_seconds)
        desk = CaseDesk(engine=engine, rules=leaves.rules, media_dir=settings.media_dir,
                        max_photo_bytes=settings.max_photo_bytes, clock=clock,
                        max_photo_pixels=settings.max_photo_pixels, photo_decoders=settings.photo_decoders)
        dispatcher = dispatcher_factory(Parts(settings=settings, storage=storage, locks=locks, leaves=leaves,
                                              templates=templates, desk=desk))
        dispatcher.freeze()
        return Services(
            settings=settings, clock=clock, engine=engine, redis=redis, storage=storage, locks=locks,
            replies=replies,
            oa_channel=OfficialAccount(token=settings.wechat_token, appid=settings.wechat_appid,
                                       aes_key=settings.wechat_aes_key,
                                       timestamp_tolerance=settings.timestamp_tolerance_seconds,
                                       max_body_bytes=settings.max_body_bytes, api=oa_api),
            mp_channel=MiniProgram(max_photo_bytes=settings.max_photo_bytes),
            oa_api=oa_api,
            mp_api=WeChatApi(base_url=base, appid=settings.mp_appid, secret=settings.mp_secret,
                             cache=token_cache, http=http),
            http=http, metrics=Metrics(), nlu=leaves.nlu, geo=leaves.geo, templates=templates,
            rules=leaves.rules, desk=desk, dispatcher=dispatcher, staff_logins=LoginThrottle(),
            hooks_http=httpx.AsyncClient(timeout=settings.webhook_timeout_seconds),
            limiter=RedisRateLimiter(redis, prefix=settings.redis_prefix) if redis is not None
            else MemoryRateLimiter(),
            store_errors=store_errors,
        )
    except BaseException:
        await http.aclose()
        await storage.close()
        if redis is not None:
            await redis.aclose()
        engine.dispose()
        raise
