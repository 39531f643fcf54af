"""The staff API on a small app of its own, over real SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.app import create_app
from api.leaves import Leaves
from api.settings import Settings
from cases import AppealType, StoredPhoto, mask_phone
from cases.models import OutboxMessage
from cases.outbox import claim_batch, mark_failed
from cases.staff import create_staff
from tests.cases.conftest import FAR, NEAR, NOW, file, move_to
from tests.conftest import running

pytestmark = pytest.mark.anyio
GRID = "34011100100801"  # 官塘第1网格 in the shipped grid layer


@dataclass
class Staff:
    admin: dict[str, str]
    agent: dict[str, str]
    client: httpx.AsyncClient
    numbers: dict[str, str]
    app: FastAPI


@pytest.fixture
async def api(engine: Engine, tmp_path: Path, leaves: Leaves) -> AsyncIterator[Staff]:
    settings = Settings(secret_key="s" * 32, media_dir=tmp_path / "media", data_dir=tmp_path / "data",
                        database_url=engine.url.render_as_string(hide_password=False), migrate_on_start=False)
    app = create_app(settings, clock=lambda: NOW, leaves=leaves)
    with Session(engine, expire_on_commit=False) as session:
        create_staff(session=session, name="管理员", password="admin-pass", role="admin", now=NOW)
        create_staff(session=session, name="王芳", password="agent-pass", role="agent", now=NOW)
        photo = StoredPhoto(
            sha256="ab" * 32, bytes=3, content_type="image/png", width=1, height=1, path="ab/" + "ab" * 32 + ".png"
        )
        (tmp_path / "media" / "ab").mkdir(parents=True)
        (tmp_path / "media" / photo.path).write_bytes(b"png")
        first = file(session, openid="o-a", phone="13812345678", photos=[photo], appeal_type=AppealType.COMPLAINT).case
        joined = file(
            session,
            openid="o-b",
            phone="13900001111",
            lat=NEAR[0],
            lng=NEAR[1],
            description="门口的垃圾好几天没人清理了",
        ).case
        secret = file(
            session,
            openid="o-secret",
            phone="13700002222",
            confidential=True,
            lat=FAR[0],
            lng=FAR[1],
            description="邻居噪音扰民",
            minor_code="NOISE",
            urgent=True,
            appeal_type=AppealType.REPORT,
        ).case
        numbers = {"first": first.number, "joined": joined.number, "secret": secret.number}
    async with running(app) as client:
        tokens = {}
        for name, password in (("管理员", "admin-pass"), ("王芳", "agent-pass")):
            answer = await client.post("/api/staff/login", json={"name": name, "password": password})
            assert answer.status_code == 200, answer.text
            tokens[name] = answer.json()["access_token"]
        yield Staff(
            admin={"Authorization": f"Bearer {tokens['管理员']}"},
            agent={"Authorization": f"Bearer {tokens['王芳']}"},
            client=client,
            numbers=numbers,
            app=app,
        )


def test_mask_phone() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("123") == "****"
    assert mask_phone(None) is None


async def test_login_failures_and_missing_tokens(api: Staff) -> None:
    bad = await api.client.post("/api/staff/login", json={"name": "王芳", "password": "wrong"})
    assert bad.status_code == 401 and bad.json()["detail"] == "用户名或密码错误"
    malformed = await api.client.post("/api/staff/login", json={"name": "王芳"})
    assert malformed.status_code == 422
    assert [e["loc"] for e in malformed.json()["detail"]] == [["body", "password"]]
    for path in (
        "/api/staff/cases",
        f"/api/staff/cases/{api.numbers['first']}",
        "/api/staff/due",
        "/api/staff/outbox/dead",
        "/api/staff/cases.csv",
    ):
        assert (await api.client.get(path)).status_code == 401, path
    me = await api.client.get("/api/staff/me", headers=api.agent)
    assert me.json()["role"] == "agent"


async def test_agents_get_403_on_admin_work(api: Staff) -> None:
    assert (await api.client.get("/api/staff/cases.csv", headers=api.agent)).status_code == 403
    created = await api.client.post(
        "/api/staff/users", headers=api.agent, json={"name": "x", "password": "12345678", "role": "admin"}
    )
    assert created.status_code == 403 and "中心管理员" in created.json()["detail"]
    assert (await api.client.post("/api/staff/outbox/1/retry", headers=api.agent)).status_code == 403
    assert (await api.client.get("/api/staff/users", headers=api.agent)).status_code == 403
    ok = await api.client.post(
        "/api/staff/users", headers=api.admin, json={"name": "李强", "password": "12345678", "role": "agent"}
    )
    assert ok.status_code == 201


async def test_list_masks_phones_and_hides_confidential_residents_from_agents(api: Staff) -> None:
    listed = await api.client.get("/api/staff/cases", headers=api.agent)
    assert listed.status_code == 200
    body = listed.json()
    assert body["total"] == 3
    by_number = {item["number"]: item for item in body["items"]}
    first = by_number[api.numbers["first"]]
    assert first["phone"] == "138****5678" and first["resident"]["phone"] == "138****5678"
    assert first["status_text"] == "待受理"
    secret = by_number[api.numbers["secret"]]
    assert secret["resident"] == {"hidden": True, "openid": None, "channel": "oa", "phone": None, "confidential": True}
    assert secret["phone"] is None
    joined = by_number[api.numbers["joined"]]
    assert joined["cluster_number"] == api.numbers["first"]
    as_admin = await api.client.get("/api/staff/cases", headers=api.admin, params={"urgent": True})
    [item] = as_admin.json()["items"]
    assert item["resident"]["openid"] == "o-secret" and item["resident"]["phone"] == "137****2222"
    detail = await api.client.get(f"/api/staff/cases/{api.numbers['secret']}", headers=api.agent)
    assert detail.json()["resident"]["hidden"] is True and detail.json()["phone"] is None


async def test_filters_paging_and_malformed_queries(api: Staff) -> None:
    page = await api.client.get("/api/staff/cases", headers=api.agent, params={"page_size": 2, "page": 2})
    assert page.json()["total"] == 3 and len(page.json()["items"]) == 1
    by_category = await api.client.get("/api/staff/cases", headers=api.agent, params={"category": "NOISE"})
    assert [i["number"] for i in by_category.json()["items"]] == [api.numbers["secret"]]
    by_openid = await api.client.get("/api/staff/cases", headers=api.agent, params={"openid": "o-b"})
    assert by_openid.json()["total"] == 1
    none = await api.client.get("/api/staff/cases", headers=api.agent, params={"status": "closed"})
    assert none.json()["total"] == 0
    bad = await api.client.get(
        "/api/staff/cases", headers=api.agent, params={"status": "done", "page": 0, "created_from": "yesterday"}
    )
    assert bad.status_code == 422
    assert sorted(e["loc"][-1] for e in bad.json()["detail"]) == ["created_from", "page", "status"]


async def test_the_list_filters_by_appeal_type_by_name_or_code(api: Staff) -> None:
    by_name = await api.client.get("/api/staff/cases", headers=api.agent, params={"appeal_type": "举报"})
    [item] = by_name.json()["items"]
    assert (item["number"], item["appeal_text"]) == (api.numbers["secret"], "举报")
    by_code = await api.client.get("/api/staff/cases", headers=api.agent, params={"appeal_type": "complaint"})
    assert [i["number"] for i in by_code.json()["items"]] == [api.numbers["first"]]
    bad = await api.client.get("/api/staff/cases", headers=api.agent, params={"appeal_type": "抱怨"})
    assert bad.status_code == 422
    assert bad.json()["detail"] == {"message": "诉求类型只能是：投诉、举报、求助、咨询、建议、表扬、其他",
                                    "field": "appeal_type"}
    unstated = await api.client.get(f"/api/staff/cases/{api.numbers['joined']}", headers=api.agent)
    assert unstated.json()["appeal_text"] is None
    picks = (await api.client.get("/api/staff/picklists", headers=api.agent)).json()
    assert [(o["value"], o["label"]) for o in picks["appeal_types"]][:2] == [("complaint", "投诉"), ("report", "举报")]
    exported = await api.client.get("/api/staff/cases.csv", headers=api.admin, params={"appeal_type": "投诉"})
    header, row = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert (header[-1], row[0], row[-1]) == ("诉求类型", api.numbers["first"], "投诉")


async def test_case_detail_has_timeline_photos_cluster_and_moves(api: Staff) -> None:
    detail = await api.client.get(f"/api/staff/cases/{api.numbers['first']}", headers=api.agent)
    assert detail.status_code == 200
    body = detail.json()
    assert body["phone"] == "13812345678"  # the file shows the number to call back
    assert [e["kind"] for e in body["timeline"]] == ["filed", "cluster_joined"]
    assert [p["sha256"] for p in body["photos"]] == ["ab" * 32]
    assert [c["number"] for c in body["cluster"]] == [api.numbers["first"], api.numbers["joined"]]
    assert [(m["to"], m["requires"]) for m in body["moves"]] == [("accepted", None), ("rejected", "note")]
    assert [p["template_key"] for p in body["pushes"]] == ["report.filed_push"]
    photo = await api.client.get(body["photos"][0]["url"], headers=api.agent)
    assert photo.status_code == 200 and photo.content == b"png"
    missing = await api.client.get("/api/staff/cases/BH20261127-9999", headers=api.agent)
    assert missing.status_code == 404 and "不存在" in missing.json()["detail"]
    nonsense = await api.client.get("/api/staff/cases/not-a-number", headers=api.agent)
    assert nonsense.status_code == 404 and "不存在" in nonsense.json()["detail"]
    loose = await api.client.get(f"/api/staff/cases/{api.numbers['first'].lower()}", headers=api.agent)
    assert loose.json()["number"] == api.numbers["first"]


async def test_transitions_allowed_forbidden_and_missing_fields(api: Staff) -> None:
    url = f"/api/staff/cases/{api.numbers['secret']}/transitions"
    accepted = await api.client.post(url, headers=api.agent, json={"to": "accepted"})
    assert accepted.status_code == 200
    last = accepted.json()["timeline"][-1]
    assert (last["actor"], last["from_status"], last["to_status"]) == ("王芳", "submitted", "accepted")
    forbidden = await api.client.post(url, headers=api.agent, json={"to": "closed"})
    assert forbidden.status_code == 409
    detail = forbidden.json()["detail"]
    assert detail["allowed"] == ["dispatched"] and "已派遣" in detail["message"]
    missing = await api.client.post(url, headers=api.agent, json={"to": "dispatched", "note": "请处理"})
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "department"]
    malformed = await api.client.post(url, headers=api.agent, json={"note": "x"})
    assert malformed.status_code == 422 and malformed.json()["detail"][0]["loc"] == ["body", "to"]
    unknown = await api.client.post(url, headers=api.agent, json={"to": "archived"})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["body", "to"]
    dispatched = await api.client.post(url, headers=api.agent, json={"to": "dispatched", "department": "派出所"})
    assert dispatched.json()["department"] == "派出所"


async def test_reclassify_relocate_note_and_callback_are_in_the_timeline(api: Staff) -> None:
    number = api.numbers["secret"]
    base = f"/api/staff/cases/{number}"
    r = await api.client.post(
        f"{base}/reclassify",
        headers=api.agent,
        json={"major_code": "18", "major_name": "x", "minor_code": "1810", "minor_name": "噪音扰民"},
    )
    assert r.status_code == 200 and r.json()["minor_name"] == "邻居生活噪音"  # the taxonomy's name, not the browser's
    unknown = await api.client.post(
        f"{base}/reclassify",
        headers=api.agent,
        json={"major_code": "ENV", "major_name": "市容环境", "minor_code": "ENV-NOISE", "minor_name": "噪音扰民"},
    )
    assert unknown.status_code == 422 and unknown.json()["detail"]["field"] == "minor_code"
    bad = await api.client.post(f"{base}/relocate", headers=api.agent, json={"address": "某处"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "grid_id"]
    half = await api.client.post(f"{base}/relocate", headers=api.agent, json={"grid_id": GRID, "lat": 31.2})
    assert half.status_code == 422 and half.json()["detail"][0]["loc"] == ["body", "location"]
    nowhere = await api.client.post(f"{base}/relocate", headers=api.agent, json={"grid_id": "G-2"})
    assert nowhere.status_code == 422 and nowhere.json()["detail"]["field"] == "grid_id"
    moved = await api.client.post(
        f"{base}/relocate", headers=api.agent, json={"grid_id": GRID, "grid_name": "二网格", "address": "人民路 8 号"}
    )
    assert moved.json()["grid_id"] == GRID and moved.json()["grid_name"] == "官塘第1网格"
    noted = await api.client.post(f"{base}/notes", headers=api.agent, json={"note": "已联系"})
    kinds = [(e["kind"], e["actor"]) for e in noted.json()["timeline"]]
    assert kinds[-3:] == [("reclassified", "王芳"), ("relocated", "王芳"), ("note", "王芳")]


async def test_csv_export_for_admins(api: Staff) -> None:
    answer = await api.client.get("/api/staff/cases.csv", headers=api.admin, params={"street": "湖滨街道"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    text = answer.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["工单号", "状态", "大类"]
    assert len(rows) == 4
    assert "138****5678" in text and "13812345678" not in text


async def test_due_flagged_repeat_cluster_and_dead_letter_lists(api: Staff, engine: Engine) -> None:
    due = (await api.client.get("/api/staff/due", headers=api.agent)).json()
    assert [c["number"] for c in due["due_soon"]] == [api.numbers["secret"]]
    assert due["overdue"] == []
    clusters = (await api.client.get("/api/staff/clusters", headers=api.agent)).json()
    assert clusters[0]["number"] == api.numbers["first"] and clusters[0]["size"] == 2
    with Session(engine, expire_on_commit=False) as session:
        for days in (1, 2):
            file(session, openid="o-a", lat=31.0 + days, lng=121.0, now=NOW + timedelta(days=days))
        move_to(session, api.numbers["joined"], "closed")
        [row, *_] = claim_batch(session, worker_id="w", limit=1, lease_seconds=60, now=NOW + timedelta(days=3))
        mark_failed(session, row, error_code=43004, error="require subscribe", now=NOW, permanent=True)
        row_id = row.id
    repeat = (await api.client.get("/api/staff/repeat-reporters", headers=api.agent)).json()
    assert repeat[0]["count"] == 3 and repeat[0]["resident"]["phone"] == "138****5678"
    flagged = (await api.client.get("/api/staff/flagged", headers=api.agent)).json()
    assert len(flagged) == 1 and flagged[0]["repeat_reporter"]
    dead = (await api.client.get("/api/staff/outbox/dead", headers=api.agent)).json()
    assert [(d["id"], d["error_code"], d["recipient"]) for d in dead] == [(row_id, 43004, None)]
    retried = await api.client.post(f"/api/staff/outbox/{row_id}/retry", headers=api.admin)
    assert retried.status_code == 202
    with Session(engine) as session:
        again = session.get(OutboxMessage, row_id)
        assert again is not None and again.state == "pending"
    detail = (await api.client.get(f"/api/staff/cases/{api.numbers['first']}", headers=api.agent)).json()
    assert ("push_retried", "管理员") in [(e["kind"], e["actor"]) for e in detail["timeline"]]
    assert (await api.client.post(f"/api/staff/outbox/{row_id}/retry", headers=api.admin)).status_code == 409
    late = (await api.client.get("/api/staff/overdue", headers=api.agent)).json()
    assert late == []


async def test_repeated_failed_logins_are_throttled(api: Staff) -> None:
    for _ in range(5):
        wrong = await api.client.post("/api/staff/login", json={"name": "王芳", "password": "guess"})
        assert wrong.status_code == 401
    blocked = await api.client.post("/api/staff/login", json={"name": "王芳", "password": "agent-pass"})
    assert blocked.status_code == 429
    other = await api.client.post("/api/staff/login", json={"name": "管理员", "password": "admin-pass"})
    assert other.status_code == 200


def from_address(api: Staff, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app, client=(address, 40000)),
                             base_url="http://test")


async def test_wrong_passwords_from_elsewhere_do_not_lock_the_real_user_out(api: Staff) -> None:
    async with from_address(api, "203.0.113.7") as attacker, from_address(api, "10.1.2.3") as desk:
        for _ in range(8):
            assert (await attacker.post("/api/staff/login", json={"name": "王芳", "password": "x"})).status_code \
                in (401, 429)
        assert (await attacker.post("/api/staff/login", json={"name": "王芳", "password": "agent-pass"})
                ).status_code == 429
        real = await desk.post("/api/staff/login", json={"name": "王芳", "password": "agent-pass"})
        assert real.status_code == 200


async def test_an_address_spraying_names_is_stopped_before_hashing_each_one(api: Staff) -> None:
    async with from_address(api, "198.51.100.9") as sprayer, from_address(api, "10.1.2.3") as desk:
        answers = [(await sprayer.post("/api/staff/login", json={"name": f"user{i}", "password": "123456"})
                    ).status_code for i in range(40)]
        assert answers[:30] == [401] * 30
        assert set(answers[30:]) == {429}
        assert (await desk.post("/api/staff/login", json={"name": "王芳", "password": "agent-pass"})).status_code \
            == 200


# -- hostile queries: each answered with data the reader may see, or a clear 422, never a 500 ---------------


async def test_an_agent_cannot_find_a_confidential_residents_cases_by_openid(api: Staff) -> None:
    agent = (await api.client.get("/api/staff/cases", params={"openid": "o-secret"}, headers=api.agent)).json()
    assert agent["total"] == 0 and agent["items"] == []
    admin = (await api.client.get("/api/staff/cases", params={"openid": "o-secret"}, headers=api.admin)).json()
    assert [c["number"] for c in admin["items"]] == [api.numbers["secret"]]
    own = (await api.client.get("/api/staff/cases", params={"openid": "o-a"}, headers=api.agent)).json()
    assert [c["number"] for c in own["items"]] == [api.numbers["first"]]


@pytest.mark.parametrize("q", ["%", "_", "%%", "\\"])
async def test_like_wildcards_in_a_search_match_only_themselves(api: Staff, q: str) -> None:
    found = (await api.client.get("/api/staff/cases", params={"q": q}, headers=api.agent)).json()
    assert found["total"] == 0


async def test_a_search_still_finds_words(api: Staff) -> None:
    found = (await api.client.get("/api/staff/cases", params={"q": "垃圾"}, headers=api.agent)).json()
    assert api.numbers["joined"] in [c["number"] for c in found["items"]]


@pytest.mark.parametrize(("path", "params"), [
    ("/api/staff/cases", {"created_from": "2026-11-01T00:00:00"}),
    ("/api/staff/cases", {"created_until": "9999-12-31T00:00:00+08:00"}),
    ("/api/staff/cases", {"created_from": "0001-01-01T00:00:00+00:00"}),
    ("/api/staff/cases", {"page": str(2**63)}),
    ("/api/staff/stats/satisfaction", {"until": "9999-12-31T23:59:59+00:00"}),
    ("/api/staff/stats/satisfaction", {"since": "2026-11-01T00:00:00"}),
])
async def test_odd_times_and_pages_are_a_clear_422(api: Staff, path: str, params: dict[str, str]) -> None:
    response = await api.client.get(path, params=params, headers=api.agent)
    assert response.status_code == 422, response.text
