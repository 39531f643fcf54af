"""The console's pages: each route renders a shell; ``static/console.js`` fills it from the JSON APIs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel

from api.deps import CurrentStaff, ServicesDep
from cases.channels import IntakeChannel
from cases.roles import ROLE_LABELS
from cases.vocabulary import OPEN_STATUSES, STATUS_LABELS

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
CENTRE, ADMIN, FIELD = "admin agent", "admin", "department grid"
NAV = (("cases", "/staff/cases", "工单", CENTRE), ("handover", "/staff/handover", "人工队列", CENTRE),
       ("supervision", "/staff/supervision", "督办", CENTRE), ("map", "/staff/map", "地图", CENTRE),
       ("stats", "/staff/stats", "统计", CENTRE), ("dashboard", "/staff/dashboard", "周报", CENTRE),
       ("templates", "/staff/templates", "回复模板", CENTRE), ("admin", "/staff/admin", "单位与账号", ADMIN),
       ("integration", "/staff/integration", "系统对接", ADMIN), ("my", "/staff/my", "我的工单", FIELD))
# The other systems' pages (administrators): page key → (template, title), all under the nav's 系统对接.
INTEGRATION = {"clients": ("clients.html", "接入方与密钥"), "webhooks": ("webhooks.html", "Webhook 接收端"),
               "dead": ("dead_letters.html", "投递失败")}

console_router = APIRouter(prefix="/staff", include_in_schema=False)


# What the console's script labels cases and accounts with: the case domain's words, not a copy of them.
VOCABULARY = {"statuses": STATUS_LABELS, "open": [str(s) for s in OPEN_STATUSES], "roles": ROLE_LABELS}


def _page(request: Request, template: str, page: str, title: str, **extra: Any) -> HTMLResponse:
    context = {"page": page, "title": title, "nav": NAV, "vocabulary": VOCABULARY, **extra}
    return TEMPLATES.TemplateResponse(request, template, context)


@console_router.get("")
async def home() -> Response:
    return RedirectResponse("/staff/cases", status_code=303)


@console_router.get("/", include_in_schema=False)
async def home_slash() -> Response:
    return RedirectResponse("/staff/cases", status_code=303)


@console_router.get("/login", response_class=HTMLResponse)
async def login(request: Request) -> HTMLResponse:
    demo = None
    if request.app.state.settings.sandbox_on:
        from api.leaves import DEMO_STAFF  # the account a fresh sandbox database gets

        demo = DEMO_STAFF
    return _page(request, "login.html", "login", "登录", demo=demo)


@console_router.get("/cases", response_class=HTMLResponse)
async def case_list(request: Request) -> HTMLResponse:
    return _page(request, "cases.html", "cases", "工单")


@console_router.get("/cases/{number}", response_class=HTMLResponse)
async def case_detail(request: Request, number: str) -> HTMLResponse:
    return _page(request, "case.html", "case", f"工单 {number}", number=number)


@console_router.get("/templates", response_class=HTMLResponse)
async def templates(request: Request) -> HTMLResponse:
    return _page(request, "templates.html", "templates", "回复模板")


@console_router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(request: Request) -> HTMLResponse:
    return _page(request, "dashboard.html", "dashboard", "本周统计")


@console_router.get("/handover", response_class=HTMLResponse)
async def handover(request: Request) -> HTMLResponse:
    return _page(request, "handover.html", "handover", "人工队列")


@console_router.get("/supervision", response_class=HTMLResponse)
async def supervision(request: Request) -> HTMLResponse:
    return _page(request, "supervision.html", "supervision", "督办")


@console_router.get("/my", response_class=HTMLResponse)
async def my_cases(request: Request) -> HTMLResponse:
    return _page(request, "my.html", "my", "我的工单")


@console_router.get("/admin", response_class=HTMLResponse)
async def admin(request: Request) -> HTMLResponse:
    return _page(request, "admin.html", "admin", "单位与账号")


@console_router.get("/integration", include_in_schema=False)
async def integration_home() -> Response:
    return RedirectResponse("/staff/integration/clients", status_code=303)


@console_router.get("/integration/{part}", response_class=HTMLResponse)
async def integration(request: Request, part: str) -> HTMLResponse:
    if part not in INTEGRATION:
        raise HTTPException(404, "没有这个页面")
    template, title = INTEGRATION[part]
    channels = [(c.value, c.label) for c in IntakeChannel if c.external]
    return _page(request, template, part, title, section="integration", parts=INTEGRATION, channels=channels)


@console_router.get("/stats", response_class=HTMLResponse)
async def stats(request: Request) -> HTMLResponse:
    return _page(request, "stats.html", "stats", "统计与考核")


@console_router.get("/map", response_class=HTMLResponse)
async def case_map(request: Request) -> HTMLResponse:
    return _page(request, "map.html", "map", "工单地图")


@console_router.get("/cases/{number}/print", response_class=HTMLResponse)
async def case_print(request: Request, number: str) -> HTMLResponse:
    return _page(request, "print.html", "print", f"工单 {number}", number=number)


class Place(BaseModel):
    name: str
    lat: float
    lng: float
    grid_id: str
    grid_name: str
    community: str
    street: str


@console_router.get("/locate", include_in_schema=True, tags=["staff-console"],
                    summary="改址用：地名或坐标（GCJ-02）所在的网格")
def locate(
    services: ServicesDep,
    staff: CurrentStaff,
    text: Annotated[str | None, Query(max_length=100)] = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lng: Annotated[float | None, Query(ge=-180, le=180)] = None,
) -> list[Place]:
    geo = services.geo
    if lat is not None and lng is not None:
        found = geo.locate_point(lat, lng, crs="gcj02")
        if found.grid_id is None:
            return []
        return [Place(name="", lat=found.lat, lng=found.lng, grid_id=found.grid_id, grid_name=found.grid_name,
                      community=found.community, street=found.street)]
    if not text or not text.strip():
        raise HTTPException(422, "请输入地名，或在地图上点选位置")
    return [Place(name=c.name, lat=c.lat, lng=c.lng, grid_id=c.grid_id, grid_name=c.grid_name,
                  community=c.community, street=c.street)
            for c in geo.locate_text(text.strip())[:5] if c.grid_id]
