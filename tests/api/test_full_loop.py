"""The whole loop over HTTP, as WeChat and the staff console drive it: report → handle → push → rate.

The resident writes through the WeChat stand-in's resident side (signed, AES safe mode, posted to
``/wechat``); staff use the staff API; the in-process outbox worker pushes through the stand-in.
"""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api.app import create_app
from api.settings import Settings

OPENID = "o-loop-resident"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/loop.db", media_dir=tmp_path / "media",
                        data_dir=tmp_path / "data", worker_poll_seconds=0.1)
    with TestClient(create_app(settings, run_worker=True)) as test_client:
        yield test_client


def send(client: TestClient, openid: str = OPENID, **message: Any) -> str:
    response = client.post(f"/sandbox/api/residents/{openid}/send", json=message)
    assert response.status_code == 200, response.text
    reply = response.json()["reply"]
    return str(reply.get("Content", "")) if isinstance(reply, dict) else str(reply or "")


def inbox(client: TestClient, openid: str = OPENID) -> list[dict[str, Any]]:
    return list(client.get("/sandbox/api/messages", params={"openid": openid}).json())


def wait_for(client: TestClient, needle: str, openid: str = OPENID, timeout: float = 10) -> dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for message in inbox(client, openid):
            if needle in str(message):
                return message
        time.sleep(0.1)
    raise AssertionError(f"{needle!r} never reached the resident; inbox: {inbox(client, openid)}")


def staff_token(client: TestClient) -> dict[str, str]:
    response = client.post("/api/staff/login", json={"name": "admin", "password": "admin123"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def test_report_handle_push_and_rate(client: TestClient) -> None:
    assert "欢迎" in send(client, kind="event", event="subscribe")
    assert "位置" in send(client, kind="text", content="小区门口的路灯坏了好几天了，晚上黑灯瞎火的")
    photo = io.BytesIO()
    Image.new("RGB", (80, 60), "orange").save(photo, "JPEG")
    assert "照片" in send(client, kind="image", image_base64=base64.b64encode(photo.getvalue()).decode())
    answer = send(client, kind="location", lat=31.851386, lng=117.281476, label="星河雅居")
    assert "请确认" in answer and "照片 1 张" in answer
    filed = send(client, kind="text", content="确认")
    number = filed.split("工单号")[1].strip(" 。\n").split("。")[0].split()[0]
    assert number.startswith("BH")

    headers = staff_token(client)
    detail = client.get(f"/api/staff/cases/{number}", headers=headers).json()
    assert detail["grid_id"] == "34011100300101" if "grid_id" in detail else True
    for step in ({"to": "accepted"}, {"to": "dispatched", "department": "包河区城管局"},
                 {"to": "processing"}, {"to": "verifying"}, {"to": "closed", "note": "路灯已更换"}):
        response = client.post(f"/api/staff/cases/{number}/transitions", json=step, headers=headers)
        assert response.status_code == 200, response.text

    wait_for(client, "已受理")
    wait_for(client, "包河区城管局")
    wait_for(client, "1 满意，2 基本满意，3 不满意")

    thanks = send(client, kind="text", content="满意")
    assert "谢谢" in thanks
    rated = client.get(f"/api/staff/cases/{number}", headers=headers).json()
    assert rated["rating"]["score"] == 4 and rated["rating"]["score_text"] == "满意"  # the word the resident chose


def test_forbidden_transition_is_409_naming_the_allowed_ones(client: TestClient) -> None:
    send(client, kind="text", content="星河雅居门口垃圾三天没人收了")
    filed = send(client, kind="text", content="确认")
    number = "BH" + filed.split("BH")[1][:13]
    response = client.post(f"/api/staff/cases/{number}/transitions", json={"to": "closed"},
                           headers=staff_token(client))
    assert response.status_code == 409
    assert "accepted" in response.text


def test_staff_corrections_take_names_from_the_taxonomy_and_the_grid_layer(client: TestClient) -> None:
    send(client, kind="text", content="星河雅居门口垃圾三天没人收了")
    number = "BH" + send(client, kind="text", content="确认").split("BH")[1][:13]
    headers = staff_token(client)
    moved = client.post(f"/api/staff/cases/{number}/reclassify", headers=headers, json={
        "major_code": "99", "major_name": "乱写", "minor_code": "0401", "minor_name": "乱写"}).json()
    assert (moved["major_name"], moved["minor_name"]) == ("市政设施", "路灯不亮")
    assert "乱写" not in str(moved)
    unknown = client.post(f"/api/staff/cases/{number}/reclassify", headers=headers, json={
        "major_code": "04", "major_name": "x", "minor_code": "0499", "minor_name": "x"})
    assert unknown.status_code == 422
    relocated = client.post(f"/api/staff/cases/{number}/relocate", headers=headers, json={
        "lat": 31.851386, "lng": 117.281476, "grid_id": "bogus", "grid_name": "乱写"}).json()
    assert relocated["grid_id"] == "34011100300101" and relocated["grid_name"] != "乱写"
    outside = client.post(f"/api/staff/cases/{number}/relocate", headers=headers, json={
        "lat": 39.9, "lng": 116.4, "grid_id": "x"})
    assert outside.status_code == 422


def test_a_reworded_close_push_still_offers_the_options_the_bot_reads(client: TestClient) -> None:
    headers = staff_token(client)
    edited = client.put("/api/staff/templates/rating.ask", headers=headers, json={
        "body": "工单 {{ number }} 已经处理完毕，麻烦您打个分：{{ options }}。",
        "fields": {"character_string1": "{{ number }}", "thing2": "{{ summary or '已处理完毕' }}",
                   "thing3": "打分：{{ options }}"},
    })
    assert edited.status_code == 200, edited.text
    send(client, kind="text", content="星河雅居门口垃圾三天没人收了")
    filed = send(client, kind="text", content="确认")
    number = "BH" + filed.split("BH")[1][:13]
    for step in ({"to": "accepted"}, {"to": "dispatched", "department": "包河区城管局"},
                 {"to": "processing"}, {"to": "verifying"}, {"to": "closed", "note": "垃圾已清运"}):
        response = client.post(f"/api/staff/cases/{number}/transitions", json=step, headers=headers)
        assert response.status_code == 200, response.text
    wait_for(client, "打分：1 满意，2 基本满意，3 不满意")
    assert "谢谢" in send(client, kind="text", content="1")
    rated = client.get(f"/api/staff/cases/{number}", headers=headers).json()
    assert rated["rating"]["score_text"] == "满意" and not rated["rating"]["needs_callback"]
