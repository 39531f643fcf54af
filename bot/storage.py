"""Where dialog state lives: :class:`MemoryStorage` (embedded default) or :class:`RedisStorage`.

Both honour one contract (``tests/bot/test_storage.py`` runs it against each): string resident ids,
records that carry when they were last touched, and physical expiry ``retention`` seconds after the
last write so abandoned dialogs do not pile up.
"""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis


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
        self._records: dict[StorageKey, tuple[float, str]] = {}
        self._writes = 0

    async def get(self, key: StorageKey) -> Record | None:
        entry = self._records.get(key)
        if entry is None:
            return None
        expires, raw = entry
        if expires < time.monotonic():
            del self._records[key]
            return None
        return Record.loads(raw)

    async def set(self, key: StorageKey, record: Record) -> None:
        # Stored serialised so that memory behaves exactly like Redis (no shared mutable dicts).
        self._records[key] = (time.monotonic() + self.retention, record.dumps())
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
