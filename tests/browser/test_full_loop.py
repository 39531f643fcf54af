"""The whole loop in a real browser: a resident reports in the simulator, staff handle it in the console.

The real app (uvicorn, lifespan, outbox worker, SQLite file) runs in a background thread; Debian's Chromium
is driven headless by Playwright. The WeChat stand-in inside the app is the only fake. Screenshots go to
``tests/artifacts/``.
"""

from __future__ import annotations

import io
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_SERVICES

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
STAFF_NAME, STAFF_PASSWORD = "zhangwei", "console-demo-2026"
OPENID = "o_browser_resident_01"
TIMEOUT = 20_000  # ms


class LiveServer:
    """uvicorn in a thread with the lifespan on (services, migrations and the outbox worker start)."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, log_level="warning", lifespan="on", ws="none", http="h11")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=lambda: self.server.run(sockets=[self.socket]), daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 120
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.socket.close()


@dataclass
class Running:
    url: str
    app: Any


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Running]:
    from sqlmodel import Session

    from api.app import create_app
    from api.settings import Settings
    from cases.staff import create_staff

    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/intake.db", media_dir=tmp_path / "media",
        data_dir=tmp_path / "data", public_url="http://127.0.0.1:8000", worker_poll_seconds=0.2,
        template_refresh_seconds=0.2,
    )
    app = create_app(settings, run_worker=True)
    with LiveServer(app) as server:
        with Session(app.state.services.engine) as session:
            create_staff(session=session, name=STAFF_NAME, password=STAFF_PASSWORD, role="admin",
                         now=datetime.now(UTC))
            session.commit()
        yield Running(server.url, app)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = "Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)"
        if REQUIRE_SERVICES:  # CI installs it: a missing browser there is a failure, not a skip
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox", "--disable-dev-shm-usage", "--lang=zh-CN"])
        yield chromium
        chromium.close()


def snap(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def photo_file(tmp_path: Path) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), (40, 44, 60))
    draw = ImageDraw.Draw(image)
    draw.rectangle((360, 80, 440, 560), fill=(120, 120, 120))  # a lamp post
    draw.ellipse((340, 40, 460, 120), fill=(70, 70, 70))  # its dark lamp
    path = tmp_path / "street-lamp.jpg"
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    path.write_bytes(buffer.getvalue())
    return path


class Phone:
    """The simulator page, seen as the resident sees it."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def bot_texts(self) -> list[str]:
        return [str(t) for t in self.page.locator(".msg.bot .body, .msg.bot .card").all_inner_texts()]

    def wait_for_bot(self, seen: int, *, timeout: float = 20.0) -> str:
        """Every bot message after the first ``seen`` (joined by newlines), once they stop arriving."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            texts = self.bot_texts()
            if len(texts) > seen:
                return "\n".join(self._settled(texts)[seen:])
            self.page.wait_for_timeout(150)
        raise AssertionError(f"no new bot message after {seen}: {self.bot_texts()[-3:]}")

    def _settled(self, texts: list[str]) -> list[str]:
        """Let a burst (passive reply, then customer-service messages) land: 1.5 s without news."""
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 1.5:
            self.page.wait_for_timeout(150)
            now = self.bot_texts()
            if len(now) != len(texts):
                texts, quiet_since = now, time.monotonic()
        return texts

    def say(self, text: str) -> str:
        seen = len(self.bot_texts())
        self.page.fill("#text", text)
        self.page.click("#send")
        return self.wait_for_bot(seen)

    def send_photo(self, path: Path) -> str:
        seen = len(self.bot_texts())
        self.page.click("#plus")
        self.page.set_input_files("#photo", str(path))
        return self.wait_for_bot(seen)

    def send_sample_place(self) -> tuple[str, str]:
        seen = len(self.bot_texts())
        self.page.click("#plus")
        self.page.click("#open-location")
        first = self.page.locator("#places li").first
        first.wait_for(timeout=TIMEOUT)
        name = str(first.get_attribute("data-name"))
        first.click()
        snap(self.page, "02-simulator-location-sheet")
        self.page.click("#send-location")
        return name, self.wait_for_bot(seen)

    def tap_menu(self, key: str) -> str:
        seen = len(self.bot_texts())
        self.page.click(f"#menu button[data-key={key}]")
        return self.wait_for_bot(seen)


def wait_until(check: Any, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"waited {timeout} s for {what}")


def answer_until_filed(phone: Phone, first_reply: str, place: Any) -> str:
    """Answer the report dialog's questions, whatever their order, until the case number comes back."""
    reply = first_reply
    for _ in range(12):
        number = re.search(r"BH\d{8}-\d{4}", reply)
        if number:
            return number.group(0)
        if "请确认" in reply and "未留" in reply:
            reply = phone.say("13912345678")  # a phone typed at the summary is taken, then read back masked
        elif "请确认" in reply:
            reply = phone.say("确认")
        elif "在哪里" in reply or ("发送位置" in reply and "是哪一个" not in reply):
            _, reply = place()
        elif "是哪一个" in reply or "哪种情况" in reply:
            reply = phone.say("1")
        else:
            raise AssertionError(f"unexpected question: {reply}")
    raise AssertionError("the report was not filed")


def test_report_handle_push_rate_count_and_edit_a_template(running: Running, browser: Any,
                                                           tmp_path: Path) -> None:
    from playwright.sync_api import expect

    base = running.url
    resident = browser.new_page(viewport={"width": 900, "height": 820}, locale="zh-CN")
    resident.set_default_timeout(TIMEOUT)
    resident.goto(f"{base}/sandbox?openid={OPENID}")
    phone = Phone(resident)
    welcome = phone.wait_for_bot(0)
    assert "欢迎" in welcome

    # 1. The resident reports a broken street lamp, with a photo and a location from the sample places.
    reply = phone.say("路灯坏了，晚上一片漆黑，走路很危险")
    photo_reply = phone.send_photo(photo_file(tmp_path))
    assert "照片收到了" in photo_reply
    expect(resident.locator(".msg.me img")).to_have_count(1)
    place_name = ""

    def place() -> tuple[str, str]:
        nonlocal place_name
        place_name, answer = phone.send_sample_place()
        return place_name, answer

    number = answer_until_filed(phone, photo_reply if "在哪里" in photo_reply else reply, place)
    assert place_name, "the location was sent from the map sheet"
    snap(resident, "03-simulator-filed")

    # 2. Staff log in, find the case, and take it through the closed loop.
    staff = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    staff.set_default_timeout(TIMEOUT)
    staff.goto(f"{base}/staff")
    expect(staff).to_have_url(re.compile(r"/staff/login"))
    staff.fill("input[name=name]", STAFF_NAME)
    staff.fill("input[name=password]", "wrong password")
    staff.click("button[type=submit]")
    expect(staff.locator("#login-error")).to_contain_text("账号或密码不正确")
    staff.fill("input[name=password]", STAFF_PASSWORD)
    staff.click("button[type=submit]")
    expect(staff).to_have_url(re.compile(r"/staff/cases"))
    row = staff.locator(f"tr[data-number='{number}']")
    expect(row).to_contain_text("待受理")
    expect(row).to_contain_text("139****5678")
    snap(staff, "04-console-case-list")
    row.locator("a").first.click()
    expect(staff.locator("#case-status")).to_have_text("待受理")
    expect(staff.locator("#case-photos img")).to_have_count(1)
    expect(staff.locator(".gridmap .grid.selected")).to_have_count(1)
    # polled from here: the console's Content-Security-Policy forbids the page-side eval of wait_for_function
    wait_until(lambda: staff.locator("#case-photos img").evaluate("img => img.naturalWidth") > 0, "the photo")
    snap(staff, "05-console-case-submitted")

    staff.click("#moves button[data-to=accepted]")
    expect(staff.locator("#case-status")).to_have_text("已受理")
    staff.click("#moves button[data-to=dispatched]")
    expect(staff.locator("#transition-error")).to_contain_text("承办单位")
    staff.fill("input[name=department]", "市政维护所")
    staff.click("#moves button[data-to=dispatched]")
    expect(staff.locator("#case-status")).to_have_text("已派遣")
    staff.click("#moves button[data-to=processing]")
    expect(staff.locator("#case-status")).to_have_text("处置中")
    staff.click("#moves button[data-to=verifying]")
    expect(staff.locator("#case-status")).to_have_text("待核查")
    staff.fill("textarea[name=note]", "已更换灯泡，晚上复查正常")
    staff.click("#moves button[data-to=closed]")
    expect(staff.locator("#case-status")).to_have_text("已办结")
    expect(staff.locator("#timeline li")).to_contain_text(["居民提交"])
    snap(staff, "06-console-case-closed")

    # 3. The resident's phone shows the status pushes and the rating prompt.
    snap(resident, "07-simulator-pushes-arriving")
    pushes = resident.locator(".msg.bot .card").filter(has_text=number)
    wait_until(lambda: pushes.count() >= 3, "three status pushes (accepted, dispatched, closed)")
    wait_until(lambda: any("评价" in t and "满意" in t for t in phone.bot_texts()), "the rating prompt")
    snap(resident, "07-simulator-pushes-and-rating-prompt")

    # 4. One word rates it; the optional comment is skipped.
    after = phone.say("满意")
    if "补充" in after:
        after = phone.say("跳过")
    assert "谢谢" in after or "感谢" in after
    staff.reload()
    expect(staff.locator("#case-rating")).to_contain_text("满意")
    snap(staff, "08-console-case-rated")

    # 5. The dashboard counts it.
    staff.click("nav a[href='/staff/dashboard']")
    expect(staff.locator(".tile[data-tile=新增工单] .n")).to_have_text("1")
    expect(staff.locator(".tile[data-tile=已办结] .n")).to_have_text("1")
    expect(staff.locator(".tile[data-tile=满意率] .n")).to_have_text("100.0%")
    expect(staff.locator("#by-grid")).to_contain_text("1")
    expect(staff.locator("#hot-map .grid.hot")).to_have_count(1)
    snap(staff, "09-console-dashboard")

    # 6. Staff reword the help text; the resident's next tap on 帮助 shows the new words.
    staff.click("nav a[href='/staff/templates']")
    staff.fill("#template-filter", "menu.help")
    staff.click("#template-list li[data-key='menu.help']")
    expect(staff.locator("#template-key")).to_have_text("menu.help")
    staff.fill("#template-body", "不归我们管")
    staff.click("#save-button")
    expect(staff.locator("#template-problems")).to_be_visible()
    new_text = "您好！直接发文字、照片或位置就能反映问题，回复“进度”查看办理情况。工作人员随时为您服务。"
    staff.fill("#template-body", new_text)
    staff.click("#preview-button")
    expect(staff.locator("#template-preview")).to_contain_text("工作人员随时为您服务")
    staff.click("#save-button")
    expect(staff.locator("#template-history tr")).to_have_count(2)  # the new version and the default
    snap(staff, "10-console-template-edited")
    time.sleep(0.5)  # the renderer's refresh interval in this test
    assert "工作人员随时为您服务" in phone.tap_menu("HELP")
    snap(resident, "11-simulator-new-help-text")


def largest_grid(base: str) -> str:
    import httpx

    layer = httpx.get(f"{base}/api/geo/grids.geojson", timeout=10).json()

    def area(feature: dict[str, Any]) -> float:
        ring = feature["geometry"]["coordinates"][0]
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        return (max(xs) - min(xs)) * (max(ys) - min(ys))

    return str(max(layer["features"], key=area)["properties"]["grid_id"])


def test_a_map_pin_then_corrections_and_a_rollback_in_the_console(running: Running, browser: Any) -> None:
    from playwright.sync_api import expect

    base = running.url
    resident = browser.new_page(viewport={"width": 900, "height": 820}, locale="zh-CN")
    resident.set_default_timeout(TIMEOUT)
    resident.goto(f"{base}/sandbox?openid=o_browser_resident_02")
    phone = Phone(resident)
    phone.wait_for_bot(0)
    grid = largest_grid(base)

    def pin_on_map() -> tuple[str, str]:
        seen = len(phone.bot_texts())
        resident.click("#plus")
        resident.click("#open-location")
        resident.locator(f"#location-map path[data-grid='{grid}']").click()
        expect(resident.locator("#picked")).to_contain_text("附近")
        snap(resident, "21-simulator-map-pin")
        resident.click("#send-location")
        return "", phone.wait_for_bot(seen)

    first = phone.say("垃圾堆了好几天没人清理，很臭")
    number = answer_until_filed(phone, first, pin_on_map)

    staff = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
    staff.set_default_timeout(TIMEOUT)
    staff.goto(f"{base}/staff/login")
    staff.fill("input[name=name]", STAFF_NAME)
    staff.fill("input[name=password]", STAFF_PASSWORD)
    staff.click("button[type=submit]")
    staff.fill("input[name=q]", number)
    staff.click("#filters button[type=submit]")
    expect(staff.locator("#case-table tbody tr")).to_have_count(1)
    staff.click(f"tr[data-number='{number}'] a")
    expect(staff.locator(f".gridmap path.selected[data-grid='{grid}']")).to_have_count(1)

    # Reclassify to a category chosen from the taxonomy, then relocate by a place name.
    staff.locator("#minor-select option[value='0401']").wait_for(state="attached")
    staff.select_option("#minor-select", "0401")
    staff.fill("#reclassify-form input[name=note]", "居民描述的是路灯问题")
    staff.click("#reclassify-form button")
    expect(staff.locator("#case-facts")).to_contain_text("路灯不亮（已改类）")
    staff.fill("#relocate-form input[name=address]", "星河雅居")
    staff.click("#relocate-form button")
    expect(staff.locator("#case-facts")).to_contain_text("兰亭第1网格")
    expect(staff.locator("#timeline")).to_contain_text("改类")
    expect(staff.locator("#timeline")).to_contain_text("改址")
    snap(staff, "22-console-corrected")

    # A saved version can be rolled back to the default.
    staff.goto(f"{base}/staff/templates?key=menu.unknown")
    expect(staff.locator("#template-key")).to_have_text("menu.unknown")
    staff.fill("#template-body", "不好意思，我没看明白。反映问题请直接描述；查进度请回复“进度”。")
    staff.click("#save-button")
    expect(staff.locator("#template-history tr")).to_have_count(2)
    staff.locator("#template-history button", has_text="恢复默认").click()
    expect(staff.locator("#template-history tr")).to_have_count(3)  # the restore is a version of its own
    expect(staff.locator("#template-body")).to_have_value(re.compile("这句我没看明白"))
    snap(staff, "23-console-template-rolled-back")
