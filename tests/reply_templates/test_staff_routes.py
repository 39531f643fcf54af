"""The staff API over a small app: real SQLite file, real bearer tokens, the renderer the app would hold."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, create_engine

from api.app import create_app
from api.leaves import Leaves
from api.services import Services
from api.settings import load_settings
from cases.models import StaffUser
from cases.staff import create_staff, issue_token
from reply_templates import Renderer, TemplateVersion, default_catalog

SECRET = "test-secret-key-for-staff-templates"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'staff.db'}")
    tables = [SQLModel.metadata.tables[t.__tablename__] for t in (TemplateVersion, StaffUser)]
    SQLModel.metadata.create_all(engine, tables=tables)
    yield engine
    engine.dispose()


@pytest.fixture
def client(engine: Engine, tmp_path: Path, leaves: Leaves) -> Iterator[TestClient]:
    settings = load_settings(secret_key=SECRET, database_url=str(engine.url), migrate_on_start=False,
                             template_refresh_seconds=3600, media_dir=tmp_path / "media", data_dir=tmp_path / "data")
    app = create_app(settings, leaves=leaves)
    now = datetime.now(UTC)
    with Session(engine) as session:
        user = create_staff(session=session, name="王芳", password="long-enough-pass", role="agent", now=now)
        token = issue_token(user, secret=SECRET, ttl_seconds=3600, now=now)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client


@pytest.fixture
def renderer(client: TestClient) -> Renderer:
    """The renderer the app holds (edits must reach it at once)."""
    services: Services = client.app.state.services  # type: ignore[attr-defined]
    return services.templates


def test_signed_out_requests_are_refused(client: TestClient) -> None:
    response = client.get("/api/staff/templates", headers={"Authorization": ""})
    assert response.status_code == 401


def test_list_shows_every_key_with_its_variables(client: TestClient) -> None:
    listed = {t["key"]: t for t in client.get("/api/staff/templates").json()}
    assert set(listed) == set(default_catalog().keys())
    assert [v["name"] for v in listed["menu.human"]["variables"]] == ["office_hours", "hotline", "open_now",
                                                                       "next_open"]
    assert listed["menu.human"]["customised"] is False


def test_an_edit_is_saved_with_its_author_and_used_at_once(client: TestClient, renderer: Renderer) -> None:
    body = "好的，工作人员会在{{ office_hours }}回复您。\n着急请拨 {{ hotline }}。"
    response = client.put("/api/staff/templates/menu.human", json={"body": body})
    assert response.status_code == 200
    detail = response.json()
    assert detail["body"] == body and detail["customised"] is True
    assert detail["history"][0]["author"] == "王芳"
    assert detail["history"][0]["previous_body"] == default_catalog().get("menu.human").body
    assert renderer.render("menu.human", office_hours="9:00-17:00", hotline="12345") == (
        "好的，工作人员会在9:00-17:00回复您。\n着急请拨 12345。"
    )
    listed = {t["key"]: t for t in client.get("/api/staff/templates").json()}
    assert listed["menu.human"]["customised"] is True and listed["menu.human"]["updated_by"] == "王芳"


def test_a_forbidden_phrase_is_refused_with_422_and_the_line(client: TestClient) -> None:
    response = client.put("/api/staff/templates/menu.unknown", json={"body": "您好。\n这个不归我们管，自己去找街道。"})
    assert response.status_code == 422
    problems = response.json()["detail"]["problems"]
    assert {p["code"] for p in problems} == {"negative_phrase"}
    assert all(p["line"] == 2 for p in problems)
    assert any("不归我们管" in p["message"] for p in problems)
    assert client.get("/api/staff/templates/menu.unknown").json()["history"] == []


def test_syntax_errors_and_unknown_variables_are_refused_with_lines(client: TestClient) -> None:
    broken = client.put("/api/staff/templates/report.filed", json={"body": "工单 {{ number }\n谢谢"})
    assert broken.status_code == 422
    assert broken.json()["detail"]["problems"][0]["line"] == 1
    unknown = client.put("/api/staff/templates/report.filed", json={"body": "工单 {{ number }}\n{{ openid }}"})
    assert unknown.status_code == 422
    problem = unknown.json()["detail"]["problems"][0]
    assert problem["code"] == "undeclared_variable" and problem["line"] == 2


def test_an_over_long_push_field_is_refused(client: TestClient) -> None:
    fields = {
        "character_string1": "{{ number }}",
        "thing2": "{{ summary or '已办结' }}",
        "thing3": "您反映的问题已经办结，请回复数字1到3为我们打分",
    }
    response = client.put(
        "/api/staff/templates/rating.ask", json={"body": "工单 {{ number }} 已办结，请回复 {{ options }}。", "fields": fields}
    )
    assert response.status_code == 422
    assert response.json()["detail"]["problems"][0]["code"] == "field_too_long"


def test_preview_uses_samples_and_given_values_without_saving(client: TestClient) -> None:
    response = client.post(
        "/api/staff/templates/report.filed/preview",
        json={"body": "工单 {{ number }}，由{{ grid_name }}处理。", "variables": {"number": "GZ9"}},
    )
    assert response.status_code == 200
    assert response.json() == {"text": "工单 GZ9，由春晖第二网格处理。", "fields": None, "problems": []}
    bad = client.post("/api/staff/templates/report.filed/preview", json={"body": "我也没办法"}).json()
    assert bad["problems"][0]["code"] == "negative_phrase"
    assert client.get("/api/staff/templates/report.filed").json()["customised"] is False


def test_rollback_restores_an_older_version(client: TestClient, renderer: Renderer) -> None:
    first = client.put("/api/staff/templates/report.cancelled", json={"body": "好的，已取消。"}).json()
    client.put("/api/staff/templates/report.cancelled", json={"body": "已取消，欢迎再来。"})
    old_id = first["history"][0]["id"]
    restored = client.post("/api/staff/templates/report.cancelled/rollback", json={"version_id": old_id})
    assert restored.status_code == 200
    assert restored.json()["body"] == "好的，已取消。"
    assert restored.json()["history"][0]["restored_from"] == old_id
    assert renderer.render("report.cancelled") == "好的，已取消。"
    default = client.post("/api/staff/templates/report.cancelled/rollback", json={"version_id": None}).json()
    assert default["body"] == default["default_body"]
    missing = client.post("/api/staff/templates/report.cancelled/rollback", json={"version_id": 999})
    assert missing.status_code == 404


def test_unknown_keys_are_404(client: TestClient) -> None:
    assert client.get("/api/staff/templates/menu.nope").status_code == 404
    assert client.put("/api/staff/templates/menu.nope", json={"body": "您好"}).status_code == 404
