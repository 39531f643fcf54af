"""The mini-program API over HTTP: the real app on a SQLite file, WeChat's login through the local stand-in."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlmodel import Session, select

from api.app import create_app
from api.settings import Settings
from cases.models import Case, Photo, Resident
from cases.tokens import issue_resident_session
from geo import gcj02_to_wgs84

# 星河雅居 in the shipped gazetteer (GCJ-02), inside 兰亭第1网格.
PLACE: dict[str, Any] = {"name": "星河雅居", "lat": 31.851386, "lng": 117.281476, "grid": "兰亭第1网格"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    tmp = tmp_path_factory.mktemp("mp")
    settings = Settings(database_url=f"sqlite:///{tmp}/mp.db", media_dir=tmp / "media", data_dir=tmp / "data")
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, openid: str) -> dict[str, str]:
    code = client.post("/sandbox/api/mp/code", json={"openid": openid}).json()["code"]
    response = client.post("/api/mp/login", json={"code": code})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def jpeg(*, gps: tuple[float, float] | None = None, size: tuple[int, int] = (640, 480)) -> bytes:
    image = Image.new("RGB", size, (90, 120, 150))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make: any EXIF must be gone after storing
    if gps is not None:
        exif[0x8825] = {1: "N", 2: _dms(gps[0]), 3: "E", 4: _dms(gps[1])}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return float(degrees), float(minutes), seconds


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (200, 30, 30, 255)).save(out, format="PNG")
    return out.getvalue()


def report(client: TestClient, headers: dict[str, str], *, photos: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
           **form: Any) -> Any:
    files = [("photos", photo) for photo in photos]
    data = {key: str(value) for key, value in form.items()}
    return client.post("/api/mp/reports", data=data, files=files or None, headers=headers)


def engine(client: TestClient) -> Any:
    return client.app.state.services.engine  # type: ignore[attr-defined]


# -- login ------------------------------------------------------------------------------------------------


def test_a_wx_login_code_becomes_a_session_once(client: TestClient) -> None:
    code = client.post("/sandbox/api/mp/code", json={"openid": "o_mp_login"}).json()["code"]
    first = client.post("/api/mp/login", json={"code": code})
    assert first.status_code == 200
    body = first.json()
    assert set(body) == {"token", "expires_in"}  # WeChat's session_key never leaves the server
    again = client.post("/api/mp/login", json={"code": code})
    assert again.status_code == 400
    assert again.json()["detail"] == "登录凭证无效或已使用，请重新进入小程序"
    with Session(engine(client)) as session:
        resident = session.exec(select(Resident).where(Resident.openid == "o_mp_login")).one()
        assert resident.channel == "mp"


@pytest.mark.parametrize("header", [None, "Bearer nonsense", "Bearer e30.c2lnbmF0dXJl"])
def test_requests_without_a_valid_session_are_refused_in_chinese(client: TestClient, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/mp/cases", headers=headers)
    assert response.status_code == 401
    assert response.json()["detail"] in ("请先登录", "登录已过期，请重新进入小程序")


def test_an_expired_or_foreign_token_is_refused(client: TestClient) -> None:
    secret = client.app.state.settings.secret_key  # type: ignore[attr-defined]
    old = issue_resident_session("o_mp_old", None, secret=secret, now=datetime.now(UTC) - timedelta(days=8),
                                 ttl=7 * 24 * 3600)
    assert client.get("/api/mp/cases", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    forged = issue_resident_session("o_mp_old", None, secret="another-secret", now=datetime.now(UTC),
                                    ttl=7 * 24 * 3600)
    assert client.get("/api/mp/cases", headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_malformed_input_is_answered_field_by_field_in_chinese(client: TestClient) -> None:
    response = client.post("/api/mp/login", json={})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "code"
    assert response.json()["message"] == "请填写登录凭证 code"


# -- chat -------------------------------------------------------------------------------------------------


def test_chat_runs_the_same_report_dialog_as_the_official_account(client: TestClient) -> None:
    headers = login(client, "o_mp_chat")
    first = client.post("/api/mp/chat", json={"text": "路灯坏了，晚上很黑", "message_id": "m1"}, headers=headers)
    assert first.status_code == 200
    texts = [m["text"] for m in first.json()["messages"]]
    assert any("问题在哪里" in t for t in texts), texts
    retry = client.post("/api/mp/chat", json={"text": "路灯坏了，晚上很黑", "message_id": "m1"}, headers=headers)
    assert retry.json()["messages"] == first.json()["messages"]  # a retried message is handled once
    pin = client.post("/api/mp/chat", headers=headers, json={
        "kind": "location", "lat": PLACE["lat"], "lng": PLACE["lng"], "crs": "gcj02", "label": PLACE["name"]})
    joined = "\n".join(m["text"] for m in pin.json()["messages"])
    assert PLACE["grid"] in joined
    assert "电话" in joined  # the next question


def test_an_empty_chat_message_is_refused(client: TestClient) -> None:
    headers = login(client, "o_mp_empty")
    response = client.post("/api/mp/chat", json={"text": "   "}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == "消息内容不能为空"


# -- categories -------------------------------------------------------------------------------------------


def test_suggestions_while_typing(client: TestClient) -> None:
    headers = login(client, "o_mp_suggest")
    lamp = client.get("/api/mp/categories/suggest", params={"text": "小区门口路灯不亮了"}, headers=headers).json()
    assert lamp["suggestions"][0]["minor_name"] == "路灯不亮"
    assert len(lamp["suggestions"]) == 3
    assert lamp["urgent"] is False
    gas = client.get("/api/mp/categories/suggest", params={"text": "楼道里燃气泄漏，味道很大"}, headers=headers).json()
    assert gas["urgent"] is True
    short = client.get("/api/mp/categories/suggest", params={"text": "路"}, headers=headers).json()
    assert short["suggestions"] == []


def test_the_category_list_is_public(client: TestClient) -> None:
    majors = client.get("/api/mp/categories").json()
    assert majors[0]["minors"]
    assert all(minor["code"].startswith(major["code"]) for major in majors for minor in major["minors"])


# -- reports ----------------------------------------------------------------------------------------------


def test_a_report_with_photos_and_a_pin_is_filed_as_a_mini_program_case(client: TestClient) -> None:
    headers = login(client, "o_mp_reporter")
    response = report(
        client, headers, description="小区门口路灯坏了，晚上一片漆黑", lat=PLACE["lat"], lng=PLACE["lng"],
        crs="gcj02", phone="139 1234 5678", confidential="true",
        photos=[("lamp.jpg", jpeg(gps=(31.0, 117.0)), "image/jpeg"), ("lamp.png", png(), "image/png")],
    )
    assert response.status_code == 201, response.text
    filed = response.json()
    assert filed["number"].startswith("BH")
    assert filed["status_label"] == "待受理"
    assert filed["location"]["grid_name"] == PLACE["grid"]
    assert filed["location"]["source"] == "point"
    assert filed["category"]["minor_name"] == "路灯不亮"
    assert filed["photos"] == 2
    media = Path(client.app.state.settings.media_dir)  # type: ignore[attr-defined]
    with Session(engine(client)) as session:
        case = session.exec(select(Case).where(Case.number == filed["number"])).one()
        assert (case.channel, case.phone, case.category_source) == ("mp", "13912345678", "auto")
        resident = session.get(Resident, case.resident_id)
        assert resident is not None and resident.confidential
        photos = session.exec(select(Photo).where(Photo.case_id == case.id)).all()
    assert sorted(p.content_type for p in photos) == ["image/jpeg", "image/png"]
    for photo in photos:
        with Image.open(media / photo.path) as stored:
            assert not stored.getexif(), "EXIF must be stripped"

    mine = client.get("/api/mp/cases", headers=headers).json()
    assert [c["number"] for c in mine] == [filed["number"]]
    detail = client.get(f"/api/mp/cases/{filed['number']}", headers=headers).json()
    assert [step["title"] for step in detail["timeline"]] == ["已提交"]
    assert detail["photos"] == 2 and detail["can_rate"] is False


def test_the_form_is_read_and_answered_as_a_chat_report_is(client: TestClient) -> None:
    headers = login(client, "o_mp_same")
    response = report(client, headers, description="我要举报，星河雅居门口有人偷倒建筑垃圾，电话13912345678",
                      address="星河雅居", phone="13912345678")
    assert response.status_code == 201, response.text
    filed = response.json()
    [message] = filed["messages"]  # the chat's report.filed, word for word
    assert message.startswith("已提交，谢谢您！工单号 " + filed["number"]) and "兰亭第1网格" in message
    assert filed["emergency_hint"] is None and filed["category"]["minor_name"] == "建筑垃圾乱倒"
    with Session(engine(client)) as session:
        case = session.exec(select(Case).where(Case.number == filed["number"])).one()
    assert (case.appeal_type, case.phone, case.urgent) == ("report", "13912345678", False)
    assert case.description == "我要举报，星河雅居门口有人偷倒建筑垃圾"  # the phone taken out, as in the chat


def test_someone_elses_case_is_not_found(client: TestClient) -> None:
    owner = login(client, "o_mp_owner")
    number = report(client, owner, description="垃圾桶满了没人清理", address=PLACE["name"]).json()["number"]
    stranger = login(client, "o_mp_stranger")
    response = client.get(f"/api/mp/cases/{number}", headers=stranger)
    assert response.status_code == 404
    assert response.json()["detail"] == "没有找到这个工单，请核对编号"
    assert client.get("/api/mp/cases", headers=stranger).json() == []
    rating = client.post(f"/api/mp/cases/{number}/rating", json={"score": 5}, headers=stranger)
    assert rating.status_code == 404


def test_a_case_number_is_read_loosely_and_nonsense_is_not_found(client: TestClient) -> None:
    headers = login(client, "o_mp_loose")
    number = report(client, headers, description="路灯不亮了好几天", address=PLACE["name"]).json()["number"]
    loose = number.lower().replace("-", " ")
    assert client.get(f"/api/mp/cases/{loose}", headers=headers).json()["number"] == number
    nonsense = client.get("/api/mp/cases/not-a-number", headers=headers)
    assert nonsense.status_code == 404 and nonsense.json()["detail"] == "没有找到这个工单，请核对编号"


def test_an_address_is_resolved_through_the_gazetteer(client: TestClient) -> None:
    headers = login(client, "o_mp_address")
    filed = report(client, headers, description="井盖松动，车一过就响", address=f"{PLACE['name']}东门").json()
    assert filed["location"]["source"] == "address"
    assert filed["location"]["grid_name"] == PLACE["grid"]
    unknown = report(client, headers, description="井盖松动", address="火星基地")
    assert unknown.status_code == 422
    assert unknown.json()["detail"] == "没有找到这个地址，请在地图上选一下位置"


def test_the_photo_gps_is_offered_when_no_location_is_given(client: TestClient) -> None:
    headers = login(client, "o_mp_exif")
    wgs = gcj02_to_wgs84(PLACE["lat"], PLACE["lng"])
    response = report(client, headers, description="路边有一堆建筑垃圾",
                      photos=[("site.jpg", jpeg(gps=(wgs[0], wgs[1])), "image/jpeg")])
    assert response.status_code == 201, response.text
    location = response.json()["location"]
    assert location["source"] == "photo"
    assert (location["grid_name"], location["address"]) == (PLACE["grid"], PLACE["name"])  # the nearest place
    assert abs(location["lat"] - PLACE["lat"]) < 1e-4 and abs(location["lng"] - PLACE["lng"]) < 1e-4


@pytest.mark.parametrize(("form", "status", "message"), [
    ({"description": "  "}, 422, "请描述一下遇到的问题"),
    ({"description": "路灯坏了"}, 422, "请告诉我们问题发生的位置：在地图上选点，或填写地址"),
    ({"description": "路灯坏了", "lat": 31.85, "lng": 117.28}, 422, "请注明坐标系 crs：wgs84、gcj02 或 bd09"),
    ({"description": "路灯坏了", "lat": 31.85}, 422, "位置需要同时提供纬度 lat 和经度 lng"),
    ({"description": "路灯坏了", "lat": 39.9, "lng": 116.4, "crs": "gcj02"}, 422,
     "这个位置不在本区服务范围内，请确认后重新选择"),
    ({"description": "路灯坏了", "address": "星河雅居", "phone": "12345"}, 422,
     "联系电话格式不正确，请填写 11 位手机号或带区号的固定电话"),
    ({"description": "路灯坏了", "address": "星河雅居", "category": "9999"}, 422, "没有这个问题类别：9999"),
])
def test_bad_reports_are_refused_in_chinese(client: TestClient, form: dict[str, Any], status: int,
                                            message: str) -> None:
    headers = login(client, "o_mp_bad")
    response = report(client, headers, **form)
    assert response.status_code == status, response.text
    assert response.json()["detail"] == message


def test_a_missing_description_names_the_field(client: TestClient) -> None:
    headers = login(client, "o_mp_bad")
    response = client.post("/api/mp/reports", data={"address": "星河雅居"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["message"] == "请填写问题描述"


@pytest.mark.parametrize(("photo", "status", "message"), [
    (("note.jpg", b"this is not a picture at all", "image/jpeg"), 422, "第 1 张照片不是图片，或文件已损坏"),
    (("anim.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
      b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "image/gif"), 422,
     "第 1 张照片格式不支持，请上传 JPG、PNG 或 WebP 图片"),
    (("big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), "image/jpeg"), 413, "第 1 张照片超过 10 MB，请压缩后再传"),
])
def test_photos_are_checked_by_content_and_size(client: TestClient, photo: tuple[str, bytes, str], status: int,
                                                message: str) -> None:
    headers = login(client, "o_mp_photos")
    response = report(client, headers, description="路灯坏了", address="星河雅居", photos=[photo])
    assert response.status_code == status
    assert response.json()["detail"] == message


def test_at_most_nine_photos(client: TestClient) -> None:
    headers = login(client, "o_mp_many")
    small = jpeg(size=(16, 16))
    response = report(client, headers, description="路灯坏了", address="星河雅居",
                      photos=[(f"{i}.jpg", small, "image/jpeg") for i in range(10)])
    assert response.status_code == 413
    assert response.json()["detail"] == "照片最多 9 张，您上传了 10 张"


def test_a_chosen_category_wins_over_the_guess(client: TestClient) -> None:
    headers = login(client, "o_mp_choice")
    majors = client.get("/api/mp/categories").json()
    minor = majors[-1]["minors"][0]
    filed = report(client, headers, description="路灯坏了", address="星河雅居", category=minor["code"]).json()
    assert filed["category"]["minor_code"] == minor["code"]
    with Session(engine(client)) as session:
        case = session.exec(select(Case).where(Case.number == filed["number"])).one()
        assert case.category_source == "resident"


# -- ratings and subscriptions ----------------------------------------------------------------------------


def close(client: TestClient, number: str) -> None:
    from cases import transition

    now = datetime.now(UTC)
    steps: list[tuple[str, dict[str, Any]]] = [
        ("accepted", {}), ("dispatched", {"department": "市政维护所"}), ("processing", {}), ("verifying", {}),
        ("closed", {"note": "已修好"}),
    ]
    with Session(engine(client)) as session:
        for to, extra in steps:
            transition(session=session, number=number, to=to, actor="测试员", now=now, **extra)


def test_rating_a_closed_case_once(client: TestClient) -> None:
    headers = login(client, "o_mp_rater")
    number = report(client, headers, description="路灯坏了，晚上很黑", address="星河雅居").json()["number"]
    early = client.post(f"/api/mp/cases/{number}/rating", json={"score": 5}, headers=headers)
    assert early.status_code == 409
    assert early.json()["detail"] == "工单办结后才能评价，办结时我们会通知您"
    close(client, number)
    assert client.get(f"/api/mp/cases/{number}", headers=headers).json()["can_rate"] is True
    empty = client.post(f"/api/mp/cases/{number}/rating", json={}, headers=headers)
    assert empty.status_code == 422
    rated = client.post(f"/api/mp/cases/{number}/rating", json={"score": 4, "fixed": "yes", "comment": "挺快的"},
                        headers=headers)
    assert rated.status_code == 201
    assert rated.json()["score"] == 4
    again = client.post(f"/api/mp/cases/{number}/rating", json={"score": 1}, headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"] == "您已经评价过这个工单了，谢谢"
    detail = client.get(f"/api/mp/cases/{number}", headers=headers).json()
    titles = [step["title"] for step in detail["timeline"]]
    assert titles == ["已提交", "已受理", "已派遣", "处置中", "待核查", "已办结", "您已评价"]
    closed = next(step for step in detail["timeline"] if step["status"] == "closed")
    assert closed["note"] == "已修好"
    assert detail["rating"]["score"] == 4 and detail["can_rate"] is False


def test_score_out_of_range_is_refused(client: TestClient) -> None:
    headers = login(client, "o_mp_range")
    response = client.post("/api/mp/cases/BH20260101-0001/rating", json={"score": 9}, headers=headers)
    assert response.status_code == 422
    assert response.json()["message"] == "满意度超出范围"


def test_accepted_subscriptions_are_recorded(client: TestClient) -> None:
    headers = login(client, "o_mp_subscriber")
    body = {"results": {"tpl-status": "accept", "tpl-rating": "reject", "tpl-filed": "accept"}}
    first = client.post("/api/mp/subscriptions", json=body, headers=headers).json()
    assert first["accepted"] == ["tpl-status", "tpl-filed"]
    again = client.post("/api/mp/subscriptions", json={"results": {"tpl-status": "accept"}}, headers=headers).json()
    assert again["remaining"] == {"tpl-status": 2, "tpl-filed": 1}


def test_the_api_is_documented(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/mp/login", "/api/mp/chat", "/api/mp/reports", "/api/mp/categories/suggest", "/api/mp/cases",
                 "/api/mp/cases/{number}", "/api/mp/cases/{number}/rating", "/api/mp/subscriptions"):
        assert path in paths, path
    created = paths["/api/mp/reports"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    assert created["$ref"].endswith("/ReportOut")
    assert "multipart/form-data" in paths["/api/mp/reports"]["post"]["requestBody"]["content"]


# -- pushes to the mini-program ---------------------------------------------------------------------------


def wait_for(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def test_pushes_reach_a_subscriber_and_otherwise_wait_in_the_case_page(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/push.db", media_dir=tmp_path / "media",
                        data_dir=tmp_path / "data", worker_poll_seconds=0.1)
    with TestClient(create_app(settings, run_worker=True)) as client:
        subscriber, other = login(client, "o_mp_sub"), login(client, "o_mp_nosub")
        # In WeChat the acceptance happens in wx.requestSubscribeMessage; the page then tells us.
        client.post("/sandbox/api/residents/o_mp_sub/subscribe", json={"template_ids": ["sandbox-sub-report-filed"]})
        client.post("/api/mp/subscriptions", json={"results": {"sandbox-sub-report-filed": "accept"}},
                    headers=subscriber)
        mine = report(client, subscriber, description="路灯坏了，晚上很黑", address="星河雅居").json()["number"]
        theirs = report(client, other, description="垃圾没人收，堆在路边", address="星河雅居").json()["number"]

        pushed = wait_for(lambda: [m for m in client.get("/sandbox/api/messages?openid=o_mp_sub").json()
                                   if m["via"] == "subscribe"])
        assert mine in pushed[0]["text"]
        assert client.get(f"/api/mp/cases/{mine}", headers=subscriber).json()["notices"] == []

        notices = wait_for(lambda: client.get(f"/api/mp/cases/{theirs}", headers=other).json()["notices"])
        assert notices[0]["key"] == "report.filed_push"
        assert theirs in notices[0]["text"]
        assert client.get("/sandbox/api/messages?openid=o_mp_nosub").json() == []
