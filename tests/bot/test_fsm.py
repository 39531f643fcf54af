"""A finished dialog leaves nothing in the storage, and reads exactly as a resident who never wrote."""

from __future__ import annotations

import pytest

from bot.fsm import FSMContext, State, StatesGroup
from bot.storage import MemoryStorage, StorageKey

pytestmark = pytest.mark.anyio


class Report(StatesGroup):
    describing = State()


async def test_a_finished_dialog_leaves_no_record() -> None:
    storage = MemoryStorage()
    key = StorageKey("oa", "o-done")
    context = FSMContext(storage, key, ttl=1800)
    await context.set_state(Report.describing)
    await context.update_data(description="路灯坏了")
    await context.set_data({})
    await context.set_state(None)
    assert await storage.get(key) is None
    again = FSMContext(storage, key, ttl=1800)
    assert await again.get_state() is None and await again.get_data() == {} and again.expired is None


async def test_an_ended_dialog_that_keeps_data_keeps_its_record() -> None:
    storage = MemoryStorage()
    key = StorageKey("oa", "o-remembers")
    context = FSMContext(storage, key, ttl=1800)
    await context.update_data(last_case="BH20261128-0001")
    await context.set_state(None)
    record = await storage.get(key)
    assert record is not None and record.data == {"last_case": "BH20261128-0001"}


async def test_an_expired_dialog_is_offered_once_then_forgotten() -> None:
    storage = MemoryStorage()
    key = StorageKey("oa", "o-idle")
    await FSMContext(storage, key, ttl=1800, now=1_000.0).set_state(Report.describing)
    later = FSMContext(storage, key, ttl=1800, now=3_000.0)
    await later.load()
    assert later.expired is not None and later.expired.state == "Report:describing"
    assert await storage.get(key) is None
    again = FSMContext(storage, key, ttl=1800, now=3_001.0)
    await again.load()
    assert again.expired is None
