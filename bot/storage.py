"""Where dialog state lives: :class:`MemoryStorage` (embedded default) or :class:`RedisStorage`, optionally
mirrored to a durable backup (:class:`MirroredStorage`, :class:`bot.sql_storage.SqlStorage`).

Both honour one contract (``tests/bot/test_storage.py`` runs it against each): string resident ids,
records that carry when they were last touched, and physical expiry ``retention`` seconds after the
last write so abandoned dialogs do not pile up.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import zlib
from abc import ABC, abstractmethod
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the client is imported where Redis is configured, not by an embedded process
    from redis.asyncio import Redis

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StorageKey:
    channel: str
    resident_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.resident_id}"


@dataclass(frozen=True, slots=True)
class Record:
    state: str | None
    data: dict[str, Any] = field(default_factory=dict)
    touched: float = 0.0

    def dumps(self) -> str:
        return json.dumps({"s": self.state, "d": self.data, "t": self.touched}, ensure_ascii=False)

    @classmethod
    def loads(cls, raw: str | bytes) -> Record:
        value = json.loads(raw)
        return cls(state=value["s"], data=value["d"], touched=value["t"])


class BaseStorage(ABC):
    @abstractmethod
    async def get(self, key: StorageKey) -> Record | None: ...

    @abstractmethod
    async def set(self, key: StorageKey, record: Record) -> None: ...

    @abstractmethod
    async def delete(self, key: StorageKey) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...


class MemoryStorage(BaseStorage):
    """Dialog state in this process's memory: lost on restart, fine for one embedded process."""

    def __init__(self, *, retention: int = 7 * 24 * 3600) -> None:
        self.retention = retention
        self._records: dict[StorageKey, tuple[float, bytes]] = {}
        self._writes = 0

    async def get(self, key: StorageKey) -> Record | None:
        entry = self._records.get(key)
        if entry is None:
            return None
        expires, raw = entry
        if expires < time.monotonic():
            del self._records[key]
            return None
        return Record.loads(zlib.decompress(raw))

    async def set(self, key: StorageKey, record: Record) -> None:
        # Stored serialised so that memory behaves exactly like Redis (no shared mutable dicts), and compressed:
        # a draft left open is kept for the retention period so that it can be resumed, and a busy day leaves
        # many (zlib's fastest level takes a third off a draft's JSON for some ten microseconds).
        self._records[key] = (time.monotonic() + self.retention, zlib.compress(record.dumps().encode(), 1))
        self._writes += 1
        if self._writes % 4096 == 0:  # forget abandoned dialogs now and then, not on every write
            self._sweep()

    async def delete(self, key: StorageKey) -> None:
        self._records.pop(key, None)

    async def close(self) -> None:
        self._records.clear()

    def _sweep(self) -> None:
        now = time.monotonic()
        for key in [k for k, (expires, _) in self._records.items() if expires < now]:
            del self._records[key]


class RedisStorage(BaseStorage):
    """Dialog state in Redis: survives restarts and is shared by every API process."""

    def __init__(self, redis: Redis, *, prefix: str = "intake:", retention: int = 7 * 24 * 3600) -> None:
        self.redis = redis
        self.prefix = prefix
        self.retention = retention

    def _name(self, key: StorageKey) -> str:
        return f"{self.prefix}fsm:{key}"

    async def get(self, key: StorageKey) -> Record | None:
        raw = await self.redis.get(self._name(key))
        return Record.loads(raw) if raw is not None else None

    async def set(self, key: StorageKey, record: Record) -> None:
        await self.redis.set(self._name(key), record.dumps(), ex=self.retention)

    async def delete(self, key: StorageKey) -> None:
        await self.redis.delete(self._name(key))

    async def close(self) -> None:
        await self.redis.aclose()


class MirroredStorage(BaseStorage):
    """Dialog state written to two storages: a fast shared one and a durable backup.

    Redis is fast and shared, but may run without persistence: after its restart every half-finished
    report would be gone and the resident's next "确认" would get the help text. Every write therefore also
    goes to the backup (the database), and a record the primary does not have (or cannot give, while it
    is away) is read from the backup. A failing side is logged and skipped; only both failing raises.
    """

    def __init__(self, primary: BaseStorage, backup: BaseStorage) -> None:
        self.primary = primary
        self.backup = backup

    async def get(self, key: StorageKey) -> Record | None:
        try:
            found = await self.primary.get(key)
        except Exception:
            log.warning("dialog state: primary storage unavailable, reading the backup", exc_info=True)
            return await self.backup.get(key)
        if found is not None:
            return found
        return await self._quietly(self.backup.get(key))

    async def set(self, key: StorageKey, record: Record) -> None:
        await self._both(self.primary.set(key, record), self.backup.set(key, record))

    async def delete(self, key: StorageKey) -> None:
        await self._both(self.primary.delete(key), self.backup.delete(key))

    async def close(self) -> None:
        await self._both(self.primary.close(), self.backup.close())

    async def _both(self, first: Awaitable[None], second: Awaitable[None]) -> None:
        results = await asyncio.gather(first, second, return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        if len(failures) == len(results):
            raise failures[0]
        for failure in failures:
            log.warning("dialog state: one storage failed, the other holds the record: %r", failure)

    @staticmethod
    async def _quietly(read: Awaitable[Record | None]) -> Record | None:
        try:
            return await read
        except Exception:
            log.warning("dialog state: backup storage unavailable", exc_info=True)
            return None
