"""The residents' side: the stand-in plays WeChat towards a small wechatpy callback of our own."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import ImageReply, TextReply
from wechatpy.utils import check_signature

from sandbox import SandboxConfig, SandboxState, build_sandbox_routers
from sandbox.residents import SERVICE_DOWN
from sandbox.server import BackgroundServer

pytestmark = pytest.mark.anyio

OA, MP, TOKEN, AES = "wx_res_oa", "wx_res_mp", "resident-token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_res_account"
RESIDENT = "o_resident_7"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF a photo of a broken street lamp"


def callback_app(seen: list[Any], mode: str = "safe") -> FastAPI:
    """A minimal official-account callback: verify, decrypt, parse, answer ``收到：…``."""
    app = FastAPI()
    crypto = WeChatCrypto(TOKEN, AES, OA)

    @app.post("/wechat")
    async def wechat(request: Request) -> Response:
        q = request.query_params
        body = await request.body()
        check_signature(TOKEN, q["signature"], q["timestamp"], q["nonce"])
        xml = crypto.decrypt_message(body, q["msg_signature"], q["timestamp"], q["nonce"]) if mode != "plain" \
            else body.decode()
        message = parse_message(xml)
        seen.append(message)
        content = getattr(message, "content", "")
        if content == "慢":
            await asyncio.sleep(1)
        if content == "静":
            return Response("success")
        if content == "错":
            return Response("oops", status_code=500)
        if message.type == "image":
            reply: Any = ImageReply(message=message, media_id=message.media_id)
        elif message.type == "event":
            reply = TextReply(message=message, content=f"事件：{message.event}")
        else:
            reply = TextReply(message=message, content=f"收到：{content or message.type}")
        rendered = reply.render()
        if content == "伪":
            envelope = crypto.encrypt_message(rendered, q["nonce"], q["timestamp"])
            return Response(envelope.replace("<MsgSignature><![CDATA[", "<MsgSignature><![CDATA[0"))
        if mode == "plain":
            return Response(rendered, media_type="application/xml")
        return Response(crypto.encrypt_message(rendered, q["nonce"], q["timestamp"]), media_type="application/xml")

    return app


def make_state(mode: str = "safe", timeout: float = 5.0, url: str = "http://ours.test/wechat") -> SandboxState:
    config = SandboxConfig(
        appid=OA, secret="oa", mp_appid=MP, mp_secret="mp", callback_url=url,
        token=TOKEN, aes_key=AES, account_id=ACCOUNT, encrypt_mode=mode,  # type: ignore[arg-type]
        callback_timeout=timeout,
    )
    return SandboxState(config)


def stand_in_app(state: SandboxState) -> FastAPI:
    app = FastAPI()
    for router in build_sandbox_routers(state):
        app.include_router(router)
    return app


@pytest.fixture
def seen() -> list[Any]:
    return []


@pytest.fixture
def state(seen: list[Any]) -> SandboxState:
    state = make_state(timeout=0.3)
    state.callback_transport = httpx.ASGITransport(app=callback_app(seen))
    return state


@pytest.fixture
async def sandbox(state: SandboxState) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=stand_in_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://ours.test/sandbox/api") as client:
        yield client


async def send(sandbox: httpx.AsyncClient, payload: dict[str, Any], openid: str = RESIDENT) -> httpx.Response:
    return await sandbox.post(f"/residents/{openid}/send", json=payload)


async def test_text_reaches_the_callback_and_the_reply_reaches_the_resident(
    sandbox: httpx.AsyncClient, seen: list[Any]
) -> None:
    response = await send(sandbox, {"kind": "text", "content": "小区东门路灯不亮"})
    assert response.status_code == 200
    result = response.json()
    assert result["reply"]["Content"] == "收到：小区东门路灯不亮"
    assert result["reply"]["ToUserName"] == RESIDENT and result["reply"]["FromUserName"] == ACCOUNT
    [message] = seen
    assert (message.source, message.target, message.type) == (RESIDENT, ACCOUNT, "text")
    assert message.id == int(result["message"]["MsgId"])
    log = (await sandbox.get("/messages", params={"openid": RESIDENT})).json()
    assert [(entry["via"], entry["text"]) for entry in log] == [("reply", "收到：小区东门路灯不亮")]


async def test_image_is_stored_as_media_with_a_picture_url(
    sandbox: httpx.AsyncClient, seen: list[Any], state: SandboxState
) -> None:
    response = await send(sandbox, {"kind": "image", "image_base64": base64.b64encode(JPEG).decode()})
    assert response.status_code == 200
    [message] = seen
    assert message.type == "image"
    assert message.image.startswith("http://ours.test/sandbox/api/media/")
    picture = await sandbox.get(message.image.removeprefix("http://ours.test/sandbox/api"))
    assert picture.content == JPEG and picture.headers["content-type"] == "image/jpeg"
    assert state.get_media(message.media_id).content == JPEG
    assert response.json()["reply"]["Image"]["MediaId"] == message.media_id


async def test_location_voice_and_events(sandbox: httpx.AsyncClient, seen: list[Any]) -> None:
    await send(sandbox, {"kind": "location", "lat": 31.82, "lng": 117.23, "label": "安徽省合肥市蜀山区"})
    await send(sandbox, {"kind": "voice", "recognition": "垃圾没人收"})
    await send(sandbox, {"kind": "event", "event": "subscribe"})
    clicked = await send(sandbox, {"kind": "event", "event": "CLICK", "key": "REPORT"})
    await send(sandbox, {"kind": "event", "event": "LOCATION", "lat": 31.8, "lng": 117.2, "precision": 65.0})
    location, voice, subscribe, click, where = seen
    assert tuple(map(float, location.location)) == (31.82, 117.23) and location.label == "安徽省合肥市蜀山区"
    assert voice.recognition == "垃圾没人收" and voice.format == "amr"
    assert (subscribe.event, click.event, click.key) == ("subscribe", "click", "REPORT")
    assert (where.latitude, where.longitude, where.precision) == (31.8, 117.2, 65.0)
    assert clicked.json()["reply"]["Content"] == "事件：click"


async def test_resident_messages_open_the_window_and_reset_the_quota(
    sandbox: httpx.AsyncClient, state: SandboxState
) -> None:
    await send(sandbox, {"kind": "event", "event": "LOCATION", "lat": 31.8, "lng": 117.2, "precision": 65.0})
    assert state.resident(RESIDENT).last_interaction is None  # a position report is not an interaction
    await send(sandbox, {"kind": "text", "content": "你好"})
    assert state.resident(RESIDENT).last_interaction == pytest.approx(state.now(), abs=5)
    state.resident(RESIDENT).sent_since = 5
    await send(sandbox, {"kind": "event", "event": "CLICK", "key": "PROGRESS"})
    assert state.resident(RESIDENT).sent_since == 0


async def test_unsubscribed_resident_cannot_get_template_messages(
    sandbox: httpx.AsyncClient, state: SandboxState
) -> None:
    await send(sandbox, {"kind": "text", "content": "你好"})
    assert (await send(sandbox, {"kind": "event", "event": "unsubscribe"})).json()["reply"] is None
    assert not state.resident(RESIDENT).following


async def test_success_shows_the_resident_nothing(sandbox: httpx.AsyncClient) -> None:
    result = (await send(sandbox, {"kind": "text", "content": "静"})).json()
    assert result["reply"] is None and result["error"] is None
    assert (await sandbox.get("/messages", params={"openid": RESIDENT})).json() == []


@pytest.mark.parametrize(("content", "error"), [("伪", "unreadable reply"), ("错", "HTTP 500")])
async def test_a_bad_answer_shows_the_service_down_line(
    sandbox: httpx.AsyncClient, content: str, error: str
) -> None:
    response = await send(sandbox, {"kind": "text", "content": content})
    assert response.status_code == 502
    assert error in response.json()["error"]
    [entry] = (await sandbox.get("/messages", params={"openid": RESIDENT})).json()
    assert (entry["via"], entry["text"]) == ("system", SERVICE_DOWN)


async def test_a_slow_callback_is_tried_three_times_with_the_same_msgid(
    sandbox: httpx.AsyncClient, seen: list[Any]
) -> None:
    response = await send(sandbox, {"kind": "text", "content": "慢", "msg_id": 6100000000000000001})
    assert response.status_code == 502
    assert [message.id for message in seen] == [6100000000000000001] * 3


async def test_subscriptions_codes_clock_and_reset(sandbox: httpx.AsyncClient, state: SandboxState) -> None:
    accepted = await sandbox.post(f"/residents/{RESIDENT}/subscribe", json={"template_ids": ["T1", "T1", "T2"]})
    assert accepted.json()["credits"] == {"T1": 2, "T2": 1}
    code = (await sandbox.post("/mp/code", json={"openid": RESIDENT})).json()["code"]
    assert state.jscode2session(appid=MP, secret="mp", js_code=code, grant_type="authorization_code")[
        "openid"] == RESIDENT
    before = (await sandbox.get("/clock")).json()["now"]
    after = (await sandbox.post("/clock", json={"advance": 3600})).json()["now"]
    assert after - before == pytest.approx(3600, abs=5)
    await send(sandbox, {"kind": "text", "content": "你好"})
    assert (await sandbox.delete("/messages", params={"openid": RESIDENT})).status_code == 204
    assert (await sandbox.get("/messages")).json() == []
    assert (await sandbox.post("/reset")).status_code == 204
    assert state.residents == {} and state.now() == pytest.approx(before, abs=5)


async def test_bad_resident_payloads_are_422(sandbox: httpx.AsyncClient) -> None:
    assert (await send(sandbox, {"kind": "text"})).status_code == 422
    assert (await send(sandbox, {"kind": "image", "image_base64": "***"})).status_code == 422
    assert (await send(sandbox, {"kind": "location", "lat": 1.0})).status_code == 422
    assert (await send(sandbox, {"kind": "sticker"})).status_code == 422


# --- over real HTTP: the stand-in and the callback as two uvicorn servers, plain mode too ---


@pytest.fixture
def servers(seen: list[Any]) -> Iterator[tuple[str, SandboxState]]:
    with BackgroundServer(callback_app(seen, mode="plain")) as ours:
        state = make_state(mode="plain", url=ours.url + "/wechat")
        with BackgroundServer(stand_in_app(state)) as wechat:
            yield wechat.url, state


async def test_plain_mode_over_real_http(servers: tuple[str, SandboxState], seen: list[Any]) -> None:
    url, state = servers
    async with httpx.AsyncClient(base_url=url + "/sandbox/api") as client:
        response = await client.post(f"/residents/{RESIDENT}/send", json={"kind": "text", "content": "明文"})
        log = (await client.get("/messages", params={"openid": RESIDENT})).json()
    assert response.status_code == 200, response.text
    assert response.json()["reply"]["Content"] == "收到：明文"
    assert [entry["text"] for entry in log] == ["收到：明文"]
    assert seen[0].content == "明文"
    assert state.resident(RESIDENT).last_interaction is not None


async def test_compat_mode_sends_plaintext_and_ciphertext(seen: list[Any]) -> None:
    state = make_state(mode="compat")
    state.callback_transport = httpx.ASGITransport(app=callback_app(seen, mode="compat"))
    transport = httpx.ASGITransport(app=stand_in_app(state))
    async with httpx.AsyncClient(transport=transport, base_url="http://ours.test/sandbox/api") as client:
        response = await send(client, {"kind": "text", "content": "兼容"})
    assert response.json()["reply"]["Content"] == "收到：兼容"
    assert seen[0].content == "兼容"
