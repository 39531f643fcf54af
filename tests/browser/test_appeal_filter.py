"""Staff filter the case list by appeal type (诉求类型) by its name, and read it on the case."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.browser.test_centre_day import sign_in, watch_errors
from tests.browser.test_full_loop import STAFF_NAME, STAFF_PASSWORD, TIMEOUT, Running

pytestmark = pytest.mark.browser


def report(base: str, openid: str, text: str) -> None:
    """A resident reports in one message and confirms, through the WeChat stand-in."""
    for words in (text, "确认"):
        sent = httpx.post(f"{base}/sandbox/api/residents/{openid}/send", json={"kind": "text", "content": words},
                          timeout=30)
        assert sent.status_code == 200, sent.text


def test_the_case_list_filters_by_appeal_type_name(running: Running, browser: Any) -> None:
    from playwright.sync_api import expect

    base = running.url
    report(base, "o_appeal_tip", "我要举报，星河雅居门口有人偷倒建筑垃圾")
    report(base, "o_appeal_lamp", "锦绣佳苑门口路灯坏了，晚上一片黑")
    page = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN").new_page()
    page.set_default_timeout(TIMEOUT)
    errors = watch_errors(page)
    sign_in(page, base, STAFF_NAME, STAFF_PASSWORD, "/staff/cases")
    rows = page.locator("#case-table tbody tr[data-number]")
    expect(rows).to_have_count(2)

    page.fill("#filters input[name=appeal_name]", "举报")
    page.click("#filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("建筑垃圾")
    expect(rows.first).to_contain_text("举报")
    assert re.search(r"appeal_type=report", page.url)

    page.reload()  # the filter survives a reload, shown by its name
    expect(page.locator("#filters input[name=appeal_name]")).to_have_value("举报")
    expect(rows).to_have_count(1)

    page.fill("#filters input[name=appeal_name]", "投诉")
    page.click("#filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("路灯")
    rows.first.locator("a").first.click()
    expect(page.locator("#case-facts")).to_contain_text("诉求类型投诉")

    page.goto(f"{base}/staff/cases")
    expect(rows).to_have_count(2)  # the page's script is ready
    page.fill("#filters input[name=appeal_name]", "抱怨")
    page.click("#filters button[type=submit]")
    expect(page.locator("#flash")).to_contain_text("诉求类型只能是：投诉、举报、求助、咨询、建议、表扬、其他")
    assert errors == []
