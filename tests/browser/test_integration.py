"""Other systems, set up from the console in a real browser:

an administrator issues an Open311 key for the 12345 hotline and adds the platform's webhook endpoint (each
secret shown once), sends it a test event; a case the hotline files with that key is in the case list under
its channel; the platform fails, the event ends among the dead letters and is sent again from there. An
agent is refused these pages with the role they need. Each page is photographed at 1440 and 390 px.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.platform_stub import Platform
from tests.browser.test_centre_day import ADMIN, ADMIN_PASSWORD, DESK, shoot, sign_in, watch_errors
from tests.browser.test_full_loop import TIMEOUT, LiveServer, Running, wait_until

pytestmark = pytest.mark.browser

AGENT, AGENT_PASSWORD = "wangfang", "agent-demo-2026"


@pytest.fixture
def hooked(tmp_path: Path) -> Iterator[Running]:
    """The live app with quick retries: two attempts, a fifth of a second apart, then the dead letters."""
    from sqlmodel import Session

    from api.app import create_app
    from api.settings import Settings
    from cases.staff import create_staff

    settings = Settings(database_url=f"sqlite:///{tmp_path}/intake.db", media_dir=tmp_path / "media",
                        data_dir=tmp_path / "data", worker_poll_seconds=0.2, outbox_retry_base_seconds=0.2,
                        outbox_max_attempts=2, webhook_timeout_seconds=5)
    app = create_app(settings, run_worker=True)
    with LiveServer(app) as server:
        with Session(app.state.services.engine) as session:
            now = datetime.now(UTC)
            create_staff(session=session, name=ADMIN, password=ADMIN_PASSWORD, role="admin", now=now)
            create_staff(session=session, name=AGENT, password=AGENT_PASSWORD, role="agent", now=now)
            session.commit()
        yield Running(server.url, app)


def file_by_open311(base: str, key: str) -> str:
    answer = httpx.post(f"{base}/open311/v2/requests.json", timeout=30, data={
        "api_key": key, "address_string": "星河雅居", "description": "星河雅居东门路灯不亮一周了，晚上很黑",
        "phone": "13800138000", "name": "王先生"})
    assert answer.status_code == 201, answer.text
    return str(answer.json()[0]["service_request_id"])


def test_an_admin_connects_other_systems_from_the_console(hooked: Running, browser: Any) -> None:
    from playwright.sync_api import expect

    base = hooked.url
    with Platform() as platform:
        admin = browser.new_page(viewport=DESK, locale="zh-CN")
        admin.set_default_timeout(TIMEOUT)
        admin.on("dialog", lambda dialog: dialog.accept())
        errors = watch_errors(admin)
        sign_in(admin, base, ADMIN, ADMIN_PASSWORD, "/staff/cases")

        # 1. An Open311 key for the hotline, shown once.
        admin.click("nav >> text=系统对接")
        admin.wait_for_url(re.compile("/staff/integration/clients"))
        form = admin.locator("#client-form")
        form.locator("input[name=name]").fill("12345热线平台")
        form.locator("select[name=channel]").select_option(label="12345热线")
        form.locator("input[name=rate_per_minute]").fill("30")
        form.locator("button[type=submit]").click()
        expect(admin.locator("#client-secret")).to_be_visible()
        key = admin.input_value("#client-key")
        assert key.startswith("gz_")
        row = admin.locator("#client-table tr", has_text="12345热线平台")
        expect(row).to_contain_text("12345热线")
        expect(row).to_contain_text("30 次/分钟")
        shoot(admin, "clients")
        admin.click("#client-secret >> text=我已保存")
        expect(admin.locator("#client-secret")).to_be_hidden()
        admin.reload()
        expect(row).to_contain_text("从未使用")
        assert key not in admin.content()  # shown once: gone with the panel

        # 2. The platform's endpoint, its secret shown once; a test event reaches it, signed.
        admin.click(".subnav >> text=Webhook 接收端")
        form = admin.locator("#endpoint-form")
        form.locator("input[name=name]").fill("区工单平台")
        form.locator("input[name=url]").fill(platform.url)
        form.locator("button[type=submit]").click()
        expect(admin.locator("#endpoint-secret")).to_be_visible()
        platform.key_id, platform.secret = admin.input_value("#endpoint-key-id"), admin.input_value("#endpoint-key")
        endpoint = admin.locator("#endpoint-table tr", has_text="区工单平台")
        expect(endpoint).to_contain_text("全部")
        endpoint.locator("text=发送测试事件").click()
        expect(admin.locator("#flash")).to_contain_text("已收到测试事件（HTTP 200）")
        assert [e["type"] for e in platform.events.values()] == ["webhook.ping"]
        assert platform.bad_signatures == 0
        shoot(admin, "webhooks")

        # 3. The hotline files a case while the platform fails; the console lists it under its channel.
        platform.status_for_all = 500
        number = file_by_open311(base, key)
        admin.goto(f"{base}/staff/cases")
        expect(admin.locator("#case-count")).to_contain_text("共")  # the list (and its pick-lists) loaded
        admin.fill("#filters input[name=channel_name]", "12345热线")
        admin.click("#filters button[type=submit]")
        case = admin.locator("#case-table tbody tr", has_text=number)
        expect(case).to_contain_text("12345热线")
        expect(admin.locator("#case-count")).to_have_text("共 1 件")
        assert "channel=hotline" in admin.url
        admin.fill("#filters input[name=channel_name]", "数字城管")
        admin.click("#filters button[type=submit]")
        expect(admin.locator("#case-table tbody")).to_contain_text("没有符合条件的工单")

        # 4. Its webhook ends among the dead letters, and is sent again from there.
        admin.goto(f"{base}/staff/integration/dead")

        def dead_listed() -> bool:
            admin.click("#reload-dead")
            admin.wait_for_timeout(300)
            return number in admin.inner_text("#dead-table")

        wait_until(dead_listed, "the failed webhook among the dead letters")
        dead = admin.locator("#dead-table tr", has_text=number)
        expect(dead).to_contain_text("新工单")
        expect(dead).to_contain_text("区工单平台")
        expect(dead).to_contain_text("HTTP 500")
        expect(dead).to_contain_text("2 次")
        expect(admin.locator("[data-tile=投递失败] .n")).to_have_text("1")
        expect(admin.locator("#dead-badge")).to_have_text("1")
        shoot(admin, "dead-letters")
        platform.status_for_all = None
        dead.locator("text=重发").click()
        expect(admin.locator("#flash")).to_contain_text("已重新排队")
        platform.wait_for(lambda p: any(e["type"] == "case.created" for e in p.events.values()))
        created = next(e for e in platform.events.values() if e["type"] == "case.created")
        assert created["case"]["number"] == number and created["case"]["channel"] == "hotline"
        admin.click("#reload-dead")
        expect(admin.locator("#dead-table")).to_contain_text("没有投递失败的推送")
        expect(admin.locator("#dead-badge")).to_be_hidden()
        assert errors == []

        # 5. An agent is refused, told which role it takes.
        agent = browser.new_page(viewport=DESK, locale="zh-CN")
        agent.set_default_timeout(TIMEOUT)
        agent_errors = watch_errors(agent)
        sign_in(agent, base, AGENT, AGENT_PASSWORD, "/staff/cases")
        expect(agent.locator("nav >> text=系统对接")).to_be_hidden()
        for part in ("clients", "webhooks", "dead"):
            agent.goto(f"{base}/staff/integration/{part}")
            expect(agent.locator("#refused")).to_contain_text("此操作需要“中心管理员”角色")
            expect(agent.locator("#refused")).to_contain_text("中心坐席")
            expect(agent.locator("[data-needs-admin]")).to_be_hidden()
        assert agent_errors == []
