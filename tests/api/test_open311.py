"""A client system (the 12345 hotline's platform) driving Open311 GeoReport v2, in JSON and in XML."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from geo import gcj02_to_wgs84
from nlu import load_taxonomy

BASE = "/open311/v2"
XINGHE_GCJ = (31.851386, 117.281476)  # 星河雅居, in grid 34011100300101


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/o311.db", media_dir=tmp_path / "media",
                        data_dir=tmp_path / "data", worker_poll_seconds=0.1)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def admin(client: TestClient) -> dict[str, str]:
    response = client.post("/api/staff/login", json={"name": "admin", "password": "admin123"})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def new_key(client: TestClient, name: str = "12345热线", channel: str = "hotline", rate: int = 60) -> str:
    made = client.post("/api/staff/api-clients", headers=admin(client),
                       json={"name": name, "channel": channel, "rate_per_minute": rate})
    assert made.status_code == 201, made.text
    return str(made.json()["key"])


def xml(response: Any) -> ET.Element:
    assert response.headers["content-type"].startswith("text/xml"), response.text
    return ET.fromstring(response.content)


def test_a_hotline_files_and_follows_requests_in_json_and_xml(client: TestClient) -> None:
    key = new_key(client)
    services = client.get(f"{BASE}/services.json").json()
    light = next(s for s in services if s["service_code"] == "0401")
    assert (light["service_name"], light["group"], light["metadata"]) == ("路灯不亮", "市政设施", True)
    assert "路灯" in light["keywords"]
    assert len(services) == len(load_taxonomy().minors)  # one service per minor of the shipped taxonomy
    listed = xml(client.get(f"{BASE}/services.xml"))
    assert listed.tag == "services" and listed.find("service/service_code") is not None
    definition = client.get(f"{BASE}/services/0401.json").json()
    assert [v["key"] for v in definition["attributes"][0]["values"]][:2] == ["complaint", "report"]
    assert xml(client.get(f"{BASE}/services/0401.xml")).find("attributes/attribute/code").text == "appeal_type"

    # 1. with a point (WGS-84, as the spec has it) and a service code, in JSON
    lat, lng = gcj02_to_wgs84(*XINGHE_GCJ)
    filed = client.post(f"{BASE}/requests.json", data={
        "api_key": key, "service_code": "0401", "lat": f"{lat:.6f}", "long": f"{lng:.6f}",
        "description": "星河雅居东门路灯不亮一周了", "phone": "13800138000", "first_name": "先生", "last_name": "王",
        "media_url": "https://hotline.example/photos/1.jpg", "attribute[appeal_type]": "complaint"})
    assert filed.status_code == 201, filed.text
    number, token = filed.json()[0]["service_request_id"], filed.json()[0]["token"]
    assert client.get(f"{BASE}/tokens/{token}.json", params={"api_key": key}).json() == [
        {"service_request_id": number, "token": token}]
    read = client.get(f"{BASE}/requests/{number}.json", params={"api_key": key}).json()[0]
    assert (read["status"], read["service_code"], read["service_name"]) == ("open", "0401", "路灯不亮")
    assert abs(read["lat"] - lat) < 1e-5 and abs(read["long"] - lng) < 1e-5
    assert read["media_url"] == "https://hotline.example/photos/1.jpg"
    assert "13800138000" not in str(read) and "王" not in str(read)

    # 2. with only an address string and no service code, in XML: located and classified here
    answer = xml(client.post(f"{BASE}/requests.xml", data={
        "api_key": key, "address_string": "星河雅居", "description": "小区门口的路灯坏了，晚上黑灯瞎火"}))
    second = answer.find("request/service_request_id").text
    record = xml(client.get(f"{BASE}/requests/{second}.xml", params={"api_key": key})).find("request")
    assert record.find("service_code").text == "0401" and record.find("status").text == "open"
    assert record.find("lat").text and record.find("address").text == "星河雅居"

    # staff see both in the console, by channel, and act on the first
    headers = admin(client)
    page = client.get("/api/staff/cases", params={"channel": "hotline"}, headers=headers).json()
    assert page["total"] == 2 and {i["channel_text"] for i in page["items"]} == {"12345热线"}
    assert client.get("/api/staff/cases", params={"channel": "wechat"}, headers=headers).json()["total"] == 0
    detail = client.get(f"/api/staff/cases/{number}", headers=headers).json()
    assert detail["grid_id"] == "34011100300101" and detail["reporter_name"] == "王先生"
    assert (detail["appeal_text"], detail["channel_text"]) == ("投诉", "12345热线")
    for step in ({"to": "accepted"}, {"to": "dispatched", "department": "包河区城管局"}):
        assert client.post(f"/api/staff/cases/{number}/transitions", json=step, headers=headers).status_code == 200
    read = client.get(f"{BASE}/requests/{number}.json", params={"api_key": key}).json()[0]
    assert read["agency_responsible"] == "包河区城管局" and read["status_notes"].startswith("已派遣")
    for step in ({"to": "processing"}, {"to": "verifying"}, {"to": "closed", "note": "已更换灯具"}):
        client.post(f"/api/staff/cases/{number}/transitions", json=step, headers=headers)
    closed = xml(client.get(f"{BASE}/requests.xml", params={"api_key": key, "status": "closed"}))
    assert [r.find("service_request_id").text for r in closed] == [number]
    assert closed.find("request/status_notes").text == "已办结：已更换灯具"
    still_open = client.get(f"{BASE}/requests.json", params={"api_key": key, "status": "open"}).json()
    assert [r["service_request_id"] for r in still_open] == [second]
    both = client.get(f"{BASE}/requests.json", params={
        "api_key": key, "service_request_id": f"{number},{second}", "service_code": "0401",
        "start_date": "2020-01-01T00:00:00+08:00"}).json()
    assert {r["service_request_id"] for r in both} == {number, second}
    assert client.get(f"{BASE}/requests.json", params={"api_key": key, "end_date": "2020-01-01"}).json() == []


def test_bad_keys_are_403_in_the_spec_shape_and_other_channels_stay_private(client: TestClient) -> None:
    hotline = new_key(client)
    for params in ({}, {"api_key": "gz_not-a-key"}, {"api_key": hotline + "x"}):
        denied = client.get(f"{BASE}/requests.json", params=params)
        assert denied.status_code == 403
        assert denied.json()[0]["code"] == 403 and denied.json()[0]["description"]
    denied_xml = xml(client.post(f"{BASE}/requests.xml", data={"api_key": "nope", "description": "x"}))
    assert denied_xml.tag == "errors" and denied_xml.find("error/code").text == "403"

    lat, lng = gcj02_to_wgs84(*XINGHE_GCJ)
    number = client.post(f"{BASE}/requests.json", data={
        "api_key": hotline, "lat": lat, "long": lng, "description": "路灯不亮"}).json()[0]["service_request_id"]
    board = new_key(client, name="领导留言板", channel="message_board")
    assert client.get(f"{BASE}/requests/{number}.json", params={"api_key": board}).status_code == 404
    assert client.get(f"{BASE}/requests.json", params={"api_key": board}).json() == []

    clients = client.get("/api/staff/api-clients", headers=admin(client)).json()
    hotline_id = next(c["id"] for c in clients if c["channel"] == "hotline")
    assert all(c["key"] is None for c in clients)  # shown once, never listed
    client.post(f"/api/staff/api-clients/{hotline_id}/revoke", headers=admin(client))
    assert client.get(f"{BASE}/requests.json", params={"api_key": hotline}).status_code == 403


def test_malformed_requests_are_refused_with_a_reason_and_file_nothing(client: TestClient) -> None:
    key = new_key(client)
    lat, lng = gcj02_to_wgs84(*XINGHE_GCJ)
    bad: list[tuple[dict[str, Any], int, str]] = [
        ({"lat": lat, "long": lng}, 400, "description"),
        ({"description": "路灯坏了"}, 400, "位置"),
        ({"description": "路灯坏了", "lat": "north", "long": lng}, 400, "lat"),
        ({"description": "路灯坏了", "lat": lat}, 400, "long"),
        ({"description": "路灯坏了", "lat": 39.9, "long": 116.4}, 400, "网格"),
        ({"description": "路灯坏了", "address_string": "火星基地"}, 400, "定位"),
        ({"description": "路灯坏了", "lat": lat, "long": lng, "service_code": "9999"}, 404, "9999"),
        ({"description": "路灯坏了", "lat": lat, "long": lng, "attribute[appeal_type]": "praise!"}, 400, "appeal"),
        ({"description": "路灯坏了", "lat": lat, "long": lng, "media_url": "file:///etc/passwd"}, 400, "media_url"),
        ({"description": "路灯坏了", "lat": lat, "long": lng, "phone": "call me"}, 400, "phone"),
    ]
    for fields, code, word in bad:
        answer = client.post(f"{BASE}/requests.json", data={"api_key": key, **fields})
        assert answer.status_code == code, (fields, answer.text)
        assert word in answer.json()[0]["description"], answer.text
    as_json = client.post(f"{BASE}/requests.json", json={"api_key": key, "description": "x"})
    assert as_json.status_code == 400 and as_json.json()[0]["code"] == 400
    assert client.get(f"{BASE}/services.yaml").status_code == 400
    assert client.get(f"{BASE}/services/9999.json").json()[0]["code"] == 404
    assert client.get(f"{BASE}/requests.json", params={"api_key": key, "start_date": "last week"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", params={"api_key": key, "status": "pending"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", params={"api_key": key}).json() == []


def test_each_key_has_its_own_rate_limit(client: TestClient) -> None:
    slow, other = new_key(client, rate=3), new_key(client, name="数字城管", channel="city_management")
    if time.time() % 60 > 50:  # keep the calls inside one minute window
        time.sleep(61 - time.time() % 60)
    answers = [client.get(f"{BASE}/requests.json", params={"api_key": slow}).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = client.get(f"{BASE}/requests.json", params={"api_key": slow}).json()[0]
    assert limited["code"] == 429 and "每分钟最多 3 次" in limited["description"]
    assert client.get(f"{BASE}/requests.json", params={"api_key": other}).status_code == 200


def mp_login(client: TestClient, openid: str) -> dict[str, str]:
    code = client.post("/sandbox/api/mp/code", json={"openid": openid}).json()["code"]
    return {"Authorization": f"Bearer {client.post('/api/mp/login', json={'code': code}).json()['token']}"}


def test_a_hotline_call_reaches_the_mini_program_of_the_resident_whose_phone_wechat_verified(
    client: TestClient,
) -> None:
    key = new_key(client)
    owner, typist = mp_login(client, "o_phone_owner"), mp_login(client, "o_phone_typist")
    # the typist puts the owner's number into a report of their own; the owner confirms it with WeChat
    typed = client.post("/api/mp/reports", headers=typist, data={
        "description": "小区门口的路灯坏了", "address": "星河雅居", "phone": "13912345678"})
    assert typed.status_code == 201, typed.text
    code = client.post("/sandbox/api/mp/phone-code", json={"phone": "13912345678"}).json()["code"]
    confirmed = client.post("/api/mp/phone", headers=owner, json={"code": code})
    assert confirmed.status_code == 200 and confirmed.json() == {"phone": "139****5678"}
    again = client.post("/api/mp/phone", headers=owner, json={"code": code})  # a code works once
    assert again.status_code == 400 and "重新点击" in again.json()["detail"]
    assert client.post("/api/mp/phone", json={"code": code}).status_code == 401

    call = client.post(f"{BASE}/requests.json", data={
        "api_key": key, "address_string": "星河雅居", "description": "楼道灯坏了一个星期", "phone": "13912345678"})
    number = call.json()[0]["service_request_id"]
    mine = [c["number"] for c in client.get("/api/mp/cases", headers=owner).json()]
    theirs = [c["number"] for c in client.get("/api/mp/cases", headers=typist).json()]
    assert number in mine and number not in theirs
