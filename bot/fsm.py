"""Finite-state machine vocabulary (aiogram 3 style): ``StatesGroup``, ``State``, ``FSMContext``.

A dialog's state and its data live in a :class:`~bot.storage.BaseStorage` under a :class:`StorageKey`.
Idle dialogs expire after ``ttl`` seconds: the record is kept a while longer so that the dialog can
offer to resume ("您之前的反映还没提交…") instead of silently forgetting what the resident said.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, ClassVar

from bot.storage import BaseStorage, Record, StorageKey


class State:
    """One state of a dialog; its name is ``Group:attribute`` once the group class is built."""

    def __init__(self) -> None:
        self.name = ""

    def __set_name__(self, owner: type, attribute: str) -> None:
        self.name = f"{owner.__name__}:{attribute}"

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<State {self.name}>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, State):
            return self.name == other.name
        if isinstance(other, str):
            return self.name == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.name)


class StatesGroup:
    """A named set of states; ``Group.states`` lists them in declaration order."""

    states: ClassVar[tuple[State, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.states = tuple(value for value in vars(cls).values() if isinstance(value, State))

    @classmethod
    def contains(cls, state: str | None) -> bool:
        return state is not None and any(s.name == state for s in cls.states)


@dataclass(frozen=True, slots=True)
class Expired:
    """What an idle dialog held when it expired."""

    state: str | None
    data: dict[str, Any]


class FSMContext:
    """The resident's dialog state and data; created by the dispatcher after the per-resident lock."""

    def __init__(self, storage: BaseStorage, key: StorageKey, *, ttl: int, now: float | None = None) -> None:
        self.storage = storage
        self.key = key
        self.ttl = ttl
        self._now = now
        self._record: Record | None = None
        self._written = False
        self.expired: Expired | None = None

    def _clock(self) -> float:
        return self._now if self._now is not None else time.time()

    async def load(self) -> None:
        """Read the record once; an idle one becomes :attr:`expired` and the live state starts empty."""
        record = await self.storage.get(self.key)
        if record is not None and record.state is not None and self._clock() - record.touched > self.ttl:
            self.expired = Expired(record.state, dict(record.data))
            record = Record(state=None, data={}, touched=self._clock())
            await self.storage.delete(self.key)
        self._record = record or Record(state=None, data={}, touched=self._clock())
        self._written = False

    async def _current(self) -> Record:
        if self._record is None:
            await self.load()
        assert self._record is not None
        return self._record

    async def get_state(self) -> str | None:
        return (await self._current()).state

    async def set_state(self, state: State | str | None) -> None:
        record = await self._current()
        self._record = Record(state=str(state) if state is not None else None, data=record.data,
                              touched=self._clock())
        await self._save()

    async def get_data(self) -> dict[str, Any]:
        return dict((await self._current()).data)

    async def set_data(self, data: dict[str, Any]) -> None:
        record = await self._current()
        self._record = Record(state=record.state, data=dict(data), touched=self._clock())
        await self._save()

    async def update_data(self, **changes: Any) -> dict[str, Any]:
        data = await self.get_data()
        data.update(changes)
        await self.set_data(data)
        return data

    async def clear(self) -> None:
        self._record = Record(state=None, data={}, touched=self._clock())
        self._written = True
        await self.storage.delete(self.key)

    async def _save(self) -> None:
        assert self._record is not None
        self._written = True
        if self._record.state is None and not self._record.data:
            # Nothing to remember reads the same as no record: a finished dialog costs no storage. (Kept,
            # the empty records of every resident who ever wrote would pile up for the retention period.)
            await self.storage.delete(self.key)
        else:
            await self.storage.set(self.key, self._record)

    async def touch(self) -> None:
        """Keep a live dialog alive: every handled message resets the idle clock (one write at most)."""
        record = await self._current()
        if record.state is not None and not self._written:
            self._record = Record(state=record.state, data=record.data, touched=self._clock())
            await self._save()
