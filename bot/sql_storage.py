"""Dialog state in the database: the durable side of :class:`bot.storage.MirroredStorage`.

One row per resident in a dialog (``dialog_states``); written only while a dialog is under way (an idle
resident has no record), deleted when the dialog ends. Rows untouched for ``retention`` seconds are swept
now and then, as Redis would expire them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Column, Text, delete
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, col

from bot.storage import BaseStorage, Record, StorageKey

T = TypeVar("T")
SWEEP_EVERY = 5000  # writes between two sweeps of abandoned rows


class DialogState(SQLModel, table=True):
    __tablename__ = "dialog_states"

    key: str = Field(primary_key=True, max_length=200)  # "<channel>:<resident id>"
    record: str = Field(sa_column=Column(Text, nullable=False))  # Record.dumps()
    touched: float = Field(index=True)  # unix time of the last write


class SqlStorage(BaseStorage):
    def __init__(self, engine: Engine, *, retention: int = 7 * 24 * 3600) -> None:
        self.engine = engine
        self.retention = retention
        self._writes = 0

    async def _run(self, work: Callable[[Session], T]) -> T:
        def in_thread() -> T:
            with Session(self.engine) as session:
                result = work(session)
                session.commit()
                return result

        return await asyncio.to_thread(in_thread)

    async def get(self, key: StorageKey) -> Record | None:
        def read(session: Session) -> Record | None:
            row = session.get(DialogState, str(key))
            if row is None or time.time() - row.touched > self.retention:
                return None
            return Record.loads(row.record)

        return await self._run(read)

    async def set(self, key: StorageKey, record: Record) -> None:
        self._writes += 1
        sweep = self._writes % SWEEP_EVERY == 0

        def write(session: Session) -> None:
            session.merge(DialogState(key=str(key), record=record.dumps(), touched=time.time()))
            if sweep:
                session.execute(delete(DialogState).where(col(DialogState.touched) < time.time() - self.retention))

        await self._run(write)

    async def delete(self, key: StorageKey) -> None:
        await self._run(lambda session: session.execute(delete(DialogState).where(col(DialogState.key) == str(key))))

    async def close(self) -> None:
        return None
