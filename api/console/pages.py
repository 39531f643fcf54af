"""The console's pages: each route renders a shell; ``static/console.js`` fills it from the JSON APIs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
NAV = (("cases", "/staff/cases", "工单"), ("dashboard", "/staff/dashboard", "本周统计"),
       ("templates", "/staff/templates", "回复模板"))

console_router = APIRouter(prefix="/staff", include_in_schema=False)


def _page(request: Request, template: str, page: str, title: str, **extra: Any) -> HTMLResponse:
    context = {"page": page, "title": title, "nav": NAV, **extra}
    return TEMPLATES.TemplateResponse(request, template, context)


@console_router.get("")
async def home() -> Response:
    return RedirectResponse("/staff/cases", status_code=303)


@console_router.get("/", include_in_schema=False)
async def home_slash() -> Response:
    return RedirectResponse("/staff/cases", status_code=303)


@console_router.get("/login", response_class=HTMLResponse)
async def login(request: Request) -> HTMLResponse:
    return _page(request, "login.html", "login", "登录")


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
