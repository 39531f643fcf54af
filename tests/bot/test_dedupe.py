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


async def test_memory_claims_expire_after_the_replay_window() -> None:
    cache = MemoryReplyCache(ttl=0.01, replay_window=0.02)
    await cache.claim("oa:4001")
    await asyncio.sleep(0.03)
    assert await cache.claim("oa:4002") is True  # sweeps the expired claim
    assert await cache.claim("oa:4001") is True


@pytest.fixture(params=["memory", "redis"])
async def short_cache(request: pytest.FixtureRequest) -> AsyncIterator[ReplyCache]:
    """Replies kept one second, claims and nonces ten: a replay after the reply is gone, scaled down."""
    if request.param == "memory":
        yield MemoryReplyCache(ttl=1, replay_window=10)
        return
    client = Redis.from_url(request.getfixturevalue("redis_url"))
    yield RedisReplyCache(client, prefix=request.getfixturevalue("redis_prefix"), ttl=1, replay_window=10)
    await client.aclose()


async def test_a_replay_after_the_reply_expired_is_still_not_handled_again(short_cache: ReplyCache) -> None:
    assert await short_cache.claim("oa:5001") is True
    await short_cache.put("oa:5001", "<xml>filed</xml>")
    await asyncio.sleep(1.1)  # WeChat's retries are over; a captured request is replayed
    assert await short_cache.claim("oa:5001") is False
    assert await short_cache.wait("oa:5001", timeout=0.5) is None  # nothing to wait for: it was answered


async def test_a_nonce_carries_one_message_only(short_cache: ReplyCache) -> None:
    assert await short_cache.bind_nonce("1700000000:abc", "oa:6001") is True
    assert await short_cache.bind_nonce("1700000000:abc", "oa:6001") is True  # WeChat's retry
    assert await short_cache.bind_nonce("1700000000:abc", "oa:6002") is False  # a body of someone else's
    assert await short_cache.bind_nonce("1700000000:abd", "oa:6002") is True


async def test_memory_replies_are_forgotten_after_the_retry_window_whatever_came_before() -> None:
    """Nonces live the whole replay window; a reply kept behind them would outlive its minute (and pile up)."""
    cache = MemoryReplyCache(ttl=0.02, replay_window=10)
    assert await cache.bind_nonce("1700000000:abc", "oa:7001") is True
    assert await cache.claim("oa:7001") is True
    await cache.put("oa:7001", "<xml>filed</xml>")
    assert await cache.wait("oa:7001", timeout=0.5) == "<xml>filed</xml>"
    await asyncio.sleep(0.05)
    assert await cache.wait("oa:7001", timeout=0.5) is None
    assert await cache.claim("oa:7001") is False  # the claim still lives its replay window
    assert await cache.bind_nonce("1700000000:abc", "oa:7002") is False
