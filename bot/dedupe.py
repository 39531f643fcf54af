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
DONE = "\x00done"
# WeChat gives up after three retries five seconds apart: a minute of replies covers them with room to
# spare, and keeps the cache of replies small under load.
RETRY_WINDOW = 60
# A signed request is accepted while its timestamp is within 300 s of our clock, either side: a captured
# one can be replayed until 300 s after its timestamp, i.e. up to 600 s after we first saw it. Claims and
# nonces are remembered that long (plus a margin for clock steps), so no replay is handled twice.
REPLAY_WINDOW = 660


class ReplyCache(Protocol):
    async def claim(self, key: str) -> bool:
        """True for the first attempt of a message; False for a retry or a replay within the window."""
        ...

    async def put(self, key: str, reply: str) -> None: ...

    async def wait(self, key: str, timeout: float) -> str | None:
        """The first attempt's reply, or None if it is not ready within ``timeout`` (or no longer kept)."""
        ...

    async def bind_nonce(self, nonce: str, key: str) -> bool:
        """Tie a signed request's ``timestamp:nonce`` to the message it carried.

        False when the same nonce already came with another message: someone re-used a captured
        signature with a body of their own (plaintext mode signs the query, not the body).
        """
        ...


class MemoryReplyCache:
    def __init__(self, *, ttl: float = RETRY_WINDOW, replay_window: float = REPLAY_WINDOW) -> None:
        self.ttl = ttl
        self.replay_window = max(replay_window, ttl)
        # Every claim lives ``replay_window`` and every reply ``ttl``: both queues are in expiry order.
        self._claims: dict[str, float] = {}
        self._claim_order: deque[tuple[float, str]] = deque()
        self._replies: dict[str, tuple[float, str]] = {}
        self._reply_order: deque[tuple[float, str]] = deque()
        self._waiting: dict[str, asyncio.Event] = {}

    def _sweep(self) -> None:
        now = time.monotonic()
        while self._claim_order and self._claim_order[0][0] < now:
            expires, key = self._claim_order.popleft()
            if self._claims.get(key) == expires:
                del self._claims[key]
                self._waiting.pop(key, None)
        while self._reply_order and self._reply_order[0][0] < now:
            expires, key = self._reply_order.popleft()
            entry = self._replies.get(key)
            if entry is not None and entry[0] == expires:
                del self._replies[key]

    async def claim(self, key: str) -> bool:
        self._sweep()
        if key in self._claims:
            return False
        expires = time.monotonic() + self.replay_window
        self._claims[key] = expires
        self._claim_order.append((expires, key))
        self._waiting[key] = asyncio.Event()
        return True

    async def put(self, key: str, reply: str) -> None:
        expires = time.monotonic() + self.ttl
        self._replies[key] = (expires, reply)
        self._reply_order.append((expires, key))
        event = self._waiting.pop(key, None)
        if event is not None:
            event.set()

    async def wait(self, key: str, timeout: float) -> str | None:
        self._sweep()
        event = self._waiting.get(key)
        if event is not None:
            try:
                await asyncio.wait_for(event.wait(), timeout)
            except TimeoutError:
                return None
        entry = self._replies.get(key)
        return entry[1] if entry is not None else None

    async def bind_nonce(self, nonce: str, key: str) -> bool:
        self._sweep()
        name = "\x00nonce:" + nonce
        bound = self._replies.get(name)
        if bound is not None:
            return bound[1] == key
        expires = time.monotonic() + self.replay_window
        self._replies[name] = (expires, key)
        self._reply_order.append((expires, name))
        return True


class RedisReplyCache:
    """``msg:<key>`` (the claim: pending, then done) lives the replay window; ``reply:<key>`` a minute."""

    def __init__(self, redis: Redis, *, prefix: str = "intake:", ttl: int = RETRY_WINDOW,
                 replay_window: int = REPLAY_WINDOW, poll: float = 0.02) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl
        self.replay_window = max(replay_window, ttl)
        self.poll = poll

    def _name(self, key: str) -> str:
        return f"{self.prefix}msg:{key}"

    def _reply(self, key: str) -> str:
        return f"{self.prefix}reply:{key}"

    async def claim(self, key: str) -> bool:
        return bool(await self.redis.set(self._name(key), PENDING, nx=True, ex=self.replay_window))

    async def put(self, key: str, reply: str) -> None:
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.set(self._reply(key), reply, ex=self.ttl)
            pipe.set(self._name(key), DONE, xx=True, keepttl=True)
            await pipe.execute()

    async def wait(self, key: str, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while True:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.get(self._reply(key))
                pipe.get(self._name(key))
                raw_reply, raw_claim = await pipe.execute()
            if raw_reply is not None:
                return raw_reply.decode() if isinstance(raw_reply, bytes) else str(raw_reply)
            claim = raw_claim.decode() if isinstance(raw_claim, bytes) else raw_claim
            if claim != PENDING or time.monotonic() >= deadline:
                return None  # answered long ago (the reply is no longer kept), or still running
            await asyncio.sleep(self.poll)

    async def bind_nonce(self, nonce: str, key: str) -> bool:
        name = f"{self.prefix}nonce:{nonce}"
        if await self.redis.set(name, key, nx=True, ex=self.replay_window):
            return True
        raw = await self.redis.get(name)
        bound = raw.decode() if isinstance(raw, bytes) else raw
        return bound is None or bound == key
