"""A centre's day over the staff API: hand-over, departments, dispatch, 处置, 核查, supervision, roles, session.

Real SQLite and PostgreSQL; the app carries the staff routers only.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.leaves import Leaves
from api.settings import Settings
from cases import CaseRules, rate, request_handover, touch_resident
from cases.models import CaseEvent, OutboxMessage, Photo, Resident, StaffNotification
from cases.staff import create_staff
from cases.supervision import supervise
from cases.workflow_models import DepartmentNotice
from tests.cases.conftest import FAR, HERE, NOW, file, move_to
from tests.conftest import running

pytestmark = pytest.mark.anyio
Headers = dict[str, str]


class Day(SimpleNamespace):
    client: httpx.AsyncClient
    engine: Engine
    admin: Headers
    agent: Headers
    numbers: dict[str, str]
    clock: list[Any]

    async def login(self, name: str, password: str) -> Headers:
        answer = await self.client.post("/api/staff/login", json={"name": name, "password": password})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="JPEG")
    return buffer.getvalue()


@pytest.fixture
async def day(engine: Engine, tmp_path: Path, leaves: Leaves) -> AsyncIterator[Day]:
    settings = Settings(secret_key="s" * 32, media_dir=tmp_path / "media", data_dir=tmp_path / "data",
                        database_url=engine.url.render_as_string(hide_password=False), migrate_on_start=False)
    (tmp_path / "media").mkdir()
    clock = [NOW]
    app = create_app(settings, clock=lambda: clock[0], leaves=leaves)
    with Session(engine, expire_on_commit=False) as session:
        create_staff(session=session, name="管理员", password="admin-pass", role="admin", now=NOW)
        create_staff(session=session, name="王芳", password="agent-pass", role="agent", now=NOW)
        light = file(session, openid="o-a", phone="13812345678", description="路灯不亮了，晚上很黑",
                     major_code="CITY", major_name="市政设施", minor_code="CITY-LIGHT", minor_name="路灯").case
        other = file(session, openid="o-b", lat=FAR[0], lng=FAR[1], grid_id="G-002",
                     description="垃圾桶满了没人清").case
        numbers = {"light": light.number, "other": other.number}
    async with running(app) as client:
        result = Day(client=client, engine=engine, admin={}, agent={}, numbers=numbers, clock=clock)
        result.admin = await result.login("管理员", "admin-pass")
        result.agent = await result.login("王芳", "agent-pass")
        yield result


async def _department(day: Day, name: str, categories: list[str], streets: list[str] | None = None,
                      openid: str | None = None) -> int:
    created = await day.client.post("/api/staff/departments", headers=day.admin, json={
        "name": name, "contact_person": "张主任", "phone": "0551-1234567", "categories": categories,
        "streets": streets or [], "notify_openid": openid})
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


async def _account(day: Day, name: str, role: str, **extra: Any) -> Headers:
    created = await day.client.post("/api/staff/accounts", headers=day.admin,
                                    json={"name": name, "password": "secret-pass", "role": role, **extra})
    assert created.status_code == 201, created.text
    return await day.login(name, "secret-pass")


async def test_a_human_request_is_answered_in_the_window_and_kept(day: Day) -> None:
    with Session(day.engine) as session:
        touch_resident(session, openid="o-a", channel="oa", now=NOW)
        request_handover(session=session, openid="o-a", channel="oa", text="我的电话13812345678，想找人问问路灯",
                         now=NOW)
    queue = (await day.client.get("/api/staff/handover", headers=day.agent)).json()
    assert len(queue) == 1
    item = queue[0]
    assert item["reason_text"] == "请求人工" and item["resident"]["phone"] == "138****5678"
    assert "13812345678" not in item["text"] and "138****5678" in item["text"]
    assert [c["number"] for c in item["open_cases"]] == [day.numbers["light"]]
    assert item["answer_via"] == "custom"
    full = (await day.client.get("/api/staff/handover", headers=day.admin)).json()[0]
    assert full["resident"]["phone"] == "13812345678"

    sent = await day.client.post(f"/api/staff/handover/{item['id']}/answer", headers=day.agent,
                                 json={"text": "您好，路灯明天上午修。"})
    assert sent.status_code == 200, sent.text
    assert sent.json()["via"] == "custom" and sent.json()["request"]["state"] == "answered"
    assert sent.json()["request"]["messages"][-1]["text"] == "您好，路灯明天上午修。"
    with Session(day.engine) as session:
        push = session.exec(select(OutboxMessage).where(OutboxMessage.template_key.startswith("handover"))).one()
    assert push.template_key == "handover.reply" and push.recipient_openid == "o-a"
    assert push.variables["message"] == "您好，路灯明天上午修。"
    assert (await day.client.get("/api/staff/handover", headers=day.agent)).json() == []


async def test_outside_the_window_the_answer_goes_as_a_template_and_a_call_is_noted(day: Day) -> None:
    with Session(day.engine) as session:
        request = request_handover(session=session, openid="o-b", channel="oa", text="人工", now=NOW)
        resident = session.get(Resident, request.resident_id)
        assert resident is not None
        resident.last_seen = NOW - timedelta(days=3)  # the resident's last message was three days ago
        session.add(resident)
        session.commit()
    item = (await day.client.get("/api/staff/handover", headers=day.agent)).json()[0]
    assert item["answer_via"] == "template" and not item["resident"]["in_window"]
    sent = await day.client.post(f"/api/staff/handover/{item['id']}/answer", headers=day.agent, json={"text": "已处理"})
    assert sent.json()["via"] == "template"
    called = await day.client.post(f"/api/staff/handover/{item['id']}/call", headers=day.agent,
                                   json={"note": "电话联系居民，已解释"})
    assert [m["via_text"] for m in called.json()["request"]["messages"]] == ["模板消息", "电话回访"]
    empty = await day.client.post(f"/api/staff/handover/{item['id']}/answer", headers=day.agent, json={"text": ""})
    assert empty.status_code == 422
    assert (await day.client.post("/api/staff/handover/999/answer", headers=day.agent,
                                  json={"text": "x"})).status_code == 404


async def test_a_bad_rating_joins_the_queue_with_its_case(day: Day) -> None:
    with Session(day.engine) as session:
        move_to(session, day.numbers["light"], "closed")
        rate(session=session, number=day.numbers["light"], openid="o-a", score=1, fixed=None, comment="没修好",
             now=NOW)
    item = (await day.client.get("/api/staff/handover", headers=day.agent)).json()[0]
    assert item["reason_text"] == "不满意评价" and item["case"]["number"] == day.numbers["light"]
    await day.client.post(f"/api/staff/handover/{item['id']}/call", headers=day.agent, json={"note": "已回访，明天复查"})
    case = (await day.client.get(f"/api/staff/cases/{day.numbers['light']}", headers=day.agent)).json()
    assert not case["callback_needed"]
    assert any(e["kind"] == "called_back" and "已回访" in e["note"] for e in case["timeline"])


async def test_dispatch_suggests_and_notifies_the_department(day: Day) -> None:
    lights = await _department(day, "路灯管理所", ["CITY-LIGHT"], openid="o-dept-contact")
    await _department(day, "环卫所", ["ENV"])
    number = day.numbers["light"]
    await day.client.post(f"/api/staff/cases/{number}/transitions", headers=day.agent, json={"to": "accepted"})
    suggested = (await day.client.get(f"/api/staff/cases/{number}/suggestions", headers=day.agent)).json()
    assert suggested[0]["name"] == "路灯管理所" and "承办“路灯”" in suggested[0]["reasons"]
    sent = await day.client.post(f"/api/staff/cases/{number}/dispatch", headers=day.agent,
                                 json={"department_id": lights, "note": "请尽快"})
    assert sent.status_code == 200 and sent.json()["department"] == "路灯管理所"
    with Session(day.engine) as session:
        notice = session.exec(select(DepartmentNotice)).one()
        pushes = session.exec(select(OutboxMessage.template_key, OutboxMessage.recipient_openid)).all()
    assert notice.kind == "dispatched" and number in notice.message
    assert ("supervision.notice", "o-dept-contact") in pushes
    again = await day.client.post(f"/api/staff/cases/{number}/dispatch", headers=day.agent,
                                  json={"department_id": lights})
    assert again.status_code == 409 and "已派遣" in again.json()["detail"]["message"]


async def test_bulk_accept_then_dispatch_reports_each_case(day: Day) -> None:
    env = await _department(day, "环卫所", ["ENV"])
    numbers = [day.numbers["light"], day.numbers["other"], "BH20990101-0001"]
    accepted = (await day.client.post("/api/staff/cases/bulk", headers=day.agent,
                                      json={"numbers": numbers, "action": "accept"})).json()
    assert [r["ok"] for r in accepted] == [True, True, False] and accepted[2]["message"] == "工单不存在"
    dispatched = (await day.client.post("/api/staff/cases/bulk", headers=day.agent,
                                        json={"numbers": numbers[:2], "action": "dispatch", "department_id": env})).json()
    assert all(r["ok"] for r in dispatched) and dispatched[0]["message"] == "已派遣至环卫所"
    listed = (await day.client.get("/api/staff/cases", headers=day.agent, params={"department": "环卫所"})).json()
    assert listed["total"] == 2 and {c["assignee"] for c in listed["items"]} == {"王芳"}


async def test_department_user_sees_only_its_cases_and_reports_disposal_or_returns(day: Day) -> None:
    lights = await _department(day, "路灯管理所", ["CITY-LIGHT"])
    await _department(day, "环卫所", ["ENV"])
    dept = await _account(day, "路灯所小李", "department", department_id=lights)
    number, other = day.numbers["light"], day.numbers["other"]
    await day.client.post("/api/staff/cases/bulk", headers=day.agent, json={"numbers": [number, other], "action": "accept"})
    await day.client.post(f"/api/staff/cases/{number}/dispatch", headers=day.agent, json={"department_id": lights})

    mine = (await day.client.get("/api/staff/my/cases", headers=dept)).json()
    assert [c["number"] for c in mine["items"]] == [number]
    assert mine["items"][0]["phone"] == "138****5678"
    refused = await day.client.get(f"/api/staff/my/cases/{other}", headers=dept)
    assert refused.status_code == 403 and "未派遣给您的单位" in refused.json()["detail"]
    centre_only = await day.client.get("/api/staff/cases", headers=dept)
    assert centre_only.status_code == 403 and "中心坐席" in centre_only.json()["detail"]
    assert "承办单位" in centre_only.json()["detail"]

    no_note = await day.client.post(f"/api/staff/my/cases/{number}/dispose", headers=dept, data={"note": ""})
    assert no_note.status_code == 422
    done = await day.client.post(f"/api/staff/my/cases/{number}/dispose", headers=dept, data={"note": "已更换灯泡"},
                                 files=[("photos", ("after.jpg", _jpeg(), "image/jpeg"))])
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["status"] == "verifying" and body["moves"] == [] and body["resident"]["openid"] is None
    assert any("已更换灯泡" in (e["note"] or "") for e in body["timeline"])
    with Session(day.engine) as session:
        assert session.exec(select(Photo.stage).where(Photo.stage == "disposal")).all() == ["disposal"]
    photo = body["photos"][-1]["url"]
    assert (await day.client.get(photo, headers=dept)).status_code == 200
    bad_photo = await day.client.post(f"/api/staff/my/cases/{number}/dispose", headers=dept, data={"note": "x"},
                                      files=[("photos", ("a.jpg", b"not an image", "image/jpeg"))])
    assert bad_photo.status_code == 422 and "第 1 张照片" in bad_photo.json()["detail"]

    # a second case, returned to the centre with a reason
    await day.client.post(f"/api/staff/cases/{other}/dispatch", headers=day.agent, json={"department_id": lights})
    back = await day.client.post(f"/api/staff/my/cases/{other}/return", headers=dept, json={"reason": "不归我们管"})
    assert back.status_code == 200 and back.json()["status"] == "accepted"


async def test_grid_worker_verifies_on_site_and_is_refused_elsewhere(day: Day) -> None:
    worker = await _account(day, "网格员老陈", "grid", grid_ids=["G-001"])
    number = day.numbers["light"]
    with Session(day.engine) as session:
        move_to(session, number, "verifying")
    mine = (await day.client.get("/api/staff/my/cases", headers=worker)).json()
    assert [c["number"] for c in mine["items"]] == [number]
    refused = await day.client.get(f"/api/staff/my/cases/{day.numbers['other']}", headers=worker)
    assert refused.status_code == 403 and "不在您负责的网格内" in refused.json()["detail"]
    far = await day.client.post(f"/api/staff/my/cases/{number}/verify", headers=worker,
                                data={"passed": "true", "lat": str(FAR[0]), "lng": str(FAR[1])})
    assert far.status_code == 422 and "米" in far.json()["detail"]["message"]
    ok = await day.client.post(f"/api/staff/my/cases/{number}/verify", headers=worker,
                               data={"passed": "true", "note": "灯亮了", "lat": str(HERE[0]), "lng": str(HERE[1])},
                               files=[("photos", ("v.jpg", _jpeg(), "image/jpeg"))])
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "verifying"
    assert any(e["kind"] == "verified" and "现场" in e["note"] for e in ok.json()["timeline"])
    dispose = await day.client.post(f"/api/staff/my/cases/{number}/dispose", headers=worker, data={"note": "x"})
    assert dispose.status_code == 403 and "承办单位" in dispose.json()["detail"]
    closed = await day.client.post(f"/api/staff/cases/{number}/transitions", headers=day.agent, json={"to": "closed"})
    assert closed.json()["status"] == "closed"


async def test_urge_extension_and_escalation_reach_the_department(day: Day) -> None:
    lights = await _department(day, "路灯管理所", ["CITY-LIGHT"])
    dept = await _account(day, "路灯所小李", "department", department_id=lights)
    number = day.numbers["light"]
    await day.client.post(f"/api/staff/cases/{number}/transitions", headers=day.agent, json={"to": "accepted"})
    await day.client.post(f"/api/staff/cases/{number}/dispatch", headers=day.agent, json={"department_id": lights})
    urged = await day.client.post(f"/api/staff/cases/{number}/urge", headers=day.agent, json={"kind": "urge"})
    assert urged.status_code == 200
    no_reason = await day.client.post(f"/api/staff/cases/{number}/urge", headers=day.agent, json={"kind": "supervise"})
    assert no_reason.status_code == 422
    await day.client.post(f"/api/staff/cases/{number}/urge", headers=day.agent,
                          json={"kind": "supervise", "note": "居民多次反映"})
    notices = (await day.client.get("/api/staff/my/notices", headers=dept)).json()
    assert [n["kind_text"] for n in notices] == ["督办", "催办", "新派工单"]

    case = (await day.client.get(f"/api/staff/my/cases/{number}", headers=dept)).json()
    later = "2026-12-10T17:00:00+08:00"
    asked = await day.client.post(f"/api/staff/my/cases/{number}/extension", headers=dept,
                                  json={"reason": "需要采购灯具", "due_at": later})
    assert asked.status_code == 200, asked.text
    twice = await day.client.post(f"/api/staff/my/cases/{number}/extension", headers=dept,
                                  json={"reason": "再延", "due_at": later})
    assert twice.status_code == 409
    pending = (await day.client.get("/api/staff/extensions", headers=day.agent)).json()
    assert pending[0]["number"] == number and pending[0]["department"] == "路灯管理所"
    refused_role = await day.client.post(f"/api/staff/extensions/{pending[0]['id']}", headers=dept,
                                         json={"approve": True})
    assert refused_role.status_code == 403
    decided = await day.client.post(f"/api/staff/extensions/{pending[0]['id']}", headers=day.agent,
                                    json={"approve": True})
    assert decided.status_code == 204
    moved = (await day.client.get(f"/api/staff/my/cases/{number}", headers=dept)).json()
    assert moved["due_at"] == "2026-12-10T17:00:00+08:00" != case["due_at"]

    with Session(day.engine) as session:
        report = supervise(session, NOW + timedelta(days=20), CaseRules(), escalate_after_hours=24)
        assert report.escalated == 2 and report.notified == 1  # the undispatched case goes to the centre only
        kinds = session.exec(select(CaseEvent.kind)).all()
        assert "escalated" in kinds
        assert session.exec(select(StaffNotification.kind).where(StaffNotification.kind == "escalation")).all()
        again = supervise(session, NOW + timedelta(days=21), CaseRules())
        assert again.escalated == 0
    kinds_seen = [n["kind"] for n in (await day.client.get("/api/staff/my/notices", headers=dept)).json()]
    assert kinds_seen[0] == "escalated" and "overdue" in kinds_seen


async def test_admin_manages_accounts_and_departments_agents_may_not(day: Day) -> None:
    lights = await _department(day, "路灯管理所", ["CITY-LIGHT"])
    no = await day.client.post("/api/staff/departments", headers=day.agent, json={"name": "X"})
    assert no.status_code == 403 and "中心管理员" in no.json()["detail"]
    assert (await day.client.get("/api/staff/accounts", headers=day.agent)).status_code == 403
    dup = await day.client.post("/api/staff/departments", headers=day.admin, json={"name": "路灯管理所"})
    assert dup.status_code == 409 and "已存在" in dup.json()["detail"]
    missing = await day.client.post("/api/staff/accounts", headers=day.admin,
                                    json={"name": "某人", "password": "secret-pass", "role": "department"})
    assert missing.status_code == 409 and "所属单位" in missing.json()["detail"]
    worker = await day.client.post("/api/staff/accounts", headers=day.admin,
                                   json={"name": "某网格员", "password": "secret-pass", "role": "grid"})
    assert worker.status_code == 409 and "网格" in worker.json()["detail"]
    dept_headers = await _account(day, "小李", "department", department_id=lights)
    accounts = (await day.client.get("/api/staff/accounts", headers=day.admin)).json()
    li = next(a for a in accounts if a["name"] == "小李")
    assert li["department"] == "路灯管理所" and li["role_text"] == "承办单位"
    renamed = await day.client.put(f"/api/staff/departments/{lights}", headers=day.admin,
                                   json={"name": "路灯所", "categories": ["CITY-LIGHT"]})
    assert renamed.status_code == 200
    off = await day.client.patch(f"/api/staff/accounts/{li['id']}", headers=day.admin, json={"active": False})
    assert off.json()["active"] is False
    assert (await day.client.get("/api/staff/my/cases", headers=dept_headers)).status_code == 401
    self_off = await day.client.patch("/api/staff/accounts/1", headers=day.admin, json={"active": False})
    assert self_off.status_code == 409


async def test_cookie_session_needs_csrf_for_changes_and_logout_everywhere(day: Day) -> None:
    signed = await day.client.post("/api/staff/session", json={"name": "王芳", "password": "agent-pass"})
    assert signed.status_code == 200
    cookie = signed.headers.get_list("set-cookie")
    assert any("gz_staff=" in c and "HttpOnly" in c and "SameSite=strict" in c for c in cookie)
    csrf = signed.json()["csrf_token"]
    assert (await day.client.get("/api/staff/session")).json()["name"] == "王芳"
    assert (await day.client.get("/api/staff/cases")).status_code == 200
    number = day.numbers["light"]
    forged = await day.client.post(f"/api/staff/cases/{number}/notes", json={"note": "x"})
    assert forged.status_code == 403 and "CSRF" in forged.json()["detail"]
    ok = await day.client.post(f"/api/staff/cases/{number}/notes", json={"note": "x"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200
    everywhere = await day.client.post("/api/staff/session/everywhere", headers={"X-CSRF-Token": csrf})
    assert everywhere.status_code == 204
    assert (await day.client.get("/api/staff/cases", headers=day.agent)).status_code == 401  # the bearer too


async def test_statistics_and_excel_exports(day: Day) -> None:
    import zipfile

    lights = await _department(day, "路灯管理所", ["CITY-LIGHT"])
    number = day.numbers["light"]
    await day.client.post(f"/api/staff/cases/{number}/transitions", headers=day.agent, json={"to": "accepted"})
    await day.client.post(f"/api/staff/cases/{number}/dispatch", headers=day.agent, json={"department_id": lights})
    stats = (await day.client.get("/api/staff/stats", headers=day.agent, params={"month": "2026-11"})).json()
    assert stats["since"] == "2026-11-01" and stats["last_day"] == "2026-11-30" and len(stats["trend"]) == 30
    assert stats["total"]["received"] == 2
    assert {r["group"]: r["received"] for r in stats["rows"]} == {"路灯管理所": 1, "未派遣": 1}
    day_range = {"since": "2026-11-27", "until": "2026-11-27", "group": "grid"}
    by_grid = (await day.client.get("/api/staff/stats", headers=day.agent, params=day_range)).json()
    assert [r["group"] for r in by_grid["rows"]] == ["幸福里第一网格"]
    csv_text = (await day.client.get("/api/staff/stats", headers=day.agent, params={**day_range, "format": "csv"})).text
    assert csv_text.startswith("\ufeff网格,受理量,办结量,按时办结率,满意率,回访率,重办率")
    xlsx = await day.client.get("/api/staff/stats", headers=day.agent, params={**day_range, "format": "xlsx"})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        assert "幸福里第一网格" in book.read("xl/sharedStrings.xml").decode()
    backwards = await day.client.get("/api/staff/stats", headers=day.agent,
                                     params={"since": "2026-11-27", "until": "2026-11-01"})
    assert backwards.status_code == 422 and "结束日期" in backwards.json()["detail"]["message"]
    assert (await day.client.get("/api/staff/cases.xlsx", headers=day.agent)).status_code == 403
    cases_book = await day.client.get("/api/staff/cases.xlsx", headers=day.admin, params={"department": "路灯管理所"})
    with zipfile.ZipFile(io.BytesIO(cases_book.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert number in strings and day.numbers["other"] not in strings


async def test_a_plain_dispatch_by_name_also_tells_a_managed_department(day: Day) -> None:
    lights = await _department(day, "路灯管理所", ["CITY-LIGHT"])
    dept = await _account(day, "小李", "department", department_id=lights)
    number = day.numbers["light"]
    await day.client.post(f"/api/staff/cases/{number}/transitions", headers=day.agent, json={"to": "accepted"})
    moved = await day.client.post(f"/api/staff/cases/{number}/transitions", headers=day.agent,
                                  json={"to": "dispatched", "department": "路灯管理所"})
    assert moved.status_code == 200
    notices = (await day.client.get("/api/staff/my/notices", headers=dept)).json()
    assert [n["kind_text"] for n in notices] == ["新派工单"] and notices[0]["number"] == number
