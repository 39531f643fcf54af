"""One storage contract, run against the memory storage and the real Redis server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlmodel import SQLModel, create_engine

from bot.fsm import FSMContext, State, StatesGroup
from bot.sql_storage import DialogState, SqlStorage
from bot.storage import BaseStorage, MemoryStorage, MirroredStorage, Record, RedisStorage, StorageKey

pytestmark = pytest.mark.anyio


class Report(StatesGroup):
    describing = State()
    locating = State()


def sql_storage(tmp_path: Path) -> SqlStorage:
    engine = create_engine(f"sqlite:///{tmp_path / 'dialogs.db'}")
    SQLModel.metadata.create_all(engine, tables=[SQLModel.metadata.tables[DialogState.__tablename__]])
    return SqlStorage(engine)


@pytest.fixture(params=["memory", "redis", "sql", "redis+sql"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BaseStorage]:
    store: BaseStorage
    if request.param == "memory":
        store = MemoryStorage()
    elif request.param == "sql":
        store = sql_storage(tmp_path)
    else:
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")
        store = RedisStorage(Redis.from_url(url), prefix=prefix)
        if request.param == "redis+sql":
            store = MirroredStorage(store, sql_storage(tmp_path))
    yield store
    await store.close()


async def test_unknown_resident_has_no_record(storage: BaseStorage) -> None:
    assert await storage.get(StorageKey("oa", "o-nobody")) is None


async def test_record_round_trips_with_chinese_text(storage: BaseStorage) -> None:
    key = StorageKey("oa", "o-resident-1")
    await storage.set(key, Record(state="Report:locating", data={"description": "路灯坏了", "photos": [1, 2]},
                                  touched=123.5))
    record = await storage.get(key)
    assert record == Record(state="Report:locating", data={"description": "路灯坏了", "photos": [1, 2]},
                            touched=123.5)


async def test_channels_keep_separate_dialogs(storage: BaseStorage) -> None:
    await storage.set(StorageKey("oa", "same-id"), Record(state="A:a"))
    await storage.set(StorageKey("mp", "same-id"), Record(state="B:b"))
    assert (await storage.get(StorageKey("oa", "same-id"))).state == "A:a"  # type: ignore[union-attr]
    assert (await storage.get(StorageKey("mp", "same-id"))).state == "B:b"  # type: ignore[union-attr]


async def test_delete_forgets_the_dialog(storage: BaseStorage) -> None:
    key = StorageKey("oa", "o-resident-2")
    await storage.set(key, Record(state="Report:describing"))
    await storage.delete(key)
    assert await storage.get(key) is None


async def test_context_sets_state_and_merges_data(storage: BaseStorage) -> None:
    context = FSMContext(storage, StorageKey("oa", "o-3"), ttl=1800)
    await context.set_state(Report.describing)
    await context.update_data(description="垃圾没人收")
    await context.update_data(phone="13912345678")
    fresh = FSMContext(storage, StorageKey("oa", "o-3"), ttl=1800)
    assert await fresh.get_state() == "Report:describing"
    assert await fresh.get_data() == {"description": "垃圾没人收", "phone": "13912345678"}


async def test_idle_dialog_expires_but_remembers_what_it_held(storage: BaseStorage) -> None:
    key = StorageKey("oa", "o-4")
    old = FSMContext(storage, key, ttl=1800, now=1_000.0)
    await old.set_state(Report.locating)
    await old.update_data(description="井盖丢了")
    later = FSMContext(storage, key, ttl=1800, now=1_000.0 + 1801)
    await later.load()
    assert await later.get_state() is None
    assert later.expired is not None
    assert later.expired.state == "Report:locating"
    assert later.expired.data == {"description": "井盖丢了"}


async def test_active_dialog_within_ttl_is_kept(storage: BaseStorage) -> None:
    key = StorageKey("oa", "o-5")
    await FSMContext(storage, key, ttl=1800, now=1_000.0).set_state(Report.locating)
    soon = FSMContext(storage, key, ttl=1800, now=1_000.0 + 1799)
    await soon.load()
    assert soon.expired is None
    assert await soon.get_state() == "Report:locating"


async def test_redis_storage_survives_a_new_client(redis_url: str, redis_prefix: str) -> None:
    """A restarted process (a new connection) finds the dialog where it was."""
    first = RedisStorage(Redis.from_url(redis_url), prefix=redis_prefix)
    await first.set(StorageKey("oa", "o-6"), Record(state="Report:locating", data={"n": 1}))
    await first.close()
    second = RedisStorage(Redis.from_url(redis_url), prefix=redis_prefix)
    record = await second.get(StorageKey("oa", "o-6"))
    await second.close()
    assert record is not None and record.data == {"n": 1}


async def test_touch_keeps_a_dialog_alive_with_at_most_one_write_per_message() -> None:
    class CountingStorage(MemoryStorage):
        writes = 0

        async def set(self, key: StorageKey, record: Record) -> None:
            CountingStorage.writes += 1
            await super().set(key, record)

    storage = CountingStorage()
    key = StorageKey("oa", "o-7")
    await FSMContext(storage, key, ttl=1800, now=1_000.0).set_state(Report.locating)
    # A message whose handler wrote nothing (say, a status question mid-report) still resets the clock.
    quiet = FSMContext(storage, key, ttl=1800, now=2_000.0)
    await quiet.load()
    before = CountingStorage.writes
    await quiet.touch()
    assert CountingStorage.writes == before + 1
    assert (await storage.get(key)).touched == 2_000.0  # type: ignore[union-attr]
    # A message whose handler saved the dialog is not written twice.
    busy = FSMContext(storage, key, ttl=1800, now=3_000.0)
    await busy.update_data(photos=1)
    before = CountingStorage.writes
    await busy.touch()
    assert CountingStorage.writes == before
    assert (await storage.get(key)).touched == 3_000.0  # type: ignore[union-attr]
