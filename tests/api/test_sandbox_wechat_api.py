"""The stand-in's WeChat API as a client sees it on the wire: paths, JSON, errcodes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sandbox import SandboxConfig, SandboxState, build_sandbox_routers

pytestmark = pytest.mark.anyio

OA, OA_SECRET, MP, MP_SECRET = "wx_oa_api", "oa-api-secret", "wx_mp_api", "mp-api-secret"
CREDENTIALS = {"grant_type": "client_credential", "appid": OA, "secret": OA_SECRET}


@pytest.fixture
def state() -> SandboxState:
    return SandboxState(SandboxConfig(appid=OA, secret=OA_SECRET, mp_appid=MP, mp_secret=MP_SECRET,
                                      callback_url="http://127.0.0.1:9/wechat", token="t", aes_key=None))


@pytest.fixture
async def wx(state: SandboxState) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    for router in build_sandbox_routers(state):
        app.include_router(router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://wx/sandbox/wechat-api") as client:
        yield client


async def token(wx: httpx.AsyncClient, **extra: Any) -> str:
    answer = (await wx.get("/cgi-bin/token", params={**CREDENTIALS, **extra})).json()
    return str(answer["access_token"])


async def stable(wx: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    answer: dict[str, Any] = (await wx.post("/cgi-bin/stable_token", json={**CREDENTIALS, **extra})).json()
    return answer


async def custom(wx: httpx.AsyncClient, access_token: str, openid: str = "o_1", text: str = "您好") -> int:
    response = await wx.post("/cgi-bin/message/custom/send", params={"access_token": access_token},
                             json={"touser": openid, "msgtype": "text", "text": {"content": text}})
    assert response.status_code == 200  # WeChat answers errors with HTTP 200 too
    return int(response.json()["errcode"])


async def test_token_answer_has_wechats_shape(wx: httpx.AsyncClient) -> None:
    answer = (await wx.get("/cgi-bin/token", params=CREDENTIALS)).json()
    assert set(answer) == {"access_token", "expires_in"}
    assert answer["expires_in"] == 7200


@pytest.mark.parametrize(
    ("params", "errcode"),
    [
        ({"secret": "wrong"}, 40125),
        ({"appid": "wx_unknown"}, 40013),
        ({"appid": ""}, 41002),
        ({"grant_type": "password"}, 40002),
    ],
)
async def test_bad_credentials(wx: httpx.AsyncClient, params: dict[str, str], errcode: int) -> None:
    basic = (await wx.get("/cgi-bin/token", params={**CREDENTIALS, **params})).json()
    assert basic["errcode"] == errcode
    assert "rid:" in basic["errmsg"]
    assert (await stable(wx, **params))["errcode"] == errcode


async def test_wrong_secret_says_invalid_appsecret(wx: httpx.AsyncClient) -> None:
    answer = await stable(wx, secret="wrong")
    assert answer["errmsg"].startswith("invalid appsecret")


async def test_a_new_token_retires_the_previous_one_after_five_minutes(
    wx: httpx.AsyncClient, state: SandboxState
) -> None:
    state.record_interaction("o_1", opens_window=True)
    old = await token(wx)
    new = await token(wx)
    assert await custom(wx, old) == 0  # the overlap WeChat grants while the new token spreads
    state.advance(301)
    state.record_interaction("o_1", opens_window=True)
    assert await custom(wx, old) == 40001
    assert await custom(wx, new) == 0


async def test_stable_token_is_stable_until_forced(wx: httpx.AsyncClient, state: SandboxState) -> None:
    state.record_interaction("o_1", opens_window=True)
    first = await stable(wx)
    basic = await token(wx)  # the two kinds of token are independent
    again = await stable(wx)
    assert again["access_token"] == first["access_token"]
    assert await custom(wx, first["access_token"]) == 0
    forced = await stable(wx, force_refresh=True)
    assert forced["access_token"] != first["access_token"]
    assert await custom(wx, first["access_token"]) == 40001
    assert await custom(wx, forced["access_token"]) == 0
    assert await custom(wx, basic) == 0


async def test_stable_token_is_renewed_in_its_last_five_minutes(wx: httpx.AsyncClient, state: SandboxState) -> None:
    state.record_interaction("o_1", opens_window=True)
    first = await stable(wx)
    state.advance(7200 - 200)
    renewed = await stable(wx)
    assert renewed["access_token"] != first["access_token"]
    assert renewed["expires_in"] == 7200
    assert await custom(wx, first["access_token"]) == 0  # still valid until it expires
    state.advance(201)
    state.record_interaction("o_1", opens_window=True)
    assert await custom(wx, first["access_token"]) == 42001


async def test_token_errors(wx: httpx.AsyncClient, state: SandboxState) -> None:
    assert await custom(wx, "") == 41001
    assert await custom(wx, "never-issued") == 40001
    issued = await token(wx)
    state.advance(7201)
    assert await custom(wx, issued) == 42001


async def test_custom_send_window_and_quota(wx: httpx.AsyncClient, state: SandboxState) -> None:
    access = await token(wx)
    assert await custom(wx, access, "o_stranger") == 45015
    state.record_interaction("o_1", opens_window=True)
    assert [await custom(wx, access, "o_1", f"第{n}条") for n in range(1, 7)] == [0, 0, 0, 0, 0, 45047]
    state.record_interaction("o_1", opens_window=True)
    state.advance(48 * 3600 - 10)
    access = await token(wx)
    assert await custom(wx, access, "o_1") == 0
    state.advance(20)
    assert await custom(wx, access, "o_1") == 45015
    assert [entry["text"] for entry in state.messages("o_1")] == ["第1条", "第2条", "第3条", "第4条", "第5条", "您好"]


async def test_custom_send_bad_requests(wx: httpx.AsyncClient, state: SandboxState) -> None:
    access = await token(wx)
    state.record_interaction("o_1", opens_window=True)
    url, params = "/cgi-bin/message/custom/send", {"access_token": access}
    assert (await wx.post(url, params=params, content=b"{not json")).json()["errcode"] == 47001
    bad_type = {"touser": "o_1", "msgtype": "fax", "fax": {}}
    assert (await wx.post(url, params=params, json=bad_type)).json()["errcode"] == 40008
    no_media = {"touser": "o_1", "msgtype": "image", "image": {"media_id": "nope"}}
    assert (await wx.post(url, params=params, json=no_media)).json()["errcode"] == 40007
    too_long = {"touser": "o_1", "msgtype": "text", "text": {"content": "长" * 700}}
    assert (await wx.post(url, params=params, json=too_long)).json()["errcode"] == 45002


async def test_template_send_checks_fields_and_followers(wx: httpx.AsyncClient, state: SandboxState) -> None:
    access = await token(wx)
    url, params = "/cgi-bin/message/template/send", {"access_token": access}

    def body(value: str, openid: str = "o_1") -> dict[str, Any]:
        return {"touser": openid, "template_id": "TPL", "data": {"thing1": {"value": value}}}

    state.record_interaction("o_1", opens_window=False)
    long_answer = (await wx.post(url, params=params, json=body("二" * 21))).json()
    assert long_answer["errcode"] == 47003
    assert long_answer["errmsg"].startswith("argument invalid! data.thing1.value invalid")
    assert (await wx.post(url, params=params, json=body("一行\n两行"))).json()["errcode"] == 47003
    assert (await wx.post(url, params=params, json=body("ok", "o_never_seen"))).json()["errcode"] == 43004
    sent = (await wx.post(url, params=params, json=body("二" * 20))).json()
    assert sent["errcode"] == 0 and sent["errmsg"] == "ok" and sent["msgid"] > 0
    state.record_interaction("o_1", opens_window=False, following=False)
    assert (await wx.post(url, params=params, json=body("ok"))).json()["errcode"] == 43004


async def test_subscribe_send_checks_field_types(wx: httpx.AsyncClient, state: SandboxState) -> None:
    answer = (await wx.post("/cgi-bin/stable_token",
                            json={"grant_type": "client_credential", "appid": MP, "secret": MP_SECRET})).json()
    params = {"access_token": answer["access_token"]}
    state.accept_subscriptions("o_1", ["SUB"])
    body = {"touser": "o_1", "template_id": "SUB", "data": {"phrase1": {"value": "超过五个字了"}}}
    assert (await wx.post("/cgi-bin/message/subscribe/send", params=params, json=body)).json()["errcode"] == 47003
    body["data"] = {"phrase1": {"value": "已办结"}}
    assert (await wx.post("/cgi-bin/message/subscribe/send", params=params, json=body)).json()["errcode"] == 0
    assert (await wx.post("/cgi-bin/message/subscribe/send", params=params, json=body)).json()["errcode"] == 43101


async def test_media_get_returns_bytes_and_errors_as_json(wx: httpx.AsyncClient, state: SandboxState) -> None:
    access = await token(wx)
    uploaded = await wx.post("/cgi-bin/media/upload", params={"access_token": access, "type": "image"},
                             files={"media": ("现场.jpg", b"\xff\xd8\xff jpeg", "image/jpeg")})
    answer = uploaded.json()
    assert answer["type"] == "image" and answer["created_at"] > 0
    got = await wx.get("/cgi-bin/media/get", params={"access_token": access, "media_id": answer["media_id"]})
    assert got.content == b"\xff\xd8\xff jpeg"
    assert got.headers["content-type"] == "image/jpeg"
    assert got.headers["content-disposition"] == 'attachment; filename="media.jpg"'
    missing = await wx.post("/cgi-bin/media/upload", params={"access_token": access, "type": "image"},
                            files={"other": ("a.jpg", b"x", "image/jpeg")})
    assert missing.json()["errcode"] == 41005
    state.advance(3 * 24 * 3600 + 1)
    expired = await wx.get("/cgi-bin/media/get", params={"access_token": await token(wx),
                                                        "media_id": answer["media_id"]})
    assert expired.json()["errcode"] == 40007


async def test_jscode2session(wx: httpx.AsyncClient, state: SandboxState) -> None:
    code = state.issue_code("o_mp_1", unionid="u_1")
    params = {"appid": MP, "secret": MP_SECRET, "js_code": code, "grant_type": "authorization_code"}
    session = (await wx.get("/sns/jscode2session", params=params)).json()
    assert session["openid"] == "o_mp_1" and session["unionid"] == "u_1" and session["session_key"]
    assert (await wx.get("/sns/jscode2session", params=params)).json()["errcode"] == 40163
    unknown = {**params, "js_code": "0" * 32}
    assert (await wx.get("/sns/jscode2session", params=unknown)).json()["errcode"] == 40029
    stale = {**params, "js_code": state.issue_code("o_mp_1")}
    state.advance(301)
    assert (await wx.get("/sns/jscode2session", params=stale)).json()["errcode"] == 40029
    wrong = {**params, "js_code": state.issue_code("o_mp_1"), "secret": "wrong"}
    assert (await wx.get("/sns/jscode2session", params=wrong)).json()["errcode"] == 40125


async def test_getuserphonenumber(wx: httpx.AsyncClient, state: SandboxState) -> None:
    mp = (await wx.get("/cgi-bin/token", params={**CREDENTIALS, "appid": MP, "secret": MP_SECRET})).json()
    url, params = "/wxa/business/getuserphonenumber", {"access_token": mp["access_token"]}
    code = state.issue_phone_code("13912345678")
    answer = (await wx.post(url, params=params, json={"code": code})).json()
    assert answer["errcode"] == 0
    assert answer["phone_info"]["purePhoneNumber"] == "13912345678" and answer["phone_info"]["countryCode"] == "86"
    assert answer["phone_info"]["watermark"]["appid"] == MP
    assert (await wx.post(url, params=params, json={"code": code})).json()["errcode"] == 40029  # once only
    stale = state.issue_phone_code("13912345678")
    state.advance(301)
    assert (await wx.post(url, params=params, json={"code": stale})).json()["errcode"] == 40029
    assert (await wx.post(url, params=params, json={})).json()["errcode"] == 41008
    oa = {"access_token": await token(wx)}  # an official account may not ask
    assert (await wx.post(url, params=oa, json={"code": state.issue_phone_code("13912345678")})).json()["errcode"] == 48001
