"""Per-client request limits: a fixed one-minute window, counted in Redis when configured (shared by every
API process), in memory otherwise. A count may be lost with Redis; the limit is protection, not billing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the client is imported where Redis is configured, not by an embedded process
    from redis.asyncio import Redis

WINDOW_SECONDS = 60


class RateLimiter(Protocol):
    async def hit(self, key: str, limit: int) -> int:
        """Count one request of ``key``; the seconds to wait when it is over ``limit`` (0: go ahead)."""
        ...


def _window(now: float) -> tuple[int, int]:
    window = int(now // WINDOW_SECONDS)
    return window, WINDOW_SECONDS - int(now % WINDOW_SECONDS)


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}

    async def hit(self, key: str, limit: int) -> int:
        window, left = _window(time.time())
        if len(self._counts) > 10_000:  # old windows: drop them all, the current one restarts at worst
            self._counts = {k: v for k, v in self._counts.items() if k[1] == window}
        count = self._counts.get((key, window), 0) + 1
        self._counts[(key, window)] = count
        return left if count > limit else 0


class RedisRateLimiter:
    def __init__(self, redis: Redis, *, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    async def hit(self, key: str, limit: int) -> int:
        window, left = _window(time.time())
        name = f"{self.prefix}rate:{key}:{window}"
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(name)
            pipe.expire(name, WINDOW_SECONDS * 2)
            count, _ = await pipe.execute()
        return left if int(count) > limit else 0
