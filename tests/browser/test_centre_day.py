"""A centre's day in a real browser, one browser context per person:

the resident reports and asks for 人工 in the simulator and reads the staff's answer; the centre (admin)
sets up a department and two accounts, accepts and dispatches; the department user sees only its case and
reports 处置 with a photo; the grid worker verifies on a phone; the centre closes; the resident rates;
the statistics for the day show the case. Each role is refused what it may not do. Every console page
is photographed at 1440 and 390 px: into ``docs/screenshots/`` with ``make screenshots``, otherwise into a
folder of the system's temporary directory, so that a test run leaves the checkout as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.test_full_loop import (
    OPENID,
    STAFF_NAME,
    STAFF_PASSWORD,
    TIMEOUT,
    Phone,
    Running,
    answer_until_filed,
    photo_file,
    wait_until,
)

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("INTAKE_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "intake-screenshots")
ADMIN, ADMIN_PASSWORD = STAFF_NAME, STAFF_PASSWORD
DEPT, GRID, PASSWORD = "lilei", "chenjing", "field-demo-2026"
DESK, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}


def shoot(page: Any, name: str) -> None:
    """The page at 1440 px and at 390 px (phone), full length."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width, label in ((1440, "1440"), (390, "390")):
        page.set_viewport_size({"width": width, "height": 900 if width == 1440 else 844})
        page.wait_for_timeout(300)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow} px wider than a {width} px screen"
    page.set_viewport_size(size)


def sign_in(page: Any, base: str, name: str, password: str, lands: str) -> None:
    page.goto(f"{base}/staff/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(lands))


def watch_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def test_a_centre_day_end_to_end(running: Running, browser: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from geo import gcj02_to_wgs84

    base = running.url  # the fixture's app has the admin account ADMIN

    # 1. A resident reports a broken street lamp, then asks for a person.
    resident = browser.new_page(viewport={"width": 390, "height": 860}, locale="zh-CN")
    resident.set_default_timeout(TIMEOUT)
    resident.goto(f"{base}/sandbox?openid={OPENID}")
    phone = Phone(resident)
    phone.wait_for_bot(0)
    reply = phone.say("路灯坏了，晚上一片漆黑，走路很危险")
    number = answer_until_filed(phone, reply, phone.send_sample_place)
    human = phone.say("人工")
    assert "工作人员" in human

    # 2. The centre admin signs in (the session survives a reload and a new tab).
    centre_context = browser.new_context(viewport=DESK, locale="zh-CN")
    centre = centre_context.new_page()
    centre.set_default_timeout(TIMEOUT)
    centre_errors = watch_errors(centre)
    centre.on("dialog", lambda dialog: dialog.accept())  # confirm() of "logout everywhere"
    sign_in(centre, base, ADMIN, ADMIN_PASSWORD, r"/staff/cases")
    shoot(centre, "cases")
    second_tab = centre_context.new_page()
    second_tab.goto(f"{base}/staff/cases/{number}")
    expect(second_tab.locator("#case-status")).to_have_text("待受理")
    second_tab.reload()
    expect(second_tab.locator("#case-status")).to_have_text("待受理")
    second_tab.close()

    # 3. The hand-over queue: the resident, their open case, the conversation; the answer reaches the phone.
    centre.click("nav a[href='/staff/handover']")
    item = centre.locator("#queue li[data-id]").first
    expect(item).to_contain_text("请求人工")
    expect(centre.locator("#request-cases")).to_contain_text(number)
    expect(centre.locator("#messages")).to_contain_text("人工")
    expect(centre.locator("#answer-via")).to_contain_text("客服消息")
    shoot(centre, "handover")
    answer = "您好，路灯的问题已经登记，我们今天安排维修，修好后会告诉您。"
    centre.fill("#answer-form textarea[name=text]", answer)
    centre.click("#answer-form button[type=submit]")
    expect(centre.locator("#messages")).to_contain_text(answer)
    wait_until(lambda: any(answer in t for t in phone.bot_texts()), "the staff's answer on the resident's phone")
    resident.screenshot(path=str(SHOTS / "simulator-staff-answer-390.png"), full_page=True)

    # 4. Admin sets up the department and two field accounts.
    case = centre.request.get(f"{base}/api/staff/cases/{number}").json()
    grid_name = case["grid_name"]
    centre.click("nav a[href='/staff/admin']")
    form = centre.locator("#department-form")
    form.locator("input[name=name]").fill("市政维护所")
    form.locator("input[name=contact_person]").fill("刘主任")
    form.locator("input[name=phone]").fill("0551-63350000")
    form.locator("input[name=category_search]").fill(f"{case['major_name']}/{case['minor_name']}")
    form.locator("input[name=category_search]").dispatch_event("change")
    expect(centre.locator("#category-chips .chip")).to_have_count(1)
    form.locator("button[type=submit]").click()
    expect(centre.locator("#department-table")).to_contain_text("市政维护所")
    accounts = centre.locator("#account-form")
    accounts.locator("input[name=name]").fill(DEPT)
    accounts.locator("input[name=password]").fill(PASSWORD)
    accounts.locator("select[name=role]").select_option("department")
    expect(accounts.locator("select[name=department_id] option", has_text="市政维护所")).to_have_count(1)
    accounts.locator("select[name=department_id]").select_option(label="市政维护所")
    accounts.locator("button[type=submit]").click()
    expect(centre.locator("#account-error")).to_be_hidden()
    expect(centre.locator("#account-table")).to_contain_text(DEPT)
    accounts.locator("input[name=name]").fill(GRID)
    accounts.locator("input[name=password]").fill(PASSWORD)
    accounts.locator("select[name=role]").select_option("grid")
    accounts.locator("input[name=grid_search]").fill(grid_name)
    accounts.locator("input[name=grid_search]").dispatch_event("change")
    expect(centre.locator("#grid-chips .chip")).to_have_count(1)
    accounts.locator("button[type=submit]").click()
    expect(centre.locator("#account-table")).to_contain_text("网格员")
    shoot(centre, "admin")

    # 5. The list: filter by names, bulk accept; then dispatch with the suggested department.
    centre.click("nav a[href='/staff/cases']")
    centre.fill("#filters input[name=category_name]", f"{case['major_name']}/{case['minor_name']}")
    centre.click("#filters button[type=submit]")
    row = centre.locator(f"#case-table tr[data-number='{number}']")
    expect(row).to_contain_text("待受理")
    row.locator("input[name=pick]").check()
    centre.click("#bulk-accept")
    expect(row).to_contain_text("已受理")
    row.locator("a").first.click()
    expect(centre.locator("#dispatch-box")).to_be_visible()
    expect(centre.locator("#suggestions .suggestion").first).to_contain_text("市政维护所")
    shoot(centre, "case")
    centre.click("#dispatch-form button[type=submit]")
    expect(centre.locator("#case-status")).to_have_text("已派遣")
    expect(centre.locator("#urge-box")).to_be_visible()
    centre.click("#urge-button")
    expect(centre.locator("#timeline")).to_contain_text("催办")
    centre.goto(f"{base}/staff/map")
    expect(centre.locator("#case-map-big circle.case")).to_have_count(1)
    shoot(centre, "map")
    centre.locator("#case-map-big circle.case").click()
    centre.wait_for_url(re.compile(rf"/staff/cases/{number}"))

    # 6. The department user, in a browser of their own, sees only its case and reports 处置 with a photo.
    dept_context = browser.new_context(viewport=DESK, locale="zh-CN")
    dept = dept_context.new_page()
    dept.set_default_timeout(TIMEOUT)
    dept_errors = watch_errors(dept)
    sign_in(dept, base, DEPT, PASSWORD, r"/staff/my")
    expect(dept.locator("#my-cases li[data-number]")).to_have_count(1)
    expect(dept.locator("#notice-list")).to_contain_text("催办")
    dept.goto(f"{base}/staff/cases")
    dept.wait_for_url(re.compile(r"/staff/my"))
    refused = dept.request.get(f"{base}/api/staff/cases")
    assert refused.status == 403 and "中心坐席" in refused.json()["detail"]
    assert dept.request.get(f"{base}/api/staff/handover").status == 403
    dept.click(f"#my-cases li[data-number='{number}']")
    expect(dept.locator("#dispose-form")).to_be_visible()
    shoot(dept, "department")
    dept.fill("#dispose-form textarea[name=note]", "已更换灯泡并检查线路，恢复照明")
    dept.set_input_files("#dispose-form input[name=photos]", str(photo_file(tmp_path)))
    dept.click("#dispose-form button[type=submit]")
    expect(dept.locator("#my-status")).to_have_text("待核查")
    expect(dept.locator("#my-photos figcaption", has_text="处置后")).to_have_count(1)

    # 7. The grid worker verifies on site, on a phone.
    lat, lng = gcj02_to_wgs84(case["lat"], case["lng"])
    grid_context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                                       geolocation={"latitude": lat, "longitude": lng}, permissions=["geolocation"])
    worker = grid_context.new_page()
    worker.set_default_timeout(TIMEOUT)
    grid_errors = watch_errors(worker)
    sign_in(worker, base, GRID, PASSWORD, r"/staff/my")
    worker.click(f"#my-cases li[data-number='{number}']")
    expect(worker.locator("#verify-form")).to_be_visible()
    assert worker.request.post(f"{base}/api/staff/my/cases/{number}/dispose").status == 403
    worker.screenshot(path=str(SHOTS / "grid-worker-390.png"), full_page=True)
    worker.fill("#verify-form textarea[name=note]", "现场查看，路灯已亮")
    worker.set_input_files("#verify-form input[name=photos]", str(photo_file(tmp_path)))
    worker.click("#verify-form button[type=submit]")
    expect(worker.locator("#my-timeline")).to_contain_text("核查通过")
    expect(worker.locator("#my-timeline")).to_contain_text("现场")

    # 8. The centre closes; the resident rates.
    centre.reload()
    expect(centre.locator("#timeline")).to_contain_text("核查通过")
    centre.click("#moves button[data-to=closed]")
    expect(centre.locator("#case-status")).to_have_text("已办结")
    centre.goto(f"{base}/staff/cases/{number}/print")
    expect(centre.locator("#print-facts")).to_contain_text("市政维护所")
    shoot(centre, "print")
    wait_until(lambda: any("评价" in t and "满意" in t for t in phone.bot_texts()), "the rating prompt")
    rated = phone.say("满意")
    if "补充" in rated:
        phone.say("跳过")

    # 9. Statistics for the day show the case, per department.
    today = (datetime.now(UTC) + timedelta(hours=8)).date().isoformat()
    centre.goto(f"{base}/staff/stats?since={today}&until={today}&group=department")
    expect(centre.locator(".tile[data-tile=受理量] .n")).to_have_text("1")
    expect(centre.locator(".tile[data-tile=办结量] .n")).to_have_text("1")
    expect(centre.locator(".tile[data-tile=满意率] .n")).to_have_text("100.0%")
    expect(centre.locator("#stats-table")).to_contain_text("市政维护所")
    expect(centre.locator("#trend svg polyline")).to_have_count(2)
    shoot(centre, "stats")

    # 10. The other pages, photographed; no script error anywhere.
    for page_name, ready in (("supervision", "#supervision-tiles .tile"), ("dashboard", ".tile"),
                             ("templates", "#template-list li")):
        centre.goto(f"{base}/staff/{page_name}")
        centre.locator(ready).first.wait_for()
        shoot(centre, page_name)
    centre.goto(f"{base}/staff/templates?key=handover.reply")
    expect(centre.locator("#template-name")).to_contain_text("工作人员在控制台答复居民")
    centre.fill("#template-body", "{% if number %}工单 {{ number }}")
    expect(centre.locator("#template-problems")).to_contain_text("{% endif %}")
    centre.click("#logout-all")  # confirm() is accepted below
    centre.wait_for_url(re.compile(r"/staff/login"))
    shoot(centre, "login")
    assert centre.request.get(f"{base}/api/staff/session").status == 401
    assert centre_errors == [] and dept_errors == [] and grid_errors == []

