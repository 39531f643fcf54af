"""The dispatcher: first match wins, filters, injection checked at start-up, middlewares, locks."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from redis.asyncio import Redis

from bot.dispatcher import Dispatcher
from bot.errors import HandlerSignatureError
from bot.filters import EventIs, Keywords, Kind, Regex, StateIs
from bot.fsm import FSMContext, State, StatesGroup
from bot.locks import RedisLocks
from bot.middleware import BaseMiddleware, Handler
from bot.router import Router
from bot.storage import RedisStorage, StorageKey
from bot.types import Channel, Location, Responder, TextMessage, Update
from bot.types import Kind as K

pytestmark = pytest.mark.anyio


class Report(StatesGroup):
    describing = State()
    locating = State()


def text(body: str, resident: str = "o-1", message_id: str = "1") -> Update:
    return Update(resident_id=resident, channel=Channel.OFFICIAL_ACCOUNT, kind=K.TEXT,
                  message_id=message_id, text=body)


def answers(messages: list[Any]) -> list[str]:
    return [m.text for m in messages if isinstance(m, TextMessage)]


async def test_first_matching_handler_wins_in_registration_order() -> None:
    dp = Dispatcher()
    child = Router("child")

    @dp.handler(Keywords(exact=["取消"]))
    async def cancel(responder: Responder) -> None:
        responder.text("cancelled")

    @child.handler(Kind(K.TEXT))
    async def anything(responder: Responder) -> None:
        responder.text("child")

    @child.handler(Keywords(exact=["取消"]))
    async def never(responder: Responder) -> None:
        responder.text("never")

    dp.include_router(child)
    assert answers(await dp.feed_update(text("取消！"))) == ["cancelled"]
    assert answers(await dp.feed_update(text("路灯坏了"))) == ["child"]


async def test_state_filter_routes_by_dialog_state() -> None:
    dp = Dispatcher()

    @dp.handler(StateIs(Report.locating), Kind(K.LOCATION))
    async def located(update: Update, state: FSMContext, responder: Responder) -> None:
        assert update.location is not None
        await state.clear()
        responder.text(f"at {update.location.lat}")

    @dp.handler(StateIs(None), Kind(K.TEXT))
    async def start(state: FSMContext, responder: Responder) -> None:
        await state.set_state(Report.locating)
        responder.text("where?")

    @dp.handler()
    async def fallback(responder: Responder, raw_state: str | None) -> None:
        responder.text(f"fallback in {raw_state}")

    assert answers(await dp.feed_update(text("树倒了"))) == ["where?"]
    assert answers(await dp.feed_update(text("还是树"))) == ["fallback in Report:locating"]
    pin = Update(resident_id="o-1", channel=Channel.OFFICIAL_ACCOUNT, kind=K.LOCATION, message_id="3",
                 location=Location(31.8, 117.3))
    assert answers(await dp.feed_update(pin)) == ["at 31.8"]


async def test_filter_results_are_injected_into_the_handler() -> None:
    dp = Dispatcher()

    @dp.handler(Regex(re.compile(r"BH\d{8}-\d{4}")))
    async def number(match: re.Match[str], responder: Responder) -> None:
        responder.text(match.group(0))

    assert answers(await dp.feed_update(text("查一下ＢＨ20261127-0001"))) == ["BH20261127-0001"]


async def test_workflow_data_is_injected_by_name() -> None:
    dp = Dispatcher(greeting="您好")

    @dp.handler(EventIs("subscribe"))
    async def welcome(greeting: str, responder: Responder) -> None:
        responder.text(greeting)

    event = Update(resident_id="o-1", channel=Channel.OFFICIAL_ACCOUNT, kind=K.EVENT, message_id="e",
                   event="subscribe")
    assert answers(await dp.feed_update(event)) == ["您好"]


async def test_unknown_handler_parameter_fails_at_start_up_not_at_call_time() -> None:
    dp = Dispatcher(nlu=object())

    @dp.handler(Kind(K.TEXT))
    async def broken(nlu: object, geo_service: object) -> None:
        raise AssertionError("never called")

    with pytest.raises(HandlerSignatureError, match="geo_service"):
        dp.freeze()


async def test_middlewares_wrap_outer_then_inner() -> None:
    calls: list[str] = []

    class Recorder(BaseMiddleware):
        def __init__(self, name: str) -> None:
            self.name = name

        async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
            calls.append(f"{self.name}>")
            data["seen_by"] = self.name
            result = await handler(update, data)
            calls.append(f"<{self.name}")
            return result

    dp = Dispatcher()
    dp.outer_middleware(Recorder("outer"), provides=("seen_by",))
    router = dp.include_router(Router("r"))
    router.inner_middleware(Recorder("inner"))

    @router.handler(Kind(K.TEXT))
    async def handle(seen_by: str) -> None:
        calls.append(f"handler:{seen_by}")

    await dp.feed_update(text("x"))
    assert calls == ["outer>", "inner>", "handler:inner", "<inner", "<outer"]
    calls.clear()
    await dp.feed_update(Update(resident_id="o", channel=Channel.OFFICIAL_ACCOUNT, kind=K.IMAGE,
                                message_id="2"))
    assert calls == ["outer>", "<outer"], "inner middlewares run only when a handler matched"


async def test_handler_error_answers_politely_through_on_error() -> None:
    async def on_error(update: Update, exc: BaseException, responder: Responder) -> None:
        responder.text("sorry")

    dp = Dispatcher(on_error=on_error)

    @dp.handler()
    async def boom(responder: Responder) -> None:
        responder.text("half an answer")
        raise RuntimeError("bug")

    assert answers(await dp.feed_update(text("hi"))) == ["sorry"]


async def _collect_photos(dp: Dispatcher, updates: list[Update]) -> list[str]:
    await asyncio.gather(*(dp.feed_update(u) for u in updates))
    record = await dp.storage.get(StorageKey("oa", "o-9"))
    assert record is not None
    return list(record.data["photos"])


def _photo_dispatcher(**kwargs: Any) -> Dispatcher:
    dp = Dispatcher(**kwargs)

    @dp.handler(Kind(K.IMAGE))
    async def photo(update: Update, state: FSMContext) -> None:
        data = await state.get_data()
        await asyncio.sleep(0.01)  # a slow store: without the lock a concurrent photo would be lost
        await state.update_data(photos=[*data.get("photos", []), update.message_id])
        await state.set_state(Report.describing)

    return dp


def _photos(n: int) -> list[Update]:
    return [Update(resident_id="o-9", channel=Channel.OFFICIAL_ACCOUNT, kind=K.IMAGE, message_id=str(i))
            for i in range(n)]


async def test_quick_successive_photos_are_all_kept_in_order() -> None:
    assert await _collect_photos(_photo_dispatcher(), _photos(6)) == [str(i) for i in range(6)]


async def test_redis_lock_serialises_two_dispatchers_sharing_state(redis_url: str, redis_prefix: str) -> None:
    """Two API processes (two dispatchers, two connections) never interleave one resident's messages."""
    first = _photo_dispatcher(storage=RedisStorage(Redis.from_url(redis_url), prefix=redis_prefix),
                              locks=RedisLocks(Redis.from_url(redis_url), prefix=redis_prefix))
    second = _photo_dispatcher(storage=RedisStorage(Redis.from_url(redis_url), prefix=redis_prefix),
                               locks=RedisLocks(Redis.from_url(redis_url), prefix=redis_prefix))
    updates = _photos(8)
    await asyncio.gather(*(dp.feed_update(u) for dp, u in zip([first, second] * 4, updates, strict=True)))
    record = await first.storage.get(StorageKey("oa", "o-9"))
    assert record is not None
    assert sorted(record.data["photos"], key=int) == [str(i) for i in range(8)]
    for dp in (first, second):
        await dp.storage.close()
        assert isinstance(dp.locks, RedisLocks)
        await dp.locks.redis.aclose()


async def test_skip_handler_lets_the_next_handler_take_the_update() -> None:
    from bot.errors import SkipHandler

    dp = Dispatcher()

    @dp.handler(Kind(K.TEXT))
    async def picky(responder: Responder) -> None:
        raise SkipHandler

    @dp.handler(Kind(K.TEXT))
    async def general(responder: Responder) -> None:
        responder.text("general")

    assert answers(await dp.feed_update(text("x"))) == ["general"]
