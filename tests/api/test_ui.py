"""What ``api.ui.mount_ui`` serves: the console everywhere, the simulator only while sandboxed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings


def make_client(tmp_path: Path, *, sandbox: bool) -> TestClient:
    extra = {} if sandbox else {"sandbox": False, "wechat_secret": "a-real-looking-secret-0123456789",
                                "secret_key": "a-real-session-key-" + "0" * 20}
    settings = Settings(database_url=f"sqlite:///{tmp_path}/ui.db", media_dir=tmp_path / "media",
                        data_dir=tmp_path / "data", **extra)  # type: ignore[arg-type]
    return TestClient(create_app(settings))


@pytest.fixture
def sandboxed(tmp_path: Path) -> Iterator[TestClient]:
    with make_client(tmp_path, sandbox=True) as client:
        yield client


def staff_headers(client: TestClient) -> dict[str, str]:
    token = client.post("/api/staff/login", json={"name": "admin", "password": "admin123"}).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


CONSOLE_PAGES = ["/staff/login", "/staff/cases", "/staff/cases/BH20261128-0001", "/staff/templates", "/staff/dashboard",
                 "/staff/handover", "/staff/supervision", "/staff/map", "/staff/stats", "/staff/admin", "/staff/my",
                 "/staff/cases/BH20261128-0001/print"]


def test_console_pages_are_chinese_shells(sandboxed: TestClient) -> None:
    for path in CONSOLE_PAGES:
        response = sandboxed.get(path)
        assert response.status_code == 200, path
        assert '<html lang="zh-CN">' in response.text
        assert "/staff/static/console.js" in response.text
        assert "/staff/static/favicon.svg" in response.text
        assert "<script>" not in response.text  # no inline script: a strict Content-Security-Policy can apply


def test_the_sandbox_login_page_names_the_demo_account(sandboxed: TestClient) -> None:
    assert "演示环境账号：admin，密码：admin123" in sandboxed.get("/staff/login").text


def test_the_console_root_leads_to_the_case_list(sandboxed: TestClient) -> None:
    response = sandboxed.get("/staff", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/cases"


def test_static_files_are_served_without_any_external_reference(sandboxed: TestClient) -> None:
    pages = [f"/staff/static/pages/{p.name}" for p in (Path(__file__).parents[2] / "api/console/static/pages").glob("*.js")]
    for path in ("/staff/static/console.js", "/staff/static/gridmap.js", "/staff/static/console.css",
                 "/staff/static/core.js", "/staff/static/casemap.js", "/staff/static/favicon.svg", *pages,
                 "/sandbox/static/simulator.js", "/sandbox/static/simulator.css"):
        response = sandboxed.get(path)
        assert response.status_code == 200, path
        assert "https://" not in response.text and "http://" not in response.text.replace(
            "http://www.w3.org/2000/svg", ""), path


def test_the_simulator_and_its_sample_places_while_sandboxed(sandboxed: TestClient) -> None:
    page = sandboxed.get("/sandbox")
    assert page.status_code == 200 and "居民模拟器" in page.text
    places = sandboxed.get("/sandbox/simulator/places").json()
    assert len(places) == 24 and all(p["grid_name"] for p in places)
    assert len({p["street"] for p in places}) > 3  # spread over the district
    found = sandboxed.get("/sandbox/simulator/places", params={"q": "星河雅居"}).json()
    assert found[0]["name"] == "星河雅居"


def test_no_simulator_without_the_sandbox(tmp_path: Path) -> None:
    with make_client(tmp_path, sandbox=False) as client:
        assert client.get("/sandbox").status_code == 404
        assert client.get("/sandbox/static/simulator.js").status_code == 404
        login = client.get("/staff/login")
        assert login.status_code == 200 and "演示环境账号" not in login.text


def test_locating_for_a_relocation_needs_a_staff_login(sandboxed: TestClient) -> None:
    assert sandboxed.get("/staff/locate", params={"text": "星河雅居"}).status_code == 401
    headers = staff_headers(sandboxed)
    [by_name, *_] = sandboxed.get("/staff/locate", params={"text": "星河雅居"}, headers=headers).json()
    assert by_name["grid_name"] == "兰亭第1网格"
    by_point = sandboxed.get("/staff/locate", params={"lat": by_name["lat"], "lng": by_name["lng"]},
                             headers=headers).json()
    assert by_point[0]["grid_id"] == by_name["grid_id"]
    assert sandboxed.get("/staff/locate", params={"lat": 39.9, "lng": 116.4}, headers=headers).json() == []
    empty = sandboxed.get("/staff/locate", headers=headers)
    assert empty.status_code == 422 and empty.json()["detail"] == "请输入地名，或在地图上点选位置"


def test_api_documentation_works_offline(sandboxed: TestClient) -> None:
    for path in ("/docs", "/redoc"):
        page = sandboxed.get(path)
        assert page.status_code == 200
        assert "cdn" not in page.text.lower() and "https://" not in page.text
        for asset in re.findall(r'(?:src|href)="(/docs-assets/[^"]+)"', page.text):
            served = sandboxed.get(asset)
            assert served.status_code == 200 and len(served.content) > 1000, asset
    assert sandboxed.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert sandboxed.get("/docs-assets/redoc.standalone.js").status_code == 200


def test_pick_lists_and_map_layers_speak_names(sandboxed: TestClient) -> None:
    headers = staff_headers(sandboxed)
    picks = sandboxed.get("/api/staff/picklists", headers=headers).json()
    assert len(picks["grids"]) == 779 and picks["grids"][0]["label"].endswith("网格")
    assert any(c["label"] == "市政设施/路灯不亮" for c in picks["categories"])
    assert "芜湖路街道" in [s["label"] for s in picks["streets"]]
    layers = sandboxed.get("/api/staff/map/layers", headers=headers).json()
    assert any(p["name"] == "星河雅居" for p in layers["places"])
    assert sandboxed.get("/api/staff/map/cases", headers=headers).json() == []


def test_staff_input_errors_come_back_in_chinese(sandboxed: TestClient) -> None:
    headers = staff_headers(sandboxed)
    short = sandboxed.post("/api/staff/accounts", headers=headers, json={"name": "新人", "password": "123"})
    assert short.status_code == 422 and short.json()["message"] == "密码至少 8 个字"
    assert short.json()["detail"][0]["loc"] == ["body", "password"]
    wrong = sandboxed.get("/api/staff/stats", headers=headers, params={"month": "十一月"})
    assert wrong.status_code == 422 and "2026-11" in wrong.json()["detail"]["message"]
