"""Malformed mini-program and staff requests are answered in Chinese (the rest keeps FastAPI's 422 body).

Each pydantic error becomes ``{"field", "loc", "type", "msg"}``. For residents the sentence comes from the
reply template ``mp.field_problem`` (staff edit it like every other sentence residents read); staff read
the console's own wording (:func:`staff_problem`).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from api.services import Services

KINDS = {"missing": "missing", "string_too_long": "too_long", "too_long": "too_long",
         "string_too_short": "too_short", "too_short": "too_short", "greater_than_equal": "out_of_range",
         "less_than_equal": "out_of_range", "greater_than": "out_of_range", "less_than": "out_of_range",
         "literal_error": "choice", "enum": "choice", "json_invalid": "json"}


def problem_kind(kind: str) -> str:
    if kind in KINDS:
        return KINDS[kind]
    return "format" if kind.endswith(("_parsing", "_type")) else "other"


def chinese_problem(services: Services, error: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error with a polite Chinese message."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = loc[0] if loc else "body"
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    msg = services.templates.render("mp.field_problem", field=field, kind=problem_kind(kind),
                                    max_length=ctx.get("max_length", ""), expected=ctx.get("expected", ""))
    return {"field": field, "loc": list(error.get("loc", ())), "type": kind, "msg": msg}


STAFF_FIELDS = {
    "name": "名称", "password": "密码", "note": "说明", "department": "承办单位", "department_id": "承办单位",
    "reason": "原因", "due_at": "期限", "to": "目标状态", "numbers": "工单", "action": "操作", "passed": "核查结果",
    "approve": "审批结果", "since": "开始日期", "until": "结束日期", "month": "月份", "group": "分组",
    "role": "角色", "grid_ids": "负责网格", "categories": "常办类别", "streets": "负责街道", "assignee": "经办人",
    "status": "状态", "sort": "排序", "page": "页码", "page_size": "每页条数", "grid_id": "网格", "text": "文字",
    "major_code": "大类", "minor_code": "小类", "fields": "推送字段", "version_id": "版本", "body": "请求内容",
    "lat": "纬度", "lng": "经度", "address": "地址", "photos": "照片", "kind": "类型",
    "appeal_type": "诉求类型",
}
STAFF_SENTENCES = {
    "missing": "请填写{name}", "too_long": "{name}太长，最多 {max_length} 个字", "out_of_range": "{name}超出范围",
    "choice": "{name}只能是：{expected}", "format": "{name}的格式不正确", "json": "请求内容不是有效的 JSON",
    "other": "{name}填写有误",
}


def staff_problem(error: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error of a staff request, with a Chinese sentence for the console."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = loc[0] if loc else "body"
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    name = STAFF_FIELDS.get(field, field)
    found = problem_kind(kind)
    if found == "too_short":
        least = ctx.get("min_length", 1)
        msg = f"{name}至少 {least} 个字" if isinstance(least, int) and least > 1 else f"{name}不能为空"
    else:
        msg = STAFF_SENTENCES[found].format(name=name, max_length=ctx.get("max_length", ""),
                                            expected=ctx.get("expected", ""))
    return {"field": field, "loc": list(error.get("loc", ())), "type": kind, "msg": msg}


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    path = request.url.path
    if path.startswith("/api/staff"):
        problems = [staff_problem(dict(e)) for e in exc.errors()]
        return JSONResponse({"detail": problems, "message": "；".join(p["msg"] for p in problems)}, status_code=422)
    if not path.startswith("/api/mp"):
        return await request_validation_exception_handler(request, exc)
    services: Services = request.app.state.services
    problems = [chinese_problem(services, dict(e)) for e in exc.errors()]
    return JSONResponse({"detail": problems, "message": "；".join(p["msg"] for p in problems)}, status_code=422)
