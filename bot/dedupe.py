"""Retries of one message are handled exactly once.

WeChat retries a message up to three times when it has no answer within five seconds, with the same
MsgId. The first attempt *claims* the message before handling it; a retry that arrives meanwhile waits for
the first attempt's answer (or gets ``success``). With Redis the claim is shared by every API process.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from typing import Protocol

from redis.asyncio import Redis

PENDING = "\x00pending"
# WeChat gives up after three retries five seconds apart: a minute covers them with room to spare, and
# keeps the cache of replies small under load.
RETRY_WINDOW = 60


class ReplyCache(Protocol):
    async def claim(self, key: str) -> bool:
        """True for the first attempt of a message; False for a retry."""
        ...

    async def put(self, key: str, reply: str) -> None: ...

    async def wait(self, key: str, timeout: float) -> str | None:
        """The first attempt's reply, or None if it is not ready within ``timeout``."""
        ...


class MemoryReplyCache:
    def __init__(self, *, ttl: float = RETRY_WINDOW) -> None:
        self.ttl = ttl
        # Insertion-ordered and every entry lives ``ttl``: the oldest claims are always at the front.
        self._entries: dict[str, tuple[float, str, asyncio.Event]] = {}
        self._claimed: deque[tuple[float, str]] = deque()

    def _sweep(self) -> None:
        now = time.monotonic()
        while self._claimed and self._claimed[0][0] < now:
            _, key = self._claimed.popleft()
            entry = self._entries.get(key)
            if entry is not None and entry[0] < now:
                del self._entries[key]

    async def claim(self, key: str) -> bool:
        self._sweep()
        entry = self._entries.get(key)
        if entry is not None and entry[0] >= time.monotonic():
            return False
        expires = time.monotonic() + self.ttl
        self._entries[key] = (expires, PENDING, asyncio.Event())
        self._claimed.append((expires, key))
        return True

    async def put(self, key: str, reply: str) -> None:
        entry = self._entries.get(key)
        if entry is None:  # expired meanwhile: keep the reply for late retries all the same
            expires, event = time.monotonic() + self.ttl, asyncio.Event()
            self._claimed.append((expires, key))
        else:
            expires, _, event = entry
        self._entries[key] = (expires, reply, event)
        event.set()

    async def wait(self, key: str, timeout: float) -> str | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[1] == PENDING:
            try:
                await asyncio.wait_for(entry[2].wait(), timeout)
            except TimeoutError:
                return None
            entry = self._entries.get(key)
        return None if entry is None or entry[1] == PENDING else entry[1]


class RedisReplyCache:
    def __init__(self, redis: Redis, *, prefix: str = "intake:", ttl: int = RETRY_WINDOW, poll: float = 0.02) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl
        self.poll = poll

    def _name(self, key: str) -> str:
        return f"{self.prefix}msg:{key}"

    async def claim(self, key: str) -> bool:
        return bool(await self.redis.set(self._name(key), PENDING, nx=True, ex=self.ttl))

    async def put(self, key: str, reply: str) -> None:
        await self.redis.set(self._name(key), reply, ex=self.ttl)

    async def wait(self, key: str, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while True:
            raw = await self.redis.get(self._name(key))
            value = raw.decode() if isinstance(raw, bytes) else raw
            if value is not None and value != PENDING:
                return str(value)
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(self.poll)
