"""Per-client limits count across API processes with Redis, and in one process without it."""

from __future__ import annotations

import time

import pytest
from redis.asyncio import Redis

from api.ratelimit import MemoryRateLimiter, RedisRateLimiter


def _inside_one_window() -> None:
    if time.time() % 60 > 55:
        time.sleep(61 - time.time() % 60)


@pytest.mark.anyio
async def test_two_processes_share_one_redis_count(redis_url: str, redis_prefix: str) -> None:
    first, second = Redis.from_url(redis_url), Redis.from_url(redis_url)
    try:
        a = RedisRateLimiter(first, prefix=redis_prefix)
        b = RedisRateLimiter(second, prefix=redis_prefix)
        _inside_one_window()
        assert [await a.hit("k1", 3), await b.hit("k1", 3), await a.hit("k1", 3)] == [0, 0, 0]
        assert await b.hit("k1", 3) > 0
        assert await a.hit("k2", 3) == 0  # another key has its own count
    finally:
        await first.aclose()
        await second.aclose()


@pytest.mark.anyio
async def test_memory_limiter_counts_per_key() -> None:
    limiter = MemoryRateLimiter()
    _inside_one_window()
    assert [await limiter.hit("a", 2) for _ in range(3)][-1] > 0
    assert await limiter.hit("b", 2) == 0
