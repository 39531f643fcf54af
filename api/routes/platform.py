"""The inbound status API: the centre's platform moves a case (accept, dispatch, process, verify, close,
reject, return, reopen) with a note, a department and photos, in calls signed like our webhooks.

``POST /api/platform/v1/cases/{number}/status`` with headers ``X-Gongzhi-Key`` (the endpoint's key id),
``X-Gongzhi-Timestamp`` and ``X-Gongzhi-Signature`` (see docs/integration.md). The headers are screened
before the body is received (unknown key, stale or replayed signature: refused unread), the signature
over the body before it is read as JSON; an unsigned, wrongly signed, stale or replayed call changes
nothing. Signed calls may carry photos up to ``platform_max_body_bytes`` (the request guard lets a body
that large through only with a signature header; an unsigned one keeps the small anonymous limit).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from sqlmodel import Session

from api.deps import ServicesDep
from cases import STATUS_LABELS, store_photo
from cases.drafts import StoredPhoto
from cases.errors import CaseNotFound, MissingField, PhotoRejected, TransitionNotAllowed
from cases.inbound import (
    ACTIONS,
    InboundRejected,
    StatusCall,
    UnknownAction,
    admit,
    allowed_actions,
    apply_status_call,
    screen,
)
from cases.models import Case
from cases.webhooks import WebhookEndpoint

router = APIRouter(prefix="/api/platform/v1", tags=["platform"])
MAX_PHOTOS = 6
REASONS = {
    "missing": "缺少签名或时间戳",
    "malformed": "签名或时间戳格式错误",
    "stale": "时间戳超出允许范围，请校准时钟后重新签名",
    "mismatch": "签名不正确",
    "unknown_endpoint": "未知的接入方",
    "inactive": "该接入方已停用",
    "replayed": "该请求已处理过（重放），请用新的时间戳重新签名",
}
FIELD_WORDS = {"note": "说明（note）", "department": "承办单位（department）"}


class PhotoIn(BaseModel):
    content_base64: str = Field(max_length=20_000_000)


class StatusIn(BaseModel):
    action: str = Field(max_length=16, description="、".join(ACTIONS))
    note: str | None = Field(default=None, max_length=2000)
    department: str | None = Field(default=None, max_length=128)
    operator: str | None = Field(default=None, max_length=64)
    photos: list[PhotoIn] = Field(default_factory=list, max_length=MAX_PHOTOS)


def _error(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": code, "message": message, **extra}, status_code=status)


def _answer(case: Case) -> dict[str, Any]:
    return {"number": case.number, "status": case.status, "status_text": STATUS_LABELS[case.status],
            "department": case.department, "allowed_actions": allowed_actions(case.status)}


@router.post("/cases/{number}/status")
async def move_case(number: str, request: Request, services: ServicesDep) -> JSONResponse:
    settings = services.settings
    now = services.clock()
    headers = {"key_id": request.headers.get("x-gongzhi-key"), "timestamp": request.headers.get("x-gongzhi-timestamp"),
               "signature": request.headers.get("x-gongzhi-signature")}

    def check(body: bytes | None) -> WebhookEndpoint:
        with Session(services.engine, expire_on_commit=False) as session:
            if body is None:
                return screen(session, **headers, now=now, tolerance=settings.timestamp_tolerance_seconds)
            return admit(session, **headers, body=body, now=now, tolerance=settings.timestamp_tolerance_seconds)

    try:
        await asyncio.to_thread(check, None)  # a stranger, a stale call or a replay: refused unread
        body = await request.body()
        if len(body) > settings.platform_max_body_bytes:
            return _error(413, "too_large", "请求体过大")
        endpoint = await asyncio.to_thread(check, body)
    except InboundRejected as exc:
        return _error(409 if exc.reason == "replayed" else 401, exc.reason, REASONS.get(exc.reason, exc.reason))
    try:
        payload = StatusIn.model_validate(json.loads(body))
    except (ValueError, ValidationError) as exc:
        detail = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else "不是有效的 JSON"
        return _error(400, "malformed", f"请求体无法解析：{detail}")
    photos: list[StoredPhoto] = []
    for index, photo in enumerate(payload.photos, 1):
        try:
            data = base64.b64decode(photo.content_base64, validate=True)
            photos.append(await asyncio.to_thread(store_photo, data, settings.media_dir, settings.max_photo_bytes))
        except (binascii.Error, PhotoRejected):
            return _error(400, "bad_photo",
                          f"第 {index} 张照片无法使用（须为 base64 编码的 JPEG/PNG，且不超过大小限制）")
    call = StatusCall(number=number, action=payload.action, note=payload.note, department=payload.department,
                      operator=payload.operator, photos=photos)

    def apply() -> Case:
        with Session(services.engine, expire_on_commit=False) as session:
            return apply_status_call(session, endpoint=endpoint, call=call, now=now)

    try:
        case = await asyncio.to_thread(apply)
    except UnknownAction:
        return _error(400, "unknown_action", f"未知的操作“{payload.action}”，可用：{'、'.join(ACTIONS)}")
    except CaseNotFound:
        return _error(404, "not_found", f"没有工单 {number[:24]}")
    except MissingField as exc:
        return _error(422, "missing_field", f"该操作需要填写{FIELD_WORDS.get(exc.name, exc.name)}")
    except TransitionNotAllowed as exc:
        allowed = allowed_actions(exc.current)
        current = STATUS_LABELS.get(exc.current, exc.current)
        return _error(409, "not_allowed", f"工单当前为“{current}”，不能执行 {payload.action}",
                      allowed_actions=allowed)
    return JSONResponse(_answer(case))
