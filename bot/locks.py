"""Per-resident locks: quick successive messages of one resident are handled one at a time, in order.

WeChat sends each photo of a batch as its own message within milliseconds; without the lock two handlers
would read the same dialog state and the second write would lose the first photo. State is loaded only
after the lock is taken.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the client is imported where Redis is configured, not by an embedded process
    from redis.asyncio import Redis


class ResidentLocks(Protocol):
    def hold(self, key: str) -> AbstractAsyncContextManager[None]: ...


class MemoryLocks:
    """asyncio locks (FIFO) per key, dropped when nobody holds or waits for them."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users <= 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class RedisLocks:
    """Redis locks shared by every API process; a crashed holder's lock expires after ``timeout``."""

    def __init__(self, redis: Redis, *, prefix: str = "intake:", timeout: float = 30.0,
                 wait: float = 20.0) -> None:
        self.redis = redis
        self.prefix = prefix
        self.timeout = timeout
        self.wait = wait
        self._local = MemoryLocks()

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        # The local lock keeps this process's own messages FIFO and spares Redis the polling.
        async with self._local.hold(key):
            lock = self.redis.lock(f"{self.prefix}lock:{key}", timeout=self.timeout, sleep=0.01,
                                   blocking_timeout=self.wait)
            acquired = await lock.acquire()
            try:
                yield
            finally:
                if acquired:
                    # The lock may have expired under a very slow handler: nothing left to release.
                    with suppress(Exception):
                        await lock.release()
