"""The push client against the local WeChat stand-in, served by uvicorn over real HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import redis.asyncio as aioredis
from fastapi import FastAPI

from bot.push import WeChatApi, WeChatApiError
from bot.token_cache import CachedToken, MemoryTokenCache, RedisTokenCache, TokenCache
from sandbox import SandboxConfig, SandboxState, build_sandbox_routers
from sandbox.server import BackgroundServer

pytestmark = pytest.mark.anyio

OA_APPID, OA_SECRET = "wx_push_test_oa", "oa-secret"
MP_APPID, MP_SECRET = "wx_push_test_mp", "mp-secret"
RESIDENT = "o_resident_push_0001"
TWO_DAYS = 48 * 3600


@pytest.fixture(scope="module")
def stand_in() -> Iterator[tuple[SandboxState, str]]:
    config = SandboxConfig(
        appid=OA_APPID,
        secret=OA_SECRET,
        mp_appid=MP_APPID,
        mp_secret=MP_SECRET,
        callback_url="http://127.0.0.1:9/wechat",
        token="push-test-token",
        aes_key=None,
    )
    state = SandboxState(config)
    app = FastAPI()
    for router in build_sandbox_routers(state):
        app.include_router(router)
    with BackgroundServer(app) as server:
        yield state, server.url + "/sandbox/wechat-api"


@pytest.fixture
def state(stand_in: tuple[SandboxState, str]) -> SandboxState:
    stand_in[0].reset()
    return stand_in[0]


@pytest.fixture
def base_url(stand_in: tuple[SandboxState, str]) -> str:
    return stand_in[1]


@pytest.fixture
async def oa(state: SandboxState, base_url: str) -> AsyncIterator[WeChatApi]:
    async with WeChatApi(base_url=base_url, appid=OA_APPID, secret=OA_SECRET, cache=MemoryTokenCache()) as api:
        yield api


@pytest.fixture
async def mp(state: SandboxState, base_url: str) -> AsyncIterator[WeChatApi]:
    async with WeChatApi(base_url=base_url, appid=MP_APPID, secret=MP_SECRET, cache=MemoryTokenCache()) as api:
        yield api


def resident_writes(state: SandboxState, openid: str = RESIDENT) -> None:
    state.record_interaction(openid, opens_window=True)


def texts(state: SandboxState, openid: str = RESIDENT) -> list[str | None]:
    return [entry["text"] for entry in state.messages(openid)]


# --- the token ---


async def test_token_is_fetched_once_and_reused(oa: WeChatApi, state: SandboxState) -> None:
    resident_writes(state)
    await oa.send_custom_text(RESIDENT, "您好")
    await oa.send_custom_text(RESIDENT, "已收到")
    assert state.token_requests[OA_APPID] == 1
    assert texts(state) == ["您好", "已收到"]


async def test_expired_token_is_refreshed_once_and_the_call_retried(
    oa: WeChatApi, state: SandboxState
) -> None:
    first = await oa.access_token()
    state.advance(7200 + 1)  # WeChat's clock: the cached token has expired there, not here
    resident_writes(state)
    await oa.send_custom_text(RESIDENT, "您的反映已登记")
    assert state.token_requests[OA_APPID] == 2
    assert await oa.access_token() != first
    assert texts(state) == ["您的反映已登记"]


async def test_a_cached_token_wechat_does_not_know_is_replaced_and_the_call_retried(
    base_url: str, state: SandboxState
) -> None:
    class StaleCache(MemoryTokenCache):
        """A cache that keeps handing out a token WeChat never issued."""

        async def get(self, appid: str) -> CachedToken | None:
            return CachedToken(token="not-a-token", expires_at=4_000_000_000.0)

    resident_writes(state)
    async with WeChatApi(base_url=base_url, appid=OA_APPID, secret=OA_SECRET, cache=StaleCache()) as api:
        await api.send_custom_text(RESIDENT, "您好")
    assert state.token_requests[OA_APPID] == 1
    assert texts(state) == ["您好"]


async def test_errors_other_than_token_errors_are_not_retried(oa: WeChatApi, state: SandboxState) -> None:
    with pytest.raises(WeChatApiError) as caught:
        await oa.send_custom_text(RESIDENT, "您好")
    assert caught.value.errcode == 45015
    assert not caught.value.is_token_error
    assert state.token_requests[OA_APPID] == 1


async def test_wrong_secret_surfaces_as_invalid_appsecret(base_url: str, state: SandboxState) -> None:
    async with WeChatApi(base_url=base_url, appid=OA_APPID, secret="wrong", cache=MemoryTokenCache()) as api:
        with pytest.raises(WeChatApiError) as caught:
            await api.access_token()
    assert caught.value.errcode == 40125
    assert "invalid appsecret" in caught.value.errmsg
    assert not caught.value.is_retryable


async def test_plain_token_endpoint_works_too(base_url: str, state: SandboxState) -> None:
    cache = MemoryTokenCache()
    async with WeChatApi(
        base_url=base_url, appid=OA_APPID, secret=OA_SECRET, cache=cache, use_stable_token=False
    ) as api:
        first = await api.access_token()
        second = await api.access_token(force_refresh=True)
    assert first != second
    assert state.token_requests[OA_APPID] == 2


async def test_unreachable_api_is_a_retryable_error(state: SandboxState) -> None:
    async with WeChatApi(
        base_url="http://127.0.0.1:9", appid=OA_APPID, secret=OA_SECRET, cache=MemoryTokenCache(), timeout=2
    ) as api:
        with pytest.raises(WeChatApiError) as caught:
            await api.access_token()
    assert caught.value.errcode == -1
    assert caught.value.is_retryable


# --- the token shared through Redis ---


async def _redis_clients(
    redis_url: str, redis_prefix: str, base_url: str
) -> tuple[list[aioredis.Redis], list[WeChatApi]]:
    clients = [aioredis.Redis.from_url(redis_url) for _ in range(2)]
    caches: list[TokenCache] = [RedisTokenCache(client, prefix=redis_prefix) for client in clients]
    apis = [WeChatApi(base_url=base_url, appid=OA_APPID, secret=OA_SECRET, cache=cache) for cache in caches]
    return clients, apis


@pytest.mark.redis
async def test_two_processes_sharing_redis_fetch_the_token_once(
    redis_url: str, redis_prefix: str, base_url: str, state: SandboxState
) -> None:
    clients, apis = await _redis_clients(redis_url, redis_prefix, base_url)
    try:
        tokens = await asyncio.gather(*(api.access_token() for api in apis for _ in range(10)))
    finally:
        for api in apis:
            await api.aclose()
        for client in clients:
            await client.aclose()
    assert len(set(tokens)) == 1
    assert state.token_requests[OA_APPID] == 1


@pytest.mark.redis
async def test_a_token_rejected_in_two_processes_is_refreshed_once(
    redis_url: str, redis_prefix: str, base_url: str, state: SandboxState
) -> None:
    clients, apis = await _redis_clients(redis_url, redis_prefix, base_url)
    openids = [f"o_resident_redis_{n}" for n in range(8)]
    try:
        await apis[0].access_token()
        # Someone force-refreshes the stable token elsewhere: the shared token is now invalid (40001).
        async with httpx.AsyncClient() as http:
            forced = await http.post(
                base_url + "/cgi-bin/stable_token",
                json={"grant_type": "client_credential", "appid": OA_APPID, "secret": OA_SECRET,
                      "force_refresh": True},
            )
        assert "access_token" in forced.json()
        for openid in openids:
            resident_writes(state, openid)
        before = state.token_requests[OA_APPID]
        await asyncio.gather(
            *(apis[n % 2].send_custom_text(openid, "处理进展：已派单") for n, openid in enumerate(openids))
        )
    finally:
        for api in apis:
            await api.aclose()
        for client in clients:
            await client.aclose()
    assert state.token_requests[OA_APPID] - before == 1
    assert all(texts(state, openid) == ["处理进展：已派单"] for openid in openids)


# --- customer-service messages ---


async def test_custom_message_outside_the_48_hour_window_is_refused(
    oa: WeChatApi, state: SandboxState
) -> None:
    with pytest.raises(WeChatApiError) as never_wrote:
        await oa.send_custom_text(RESIDENT, "您好")
    resident_writes(state)
    state.advance(TWO_DAYS + 60)
    with pytest.raises(WeChatApiError) as too_late:
        await oa.send_custom_text(RESIDENT, "您好")
    assert never_wrote.value.errcode == too_late.value.errcode == 45015
    assert state.messages(RESIDENT) == []


async def test_sixth_custom_message_is_refused_until_the_resident_writes_again(
    oa: WeChatApi, state: SandboxState
) -> None:
    resident_writes(state)
    for n in range(5):
        await oa.send_custom_text(RESIDENT, f"第{n + 1}条")
    with pytest.raises(WeChatApiError) as caught:
        await oa.send_custom_text(RESIDENT, "第6条")
    assert caught.value.errcode == 45047
    resident_writes(state)
    await oa.send_custom_text(RESIDENT, "第6条")
    assert texts(state) == ["第1条", "第2条", "第3条", "第4条", "第5条", "第6条"]


async def test_custom_image_and_news(oa: WeChatApi, state: SandboxState) -> None:
    resident_writes(state)
    media_id = await oa.upload_media("image", "map.png", b"\x89PNG\r\n\x1a\n fake png")
    await oa.send_custom_image(RESIDENT, media_id)
    article = {"title": "办理进度", "description": "已受理", "url": "https://example.org/c/1", "picurl": ""}
    await oa.send_custom_news(RESIDENT, [article])
    entries = state.messages(RESIDENT)
    assert [entry["msgtype"] for entry in entries] == ["image", "news"]
    assert entries[0]["body"]["image"]["media_id"] == media_id
    assert entries[1]["text"] == "办理进度"


# --- template and subscribe messages ---


async def test_template_message_is_delivered_and_returns_a_msgid(oa: WeChatApi, state: SandboxState) -> None:
    resident_writes(state)
    msgid = await oa.send_template(
        RESIDENT, "TPL_CASE_UPDATE", {"thing1": "楼道堆物", "phrase2": "已办结"}, url="https://example.org"
    )
    assert msgid > 0
    [entry] = state.messages(RESIDENT)
    assert entry["via"] == "template"
    assert entry["body"]["data"]["thing1"] == {"value": "楼道堆物"}


@pytest.mark.parametrize("value", ["这是一段超过二十个字的很长很长很长的事项描述文字", "第一行\n第二行"])
async def test_template_field_too_long_or_multiline_is_refused_before_sending(
    oa: WeChatApi, state: SandboxState, value: str
) -> None:
    resident_writes(state)
    with pytest.raises(ValueError):
        await oa.send_template(RESIDENT, "TPL_CASE_UPDATE", {"thing1": value})
    assert state.token_requests[OA_APPID] == 0
    assert state.messages(RESIDENT) == []


async def test_subscribe_message_needs_one_acceptance_per_message(mp: WeChatApi, state: SandboxState) -> None:
    data = {"thing1": "路灯不亮", "phrase2": "已受理"}
    with pytest.raises(WeChatApiError) as refused:
        await mp.send_subscribe(RESIDENT, "TPL_SUB", data)
    assert refused.value.errcode == 43101
    state.accept_subscriptions(RESIDENT, ["TPL_SUB"])
    assert await mp.send_subscribe(RESIDENT, "TPL_SUB", data, page="pages/case/index?id=1") > 0
    with pytest.raises(WeChatApiError) as consumed:
        await mp.send_subscribe(RESIDENT, "TPL_SUB", data)
    assert consumed.value.errcode == 43101
    assert [entry["via"] for entry in state.messages(RESIDENT)] == ["subscribe"]


async def test_subscribe_message_with_the_official_account_token_is_unauthorized(
    oa: WeChatApi, state: SandboxState
) -> None:
    state.accept_subscriptions(RESIDENT, ["TPL_SUB"])
    with pytest.raises(WeChatApiError) as caught:
        await oa.send_subscribe(RESIDENT, "TPL_SUB", {"thing1": "路灯不亮"})
    assert caught.value.errcode == 48001


# --- media ---


async def test_media_round_trip_and_expiry_after_three_days(oa: WeChatApi, state: SandboxState) -> None:
    photo = b"\xff\xd8\xff\xe0 a resident's jpeg"
    media_id = await oa.upload_media("image", "photo.jpg", photo)
    assert await oa.get_media(media_id) == (photo, "image/jpeg")
    state.advance(3 * 24 * 3600 + 1)
    with pytest.raises(WeChatApiError) as caught:
        await oa.get_media(media_id)
    assert caught.value.errcode == 40007


async def test_unknown_media_type_is_refused(oa: WeChatApi) -> None:
    with pytest.raises(WeChatApiError) as caught:
        await oa.upload_media("gif", "a.gif", b"GIF89a")
    assert caught.value.errcode == 40004


# --- mini-program login ---


async def test_jscode2session_code_works_once(mp: WeChatApi, state: SandboxState) -> None:
    code = state.issue_code("o_mp_resident_1")
    session = await mp.jscode2session(code)
    assert session["openid"] == "o_mp_resident_1"
    assert session["session_key"]
    with pytest.raises(WeChatApiError) as caught:
        await mp.jscode2session(code)
    assert caught.value.errcode == 40163


async def test_jscode2session_with_the_official_account_is_refused(oa: WeChatApi, state: SandboxState) -> None:
    code = state.issue_code("o_mp_resident_1")
    with pytest.raises(WeChatApiError) as caught:
        await oa.jscode2session(code)
    assert caught.value.errcode == 40013
