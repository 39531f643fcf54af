"""The hand-off to the centre's platform, end to end: signed webhooks out (with forced failures and
retries), signed status calls in, and the WeChat resident's pushes and rating whoever moves the case."""

from __future__ import annotations

import base64
import io
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.api.platform_stub import Platform, admin, hooked_app, signature

OPENID = "o-hook-resident"
MB = 1024 * 1024


@pytest.fixture
def platform() -> Iterator[Platform]:
    with Platform() as stub:
        yield stub


@pytest.fixture
def client(tmp_path: Path, platform: Platform) -> Iterator[TestClient]:
    with hooked_app(tmp_path, platform) as test_client:
        yield test_client


def send(client: TestClient, **message: Any) -> str:
    response = client.post(f"/sandbox/api/residents/{OPENID}/send", json=message)
    assert response.status_code == 200, response.text
    reply = response.json()["reply"]
    return str(reply.get("Content", "")) if isinstance(reply, dict) else str(reply or "")


def wait_for_push(client: TestClient, needle: str, timeout: float = 15) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if needle in json.dumps(client.get("/sandbox/api/messages", params={"openid": OPENID}).json(),
                                ensure_ascii=False):
            return
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never reached the resident")


def file_in_wechat(client: TestClient) -> str:
    assert "请确认" in send(client, kind="text", content="星河雅居门口的路灯坏了好几天了，晚上黑灯瞎火的")
    filed = send(client, kind="text", content="确认")
    return "BH" + filed.split("BH")[1][:13]


def jpeg() -> str:
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(photo, "JPEG")
    return base64.b64encode(photo.getvalue()).decode()


def test_the_platform_moves_a_wechat_case_to_the_rating_and_hears_every_event_once(
    client: TestClient, platform: Platform
) -> None:
    platform.fail_first = 2  # every event: two 500s, then accepted
    number = file_in_wechat(client)
    steps = [{"action": "accept", "operator": "李科员"},
             {"action": "dispatch", "department": "包河区城管局"},
             {"action": "process"},
             {"action": "verify", "note": "已更换灯泡"},
             {"action": "close", "note": "路灯已修复", "photos": [{"content_base64": jpeg()}]}]
    for step in steps:
        answer = platform.call(client, number, step)
        assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "closed"

    wait_for_push(client, "已受理")
    wait_for_push(client, "1 满意，2 基本满意")  # the rating prompt after the close push
    assert "谢谢" in send(client, kind="text", content="满意")

    platform.wait_for(lambda p: len(p.events) == 7)
    time.sleep(0.5)  # nothing more may come
    kinds = sorted(e["type"] for e in platform.events.values())
    assert kinds == ["case.created", "case.rated"] + ["case.status_changed"] * 5
    assert set(platform.accepted.values()) == {1}  # each event accepted exactly once …
    assert set(platform.attempts.values()) == {3}  # … after two forced failures each
    assert platform.bad_signatures == 0
    moves = [e["data"]["to_status"] for e in sorted(platform.events.values(), key=lambda e: e["created_at"])
             if e["type"] == "case.status_changed"]
    assert moves == ["accepted", "dispatched", "processing", "verifying", "closed"]
    rated = next(e for e in platform.events.values() if e["type"] == "case.rated")
    assert rated["case"]["number"] == number and rated["data"]["score"] == 4
    assert rated["data"]["score_text"] == "满意"  # what the resident said, on the 好差评 scale
    assert OPENID not in json.dumps(list(platform.events.values()))

    detail = client.get(f"/api/staff/cases/{number}", headers=admin(client)).json()
    assert detail["rating"]["score"] == 4
    assert "区工单平台·李科员" in json.dumps(detail, ensure_ascii=False)


def test_unsigned_wrongly_signed_stale_and_replayed_calls_change_nothing(
    client: TestClient, platform: Platform
) -> None:
    number = file_in_wechat(client)
    accept = {"action": "accept"}
    body = json.dumps(accept).encode()
    unsigned = client.post(f"/api/platform/v1/cases/{number}/status", content=body)
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "missing")
    wrong = platform.call(client, number, accept, secret="not-the-secret")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "mismatch")
    stale = platform.call(client, number, accept, timestamp=int(time.time()) - 3600)
    assert (stale.status_code, stale.json()["error"]) == (401, "stale")
    stranger = platform.call(client, number, accept, headers={"X-Gongzhi-Key": "wh_stranger"})
    assert (stranger.status_code, stranger.json()["error"]) == (401, "unknown_endpoint")
    status = client.get(f"/api/staff/cases/{number}", headers=admin(client)).json()["status"]
    assert status == "submitted"

    stamp = int(time.time())
    first = platform.call(client, number, accept, timestamp=stamp)
    assert first.status_code == 200
    replay = platform.call(client, number, accept, timestamp=stamp)
    assert (replay.status_code, replay.json()["error"]) == (409, "replayed")
    timeline = client.get(f"/api/staff/cases/{number}", headers=admin(client)).json()
    assert json.dumps(timeline).count('"to_status": "accepted"') == 1


def test_malformed_bodies_and_wrong_moves_get_clear_errors(client: TestClient, platform: Platform) -> None:
    number = file_in_wechat(client)
    cases = [
        (b"{not json", 400, "malformed"),
        ({"note": "no action"}, 400, "malformed"),
        ({"action": "teleport"}, 400, "unknown_action"),
        ({"action": "close"}, 409, "not_allowed"),
        ({"action": "accept", "photos": [{"content_base64": "!!!"}]}, 400, "bad_photo"),
        ({"action": "reject"}, 422, "missing_field"),
    ]
    for payload, code, error in cases:
        answer = platform.call(client, number, payload)
        assert (answer.status_code, answer.json()["error"]) == (code, error), answer.text
        assert answer.json()["message"]
    assert platform.call(client, "BH20000101-0001", {"action": "accept"}).status_code == 404
    allowed = platform.call(client, number, {"action": "close", "note": "x"}).json()["allowed_actions"]
    assert allowed == ["accept", "reject"]


def test_a_gone_endpoint_dead_letters_at_once_and_staff_can_send_it_again(
    client: TestClient, platform: Platform
) -> None:
    platform.status_for_all = 410
    number = file_in_wechat(client)
    headers = admin(client)
    deadline = time.time() + 15
    dead: list[dict[str, Any]] = []
    while time.time() < deadline and not dead:
        dead = client.get("/api/staff/webhooks/dead", headers=headers).json()
        time.sleep(0.1)
    assert dead and dead[0]["event"] == "case.created" and dead[0]["number"] == number
    assert dead[0]["error_code"] == 410 and dead[0]["endpoint"] == "区工单平台"
    platform.status_for_all = None
    assert client.post(f"/api/staff/outbox/{dead[0]['id']}/retry", headers=headers).status_code == 202
    platform.wait_for(lambda p: len(p.events) == 1)
    assert client.get("/api/staff/webhooks/dead", headers=headers).json() == []


def test_a_hanging_platform_does_not_hold_the_residents_pushes(client: TestClient, platform: Platform) -> None:
    number = file_in_wechat(client)
    platform.wait_for(lambda p: len(p.events) == 1)  # case.created is through
    platform.gate = threading.Event()
    try:
        moved = client.post(f"/api/staff/cases/{number}/transitions", json={"to": "accepted"},
                            headers=admin(client))
        assert moved.status_code == 200
        platform.wait_for(lambda p: p.waiting == 1)  # the status webhook hangs on the platform's side …
        wait_for_push(client, "已受理")  # … and the resident hears of the move all the same
    finally:
        platform.gate.set()
    platform.wait_for(lambda p: len(p.events) == 2)


def noise_jpeg(width: int, height: int) -> bytes:
    """A photo that does not compress: a camera's after-photo is megabytes, not kilobytes."""
    photo = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(photo, "JPEG", quality=95)
    return photo.getvalue()


def test_a_signed_call_carries_a_real_after_photo_an_unsigned_one_keeps_the_small_limit(
    client: TestClient, platform: Platform
) -> None:
    number = file_in_wechat(client)
    photo = noise_jpeg(2000, 1500)
    assert len(photo) > 2 * MB  # over the anonymous limit twice, in base64 even more
    call = {"action": "accept", "note": "现场照片", "photos": [{"content_base64": base64.b64encode(photo).decode()}]}

    unsigned = client.post(f"/api/platform/v1/cases/{number}/status", json=call)
    assert unsigned.status_code == 413
    assert unsigned.json()["error"] == "too_large" and "太大" in unsigned.json()["detail"]
    assert unsigned.json()["limit_bytes"] == MB
    headers = admin(client)
    assert client.get(f"/api/staff/cases/{number}", headers=headers).json()["status"] == "submitted"

    signed = platform.call(client, number, call)
    assert signed.status_code == 200, signed.text
    detail = client.get(f"/api/staff/cases/{number}", headers=headers).json()
    assert detail["status"] == "accepted"
    assert [(p["width"], p["height"]) for p in detail["photos"]] == [(2000, 1500)]
    assert client.get(detail["photos"][0]["url"], headers=headers).status_code == 200


def test_a_signed_call_over_the_platform_limit_is_refused_by_size(client: TestClient, platform: Platform) -> None:
    number = file_in_wechat(client)
    huge = {"action": "accept", "note": "x" * (21 * MB)}
    answer = platform.call(client, number, huge)
    assert answer.status_code == 413 and answer.json()["limit_bytes"] == 20 * MB


def test_a_stranger_a_stale_call_and_a_replay_are_refused_before_their_body_is_received(
    client: TestClient, platform: Platform
) -> None:
    """Driven at the ASGI level, where we can see whether the application asked for the body at all."""
    number = file_in_wechat(client)
    photo = base64.b64encode(noise_jpeg(2000, 1500)).decode()
    body = json.dumps({"action": "accept", "photos": [{"content_base64": photo}]}).encode()

    def call(stamp: int, key: str | None = None) -> tuple[int, str | None, int]:
        chunks = [body[i:i + MB] for i in range(0, len(body), MB)]
        taken: list[int] = []
        sent: list[dict[str, Any]] = []
        headers = [(b"x-gongzhi-key", (key or platform.key_id).encode()),
                   (b"x-gongzhi-timestamp", str(stamp).encode()),
                   (b"x-gongzhi-signature", signature(platform.secret, stamp, body).encode()),
                   (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        path = f"/api/platform/v1/cases/{number}/status"
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": headers, "client": ("127.0.0.1", 5000), "server": ("testserver", 80), "state": {}}

        async def receive() -> dict[str, Any]:
            chunk = chunks.pop(0)
            taken.append(len(chunk))
            return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        assert client.portal is not None
        client.portal.call(client.app, scope, receive, send)
        answer = json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))
        return sent[0]["status"], answer.get("error"), sum(taken)

    now = int(time.time())
    assert call(now, key="wh_stranger") == (401, "unknown_endpoint", 0)
    assert call(now - 3600) == (401, "stale", 0)
    assert call(now) == (200, None, len(body))  # the genuine call is received whole …
    assert call(now) == (409, "replayed", 0)  # … and its replay is not received at all
