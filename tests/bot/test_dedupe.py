"""The retry cache contract, against memory and the real Redis: first claim wins, retries get its reply."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from bot.dedupe import MemoryReplyCache, RedisReplyCache, ReplyCache

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["memory", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[ReplyCache]:
    if request.param == "memory":
        yield MemoryReplyCache(ttl=60)
        return
    client = Redis.from_url(request.getfixturevalue("redis_url"))
    yield RedisReplyCache(client, prefix=request.getfixturevalue("redis_prefix"), ttl=60)
    await client.aclose()


async def test_only_the_first_attempt_claims_a_message(cache: ReplyCache) -> None:
    assert await cache.claim("oa:1001") is True
    assert await cache.claim("oa:1001") is False
    assert await cache.claim("oa:1002") is True


async def test_a_retry_waits_for_the_first_attempts_reply(cache: ReplyCache) -> None:
    await cache.claim("oa:2001")

    async def first_attempt() -> None:
        await asyncio.sleep(0.05)
        await cache.put("oa:2001", "<xml>answer</xml>")

    task = asyncio.create_task(first_attempt())
    assert await cache.wait("oa:2001", timeout=2) == "<xml>answer</xml>"
    await task


async def test_a_retry_gives_up_when_the_first_attempt_is_still_running(cache: ReplyCache) -> None:
    await cache.claim("oa:3001")
    assert await cache.wait("oa:3001", timeout=0.05) is None


async def test_memory_claims_expire_after_their_ttl() -> None:
    cache = MemoryReplyCache(ttl=0.01)
    await cache.claim("oa:4001")
    await asyncio.sleep(0.03)
    assert await cache.claim("oa:4002") is True  # sweeps the expired claim
    assert await cache.claim("oa:4001") is True
