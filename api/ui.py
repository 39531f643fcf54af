"""Malformed mini-program requests are answered in Chinese (the rest of the API keeps FastAPI's 422 body)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

FIELD_NAMES = {
    "code": "登录凭证 code", "text": "文字", "kind": "消息类型", "lat": "纬度", "lng": "经度", "crs": "坐标系",
    "label": "位置名称", "description": "问题描述", "photos": "照片", "address": "地址", "phone": "联系电话",
    "confidential": "是否保密", "category": "问题类别", "score": "满意度", "fixed": "是否解决",
    "comment": "评价内容", "results": "订阅结果", "image_base64": "图片", "event": "事件", "key": "菜单键",
    "message_id": "消息编号", "body": "请求内容",
}


def chinese_problem(error: dict[str, Any]) -> dict[str, Any]:
    """One pydantic error as ``{"field", "msg"}`` with a polite Chinese message."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    field = loc[0] if loc else "body"
    name = FIELD_NAMES.get(field, field)
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        msg = f"请填写{name}"
    elif kind in ("string_too_long", "too_long"):
        msg = f"{name}太长，最多 {ctx.get('max_length', '')} 个字"
    elif kind in ("string_too_short", "too_short"):
        msg = f"{name}不能为空"
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        msg = f"{name}超出范围"
    elif kind in ("literal_error", "enum"):
        msg = f"{name}只能是：{ctx.get('expected', '')}"
    elif kind.endswith("_parsing") or kind.endswith("_type"):
        msg = f"{name}的格式不正确"
    elif kind == "json_invalid":
        msg = "请求内容不是有效的 JSON"
    else:
        msg = f"{name}填写有误"
    return {"field": field, "loc": list(error.get("loc", ())), "type": kind, "msg": msg}


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not request.url.path.startswith("/api/mp"):
        return await request_validation_exception_handler(request, exc)
    problems = [chinese_problem(dict(e)) for e in exc.errors()]
    return JSONResponse({"detail": problems, "message": "；".join(p["msg"] for p in problems)}, status_code=422)
