"""``/wechat`` over HTTP with real crypto: modes, retries, the 5-second budget, hostile requests."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from api.app import create_app
from api.services import Parts
from api.settings import SANDBOX_AES_KEY, SANDBOX_APPID, SANDBOX_TOKEN, Settings
from bot.channels.official_account import parse_flat_xml
from bot.dispatcher import Dispatcher
from bot.filters import Keywords, Kind
from bot.types import Kind as K
from bot.types import Responder, Update

CALLS: dict[str, int] = {}


def echo_dispatcher(parts: Parts) -> Dispatcher:
    dp = Dispatcher(storage=parts.storage, locks=parts.locks)

    @dp.handler(Keywords(exact=["慢"]))
    async def slow(update: Update, responder: Responder) -> None:
        CALLS[update.message_id] = CALLS.get(update.message_id, 0) + 1
        await asyncio.sleep(0.6)
        responder.text("慢慢来的回答")

    @dp.handler(Keywords(exact=["两条"]))
    async def two(responder: Responder) -> None:
        responder.text("第一条")
        responder.image("media-1")
        responder.text("第二条")

    @dp.handler(Kind(K.TEXT))
    async def echo(update: Update, responder: Responder) -> None:
        CALLS[update.message_id] = CALLS.get(update.message_id, 0) + 1
        await asyncio.sleep(0.05)
        responder.text(f"收到：{update.text}")

    @dp.handler()
    async def nothing() -> None:
        return None

    return dp


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/t.db", media_dir=tmp_path / "media",
                        reply_budget_seconds=0.3)
    app = create_app(settings, dispatcher_factory=echo_dispatcher)
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def plain_client(tmp_path: Path) -> Iterator[TestClient]:
    """An account in plaintext mode (no EncodingAESKey configured)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path}/p.db", media_dir=tmp_path / "media",
                        reply_budget_seconds=0.3, wechat_aes_key=None)
    app = create_app(settings, dispatcher_factory=echo_dispatcher)
    with TestClient(app) as test_client:
        yield test_client


def signature(timestamp: str, nonce: str) -> str:
    signer = WeChatSigner()
    signer.add_data(SANDBOX_TOKEN, timestamp, nonce)
    return str(signer.signature)


def text_xml(content: str, msg_id: str, sender: str = "o-resident") -> str:
    return (f"<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><FromUserName><![CDATA[{sender}]]></FromUserName>"
            f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def post_safe(client: TestClient, xml: str, *, nonce: str | None = None) -> tuple[int, dict[str, str] | str]:
    """Send like WeChat in safe mode; return the status and the decrypted, verified reply fields."""
    crypto = WeChatCrypto(SANDBOX_TOKEN, SANDBOX_AES_KEY, SANDBOX_APPID)
    ts, nonce = str(int(time.time())), nonce or uuid.uuid4().hex[:10]
    sealed = parse_flat_xml(crypto.encrypt_message(xml, nonce, ts))
    body = f"<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>"
    response = client.post("/wechat", content=body, params={
        "signature": signature(ts, nonce), "timestamp": ts, "nonce": nonce, "openid": "o-resident",
        "encrypt_type": "aes", "msg_signature": sealed["MsgSignature"]})
    if response.status_code != 200 or response.text == "success":
        return response.status_code, response.text
    outer = parse_flat_xml(response.content)
    plain = crypto.decrypt_message(outer, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
    return response.status_code, parse_flat_xml(plain)


def post_plain(client: TestClient, body: bytes | str, *, nonce: str | None = None, **overrides: str) -> Any:
    ts, nonce = str(int(time.time())), nonce or uuid.uuid4().hex[:10]
    query = {"signature": signature(ts, nonce), "timestamp": ts, "nonce": nonce, **overrides}
    return client.post("/wechat", content=body, params=query)


def test_url_verification_echoes_echostr(client: TestClient) -> None:
    ts, nonce = str(int(time.time())), "abc"
    ok = client.get("/wechat", params={"signature": signature(ts, nonce), "timestamp": ts, "nonce": nonce,
                                       "echostr": "hello123"})
    assert ok.status_code == 200 and ok.text == "hello123"
    bad = client.get("/wechat", params={"signature": "0" * 40, "timestamp": ts, "nonce": nonce, "echostr": "x"})
    assert bad.status_code == 403


def test_safe_mode_message_gets_an_encrypted_signed_answer(client: TestClient) -> None:
    status, reply = post_safe(client, text_xml("路灯坏了", "9001"))
    assert status == 200 and isinstance(reply, dict)
    assert reply["Content"] == "收到：路灯坏了"
    assert reply["ToUserName"] == "o-resident" and reply["FromUserName"] == "gh_sandbox"
    assert reply["MsgType"] == "text"


def test_plaintext_mode_answers_in_plaintext(plain_client: TestClient) -> None:
    response = post_plain(plain_client, text_xml("你好", "9002"))
    assert response.status_code == 200
    assert parse_flat_xml(response.content)["Content"] == "收到：你好"


def test_three_identical_posts_are_handled_once_with_the_same_answer(client: TestClient) -> None:
    msg_id = str(uuid.uuid4().int % 10**18)
    replies = [post_safe(client, text_xml("重复", msg_id)) for _ in range(3)]
    assert CALLS[msg_id] == 1
    assert all(status == 200 for status, _ in replies)
    assert {reply["Content"] for _, reply in replies if isinstance(reply, dict)} == {"收到：重复"}


def test_slow_handler_answers_success_then_sends_a_customer_service_message(client: TestClient) -> None:
    sent = client.post("/sandbox/api/residents/o-resident/send", json={"kind": "text", "content": "慢"}).json()
    assert sent["reply"] is None or sent["reply"] == "success" or not sent["reply"].get("Content")
    msg_id = str(uuid.uuid4().int % 10**18)
    status, reply = post_safe(client, text_xml("慢", msg_id))
    assert (status, reply) == (200, "success")
    retry_status, retry_reply = post_safe(client, text_xml("慢", msg_id))
    assert (retry_status, retry_reply) == (200, "success")
    assert CALLS[msg_id] == 1
    deadline = time.time() + 5
    received: list[dict[str, Any]] = []
    while time.time() < deadline and not received:
        time.sleep(0.1)
        received = [m for m in client.get("/sandbox/api/messages", params={"openid": "o-resident"}).json()
                    if "慢慢来的回答" in str(m)]
    assert received, "the late answer reached the resident as a customer-service message"


def test_bad_signature_is_403_and_nothing_is_handled(client: TestClient) -> None:
    ts = str(int(time.time()))
    response = client.post("/wechat", content=text_xml("x", "9100"),
                           params={"signature": "f" * 40, "timestamp": ts, "nonce": "n"})
    assert response.status_code == 403
    assert "9100" not in CALLS


def test_replayed_timestamp_is_403(client: TestClient) -> None:
    ts, nonce = str(int(time.time()) - 600), "n"
    response = client.post("/wechat", content=text_xml("x", "9101"),
                           params={"signature": signature(ts, nonce), "timestamp": ts, "nonce": nonce})
    assert response.status_code == 403
    assert "9101" not in CALLS


@pytest.mark.parametrize("body", [
    b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>',
    b"<xml><Content>broken",
    b"",
])
def test_hostile_or_malformed_xml_is_400(plain_client: TestClient, body: bytes) -> None:
    assert post_plain(plain_client, body).status_code == 400


def test_oversize_body_is_413_before_it_is_read(plain_client: TestClient) -> None:
    huge = b"<xml><Content>" + b"a" * (1024 * 1024 + 10) + b"</Content></xml>"
    assert post_plain(plain_client, huge).status_code == 413


def test_extra_messages_go_out_as_customer_service_messages(client: TestClient) -> None:
    sent = client.post("/sandbox/api/residents/o-two/send", json={"kind": "text", "content": "两条"}).json()
    assert "第一条" in str(sent["reply"]) and "第二条" not in str(sent["reply"])
    deadline = time.time() + 5
    while time.time() < deadline:
        log = client.get("/sandbox/api/messages", params={"openid": "o-two"}).json()
        if any("第二条" in str(m) for m in log):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the second message never reached the resident")


def test_healthz_and_metrics(client: TestClient) -> None:
    post_safe(client, text_xml("指标", str(uuid.uuid4().int % 10**18)))
    health = client.get("/healthz")
    assert health.status_code == 200 and health.json()["database"] == "ok"
    metrics = client.get("/metrics").text
    assert 'intake_updates_total{channel="oa",kind="text"}' in metrics


def test_two_api_processes_sharing_redis_handle_a_retried_message_once(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    """WeChat's retry may land on another API process: Redis makes the claim shared."""
    from concurrent.futures import ThreadPoolExecutor

    settings = Settings(database_url=f"sqlite:///{tmp_path}/two.db", media_dir=tmp_path / "media",
                        redis_url=redis_url, redis_prefix=redis_prefix, reply_budget_seconds=2.0)
    first_app = create_app(settings, dispatcher_factory=echo_dispatcher)
    second_app = create_app(settings, dispatcher_factory=echo_dispatcher)
    msg_id = str(uuid.uuid4().int % 10**18)
    xml = text_xml("两个进程", msg_id)
    with TestClient(first_app) as first, TestClient(second_app) as second, ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda c: post_safe(c, xml), [first, second, first]))
    assert CALLS[msg_id] == 1
    assert [status for status, _ in results] == [200, 200, 200]
    assert {reply["Content"] for _, reply in results if isinstance(reply, dict)} == {"收到：两个进程"}


def test_extra_messages_arrive_after_the_passive_reply(client: TestClient) -> None:
    client.post("/sandbox/api/residents/o-order/send", json={"kind": "text", "content": "两条"})
    deadline = time.time() + 5
    while time.time() < deadline:
        log = client.get("/sandbox/api/messages", params={"openid": "o-order"}).json()
        if len(log) >= 3:
            break
        time.sleep(0.1)
    assert [m["via"] for m in log][:1] == ["reply"]
    assert "第一条" in str(log[0]) and "第二条" in str(log[-1])


# -- attacks with a valid signature in hand: downgrade, encoding tricks, replays -------------------------


def test_safe_mode_refuses_a_plaintext_message_signed_with_a_logged_signature(client: TestClient) -> None:
    """signature/timestamp/nonce from an access log sign no body: plaintext would let anyone be anyone."""
    msg_id = str(uuid.uuid4().int % 10**18)
    response = post_plain(client, text_xml("我的工单", msg_id, sender="o-victim"))
    assert response.status_code == 403
    assert msg_id not in CALLS
    assert "我的工单" not in response.text


def test_a_utf16_body_cannot_smuggle_an_entity_past_the_dtd_check(plain_client: TestClient) -> None:
    xml = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE xml [<!ENTITY a "ENTITY-EXPANDED">]>'
           f"<xml><ToUserName>gh</ToUserName><FromUserName>o-x</FromUserName><CreateTime>{int(time.time())}"
           "</CreateTime><MsgType>text</MsgType><Content>&a;</Content><MsgId>77001</MsgId></xml>")
    for body in (xml.encode("utf-16"), xml.encode("utf-16-le"), xml.replace("UTF-16", "UTF-8").encode("utf-16-be")):
        response = post_plain(plain_client, body)
        assert response.status_code == 400
        assert "ENTITY-EXPANDED" not in response.text
    assert "77001" not in CALLS


def test_a_conversation_replayed_after_the_retry_window_is_not_handled_again(client: TestClient) -> None:
    """Replies are kept a minute, claims the whole accepted timestamp window: a replay files nothing."""
    msg_id = str(uuid.uuid4().int % 10**18)
    xml = text_xml("确认", msg_id)
    assert post_safe(client, xml, nonce="captured1")[0] == 200
    replies = client.app.state.services.replies  # type: ignore[attr-defined]
    replies._replies.clear()  # what the retry window does to the kept replies (no waiting in the suite)
    status, reply = post_safe(client, xml, nonce="captured1")
    assert (status, reply) == (200, "success")
    assert CALLS[msg_id] == 1


def test_a_captured_nonce_cannot_carry_another_message(plain_client: TestClient) -> None:
    ts, nonce = str(int(time.time())), "seen-in-a-log"
    captured = {"signature": signature(ts, nonce), "timestamp": ts, "nonce": nonce}  # the query, as logged
    first = str(uuid.uuid4().int % 10**18)
    assert plain_client.post("/wechat", content=text_xml("你好", first), params=captured).status_code == 200
    forged = str(uuid.uuid4().int % 10**18)
    response = plain_client.post("/wechat", content=text_xml("冒充", forged, sender="o-victim"), params=captured)
    assert response.status_code == 403
    assert forged not in CALLS


def test_in_safe_mode_a_captured_query_cannot_carry_another_message(client: TestClient) -> None:
    """msg_signature covers the ciphertext: the query of one message does not sign a body of someone else's."""
    crypto = WeChatCrypto(SANDBOX_TOKEN, SANDBOX_AES_KEY, SANDBOX_APPID)
    ts, nonce = str(int(time.time())), "seen-in-a-log"
    first = str(uuid.uuid4().int % 10**18)
    sealed = parse_flat_xml(crypto.encrypt_message(text_xml("你好", first), nonce, ts))
    query = {"signature": signature(ts, nonce), "timestamp": ts, "nonce": nonce, "encrypt_type": "aes",
             "msg_signature": sealed["MsgSignature"]}
    envelope = "<xml><ToUserName><![CDATA[gh_sandbox]]></ToUserName><Encrypt><![CDATA[{}]]></Encrypt></xml>"
    assert client.post("/wechat", content=envelope.format(sealed["Encrypt"]), params=query).status_code == 200
    forged = str(uuid.uuid4().int % 10**18)
    other = parse_flat_xml(crypto.encrypt_message(text_xml("冒充", forged, sender="o-victim"), nonce, ts))
    response = client.post("/wechat", content=envelope.format(other["Encrypt"]), params=query)
    assert response.status_code == 403
    assert forged not in CALLS
