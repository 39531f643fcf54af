"""Where each account's WeChat access token lives, shared by every process, and the lock to refresh it.

:class:`MemoryTokenCache` serves one process (tests, or a deployment without Redis); :class:`RedisTokenCache`
shares the token between every API and worker process.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the client is imported where Redis is configured, not by an embedded process
    import redis.asyncio as aioredis


@dataclass(frozen=True, slots=True)
class CachedToken:
    token: str
    expires_at: float  # epoch seconds at which WeChat stops accepting it


class TokenCache(Protocol):
    """Where the access token of each appid lives, and the lock that lets one process refresh it."""

    async def get(self, appid: str) -> CachedToken | None: ...

    async def set(self, appid: str, token: CachedToken, ttl: float) -> None: ...

    async def acquire_refresh(self, appid: str, ttl: float) -> str | None:
        """Take the refresh lock without waiting; a lock id on success, ``None`` when someone holds it."""
        ...

    async def release_refresh(self, appid: str, lock_id: str) -> None: ...


class MemoryTokenCache:
    """A token cache for one process (tests, or a deployment without Redis)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._tokens: dict[str, tuple[CachedToken, float]] = {}
        self._locks: dict[str, tuple[str, float]] = {}

    async def get(self, appid: str) -> CachedToken | None:
        entry = self._tokens.get(appid)
        if entry is None or entry[1] <= self._clock():
            return None
        return entry[0]

    async def set(self, appid: str, token: CachedToken, ttl: float) -> None:
        self._tokens[appid] = (token, self._clock() + ttl)

    async def acquire_refresh(self, appid: str, ttl: float) -> str | None:
        held = self._locks.get(appid)
        if held is not None and held[1] > self._clock():
            return None
        lock_id = secrets.token_hex(8)
        self._locks[appid] = (lock_id, self._clock() + ttl)
        return lock_id

    async def release_refresh(self, appid: str, lock_id: str) -> None:
        held = self._locks.get(appid)
        if held is not None and held[0] == lock_id:
            del self._locks[appid]


_RELEASE_SCRIPT = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisTokenCache:
    """The token shared by every API and worker process through Redis."""

    def __init__(self, client: aioredis.Redis, prefix: str = "intake:") -> None:
        self._redis = client
        self._prefix = prefix

    def _key(self, appid: str) -> str:
        return f"{self._prefix}wechat:token:{appid}"

    def _lock_key(self, appid: str) -> str:
        return f"{self._prefix}wechat:token-lock:{appid}"

    async def get(self, appid: str) -> CachedToken | None:
        raw = await self._redis.get(self._key(appid))
        if raw is None:
            return None
        data = json.loads(raw)
        return CachedToken(token=str(data["token"]), expires_at=float(data["expires_at"]))

    async def set(self, appid: str, token: CachedToken, ttl: float) -> None:
        payload = json.dumps({"token": token.token, "expires_at": token.expires_at})
        await self._redis.set(self._key(appid), payload, px=max(1, int(ttl * 1000)))

    async def acquire_refresh(self, appid: str, ttl: float) -> str | None:
        lock_id = secrets.token_hex(8)
        taken = await self._redis.set(self._lock_key(appid), lock_id, nx=True, px=max(1, int(ttl * 1000)))
        return lock_id if taken else None

    async def release_refresh(self, appid: str, lock_id: str) -> None:
        await self._redis.eval(_RELEASE_SCRIPT, 1, self._lock_key(appid), lock_id)  # type: ignore[misc]
