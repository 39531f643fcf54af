"""Retries of one message are handled exactly once.

WeChat retries a message up to three times when it has no answer within five seconds, with the same
MsgId. The first attempt *claims* the message before handling it; a retry that arrives meanwhile waits for
the first attempt's answer (or gets ``success``). With Redis the claim is shared by every API process.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from typing import TYPE_CHECKING, Protocol

from bot.expiring import KEY_MASK, ExpiringSet

if TYPE_CHECKING:  # the client is imported where Redis is configured, not by an embedded process
    from redis.asyncio import Redis

PENDING = "\x00pending"
DONE = "\x00done"
# WeChat waits five seconds for an answer and retries three times: the last retry comes some 15 s after the
# first attempt. Thirty seconds of replies cover that twice over; every second more holds a second's worth of
# replies (some 700 bytes each) in memory under load.
RETRY_WINDOW = 30
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
    """The retry and replay memory of one process (the embedded default; Redis shares it between processes)."""

    def __init__(self, *, ttl: float = RETRY_WINDOW, replay_window: float = REPLAY_WINDOW) -> None:
        self.ttl = ttl
        self.replay_window = max(replay_window, ttl)
        self._secret = os.urandom(16)
        self._claims = ExpiringSet(self.replay_window)
        self._nonces = ExpiringSet(self.replay_window)
        self._bound: dict[int, int] = {}  # nonce -> the claim of the message it came with
        self._kept = ExpiringSet(ttl)
        self._replies: dict[int, str] = {}
        self._waiting: dict[int, asyncio.Event] = {}

    def _fingerprint(self, key: str) -> int:
        """A keyed 60-bit BLAKE2b of ``key`` (the secret is this process's: nobody can aim a collision).

        At a few hundred messages a second the replay window holds some 200,000 claims: a small int each,
        not a string of some 350 bytes.
        """
        digest = hashlib.blake2b(key.encode(), digest_size=8, key=self._secret).digest()
        return int.from_bytes(digest, "little") & KEY_MASK

    def _sweep(self) -> float:
        now = time.monotonic()
        for key in self._claims.sweep(now):
            self._waiting.pop(key, None)
        for key in self._nonces.sweep(now):
            del self._bound[key]
        for key in self._kept.sweep(now):
            self._replies.pop(key, None)
        return now

    async def claim(self, key: str) -> bool:
        now, claim = self._sweep(), self._fingerprint(key)
        if claim in self._claims:
            return False
        self._claims.add(claim, now)
        self._waiting[claim] = asyncio.Event()
        return True

    async def put(self, key: str, reply: str) -> None:
        claim = self._fingerprint(key)
        if claim not in self._kept:
            self._kept.add(claim, time.monotonic())
        self._replies[claim] = reply
        event = self._waiting.pop(claim, None)
        if event is not None:
            event.set()

    async def wait(self, key: str, timeout: float) -> str | None:
        self._sweep()
        claim = self._fingerprint(key)
        event = self._waiting.get(claim)
        if event is not None:
            try:
                await asyncio.wait_for(event.wait(), timeout)
            except TimeoutError:
                return None
        return self._replies.get(claim)

    async def bind_nonce(self, nonce: str, key: str) -> bool:
        now = self._sweep()
        name = self._fingerprint(nonce)
        claim = self._fingerprint(key)
        bound = self._bound.get(name)
        if bound is not None:
            return bound == claim
        self._nonces.add(name, now)
        self._bound[name] = claim
        return True


class RedisReplyCache:
    """``msg:<key>`` (the claim: pending, then done) lives the replay window; ``reply:<key>`` the retry window."""

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
