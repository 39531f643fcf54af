"""Administrators look after the hand-off: a test event on demand, dead letters counted, sent again (one or
all) or given up, endpoints removed with what they were owed; nobody else may."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.platform_stub import Platform, admin, hooked_app
from tests.api.test_webhooks import file_in_wechat


@pytest.fixture
def platform() -> Iterator[Platform]:
    with Platform() as stub:
        yield stub


@pytest.fixture
def client(tmp_path: Path, platform: Platform) -> Iterator[TestClient]:
    with hooked_app(tmp_path, platform) as test_client:
        yield test_client


def dead_letters(client: TestClient, headers: dict[str, str], count: int) -> list[dict[str, Any]]:
    deadline = time.time() + 15
    while time.time() < deadline:
        dead: list[dict[str, Any]] = client.get("/api/staff/webhooks/dead", headers=headers).json()
        if len(dead) >= count:
            return dead
        time.sleep(0.1)
    raise AssertionError(f"expected {count} dead letters")


def endpoint_id(client: TestClient, headers: dict[str, str]) -> int:
    return int(client.get("/api/staff/webhooks", headers=headers).json()[0]["id"])


def test_a_test_event_is_signed_sent_at_once_and_its_answer_reported(client: TestClient, platform: Platform) -> None:
    headers = admin(client)
    hook = endpoint_id(client, headers)
    answer = client.post(f"/api/staff/webhooks/{hook}/test", headers=headers)
    assert answer.json() == {"ok": True, "code": 200, "error": None}
    (event,) = platform.events.values()
    assert event["type"] == "webhook.ping" and event["case"] is None
    assert platform.bad_signatures == 0

    platform.status_for_all = 500
    failed = client.post(f"/api/staff/webhooks/{hook}/test", headers=headers).json()
    assert (failed["ok"], failed["code"]) == (False, 500)
    assert client.get("/api/staff/webhooks/dead", headers=headers).json() == []  # a test is never queued
    assert client.post("/api/staff/webhooks/999/test", headers=headers).status_code == 404


def test_dead_letters_are_counted_sent_again_all_at_once_or_given_up(client: TestClient, platform: Platform) -> None:
    headers = admin(client)
    platform.status_for_all = 410  # gone: dead-lettered at the first attempt
    numbers = [file_in_wechat(client) for _ in range(3)]
    dead = dead_letters(client, headers, 3)
    assert sorted(d["number"] for d in dead) == sorted(numbers)
    summary = client.get("/api/staff/webhooks/dead/summary", headers=headers).json()
    assert summary["dead"] == 3
    assert summary["endpoints"] == [{"id": endpoint_id(client, headers), "name": "区工单平台", "dead": 3,
                                     "retrying": 0}]

    given_up = dead[0]
    assert client.post(f"/api/staff/webhooks/dead/{given_up['id']}/discard", headers=headers).status_code == 204
    again = client.post(f"/api/staff/webhooks/dead/{given_up['id']}/discard", headers=headers)
    assert again.status_code == 409 and "刷新" in again.json()["detail"]
    assert client.post(f"/api/staff/outbox/{given_up['id']}/retry", headers=headers).status_code == 409

    platform.status_for_all = None
    retried = client.post("/api/staff/webhooks/dead/retry", headers=headers)
    assert retried.status_code == 202 and retried.json() == {"count": 2}
    platform.wait_for(lambda p: len(p.events) == 2)
    delivered = {e["case"]["number"] for e in platform.events.values()}
    assert delivered == set(numbers) - {given_up["number"]}
    assert client.get("/api/staff/webhooks/dead/summary", headers=headers).json()["dead"] == 0


def test_a_removed_endpoint_takes_what_it_was_owed_and_its_key_with_it(client: TestClient, platform: Platform) -> None:
    headers = admin(client)
    platform.status_for_all = 410
    number = file_in_wechat(client)
    dead_letters(client, headers, 1)
    hook = endpoint_id(client, headers)
    assert client.delete(f"/api/staff/webhooks/{hook}", headers=headers).status_code == 204
    assert client.get("/api/staff/webhooks", headers=headers).json() == []
    assert client.get("/api/staff/webhooks/dead", headers=headers).json() == []
    assert client.delete(f"/api/staff/webhooks/{hook}", headers=headers).status_code == 404
    refused = platform.call(client, number, {"action": "accept"})
    assert (refused.status_code, refused.json()["error"]) == (401, "unknown_endpoint")


def test_only_administrators_look_after_the_hand_off(client: TestClient, platform: Platform) -> None:
    headers = admin(client)
    made = client.post("/api/staff/accounts", headers=headers,
                       json={"name": "wangfang", "password": "agent-pass-2026", "role": "agent"})
    assert made.status_code == 201, made.text
    token = client.post("/api/staff/login", json={"name": "wangfang", "password": "agent-pass-2026"})
    agent = {"Authorization": f"Bearer {token.json()['access_token']}"}
    hook = endpoint_id(client, headers)
    for method, path in [("GET", "/api/staff/webhooks/dead"), ("GET", "/api/staff/webhooks/dead/summary"),
                         ("POST", "/api/staff/webhooks/dead/retry"), ("POST", "/api/staff/webhooks/dead/1/discard"),
                         ("POST", f"/api/staff/webhooks/{hook}/test"), ("DELETE", f"/api/staff/webhooks/{hook}"),
                         ("GET", "/api/staff/api-clients")]:
        refused = client.request(method, path, headers=agent)
        assert refused.status_code == 403, path
        assert "中心管理员" in refused.json()["detail"] and "中心坐席" in refused.json()["detail"]
    assert platform.events == {}
    assert len(client.get("/api/staff/webhooks", headers=headers).json()) == 1
