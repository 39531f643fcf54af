"""The mini-program's API (``/api/mp``): login, the same dialogs as the official account, reports with photos,
category suggestions, one's own cases, ratings and subscribe-message grants.

Sessions: ``POST /login`` exchanges a ``wx.login`` code through ``jscode2session`` and answers our own
token, ``base64url(JSON {openid, unionid, expiry}) + "." + HMAC-SHA256`` keyed from ``settings.secret_key``.
WeChat's ``session_key`` is neither stored nor sent back. Every other call (but the category list) takes
``Authorization: Bearer <token>`` and sees only the token's resident's cases.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from api.deps import SessionDep, get_services
from bot.push import WeChatApiError
from bot.types import Channel, ImageMessage, Kind, Location, NewsMessage, Outgoing, Photo, TextMessage, Update

router = APIRouter(prefix="/api/mp", tags=["mini-program"])

SESSION_TTL_SECONDS = 7 * 24 * 3600
MAX_PHOTOS = 9
MAX_DESCRIPTION = 2000
CRS_NAMES = ("wgs84", "gcj02", "bd09")
PHONE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
PHOTO_REASONS = {
    "too_big": "超过 10 MB，请压缩后再传",
    "not_an_image": "不是图片，或文件已损坏",
    "unsupported_type": "格式不支持，请上传 JPG、PNG 或 WebP 图片",
}
STATUS_LABELS = {
    "submitted": "待受理", "accepted": "已受理", "rejected": "不予受理", "dispatched": "已派遣",
    "processing": "处置中", "verifying": "待核查", "closed": "已办结",
}
OPEN_STATUSES = ("submitted", "accepted", "dispatched", "processing", "verifying")
# Transition notes residents see (staff notes on other steps are internal).
PUBLIC_NOTE_STATUSES = ("rejected", "closed", "processing")
EMERGENCY_HINT = "如有人员受伤、被困，或有火情、燃气泄漏、电线掉落，请立即拨打 119 / 110 / 120。"


# -- schemas ------------------------------------------------------------------------------------------


class ErrorOut(BaseModel):
    detail: Any = Field(description="出错原因（中文）；表单校验错误时为逐项列表")


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "请求有误"},
    401: {"model": ErrorOut, "description": "未登录或登录已过期"},
    422: {"model": ErrorOut, "description": "填写的内容有误"},
}


class LoginIn(BaseModel):
    code: str = Field(min_length=1, max_length=128, description="wx.login() 取得的一次性 code")


class LoginOut(BaseModel):
    token: str = Field(description="之后每个请求带上：Authorization: Bearer <token>")
    expires_in: int = Field(description="有效期（秒）")


class ChatIn(BaseModel):
    kind: Literal["text", "location", "image", "event"] = "text"
    text: str | None = Field(default=None, max_length=2000, description="文字消息")
    lat: float | None = Field(default=None, ge=-90, le=90)
    lng: float | None = Field(default=None, ge=-180, le=180)
    crs: Literal["wgs84", "gcj02", "bd09"] = Field(default="gcj02", description="坐标系；wx.getLocation 默认 wgs84")
    label: str = Field(default="", max_length=200, description="位置名称或地址")
    image_base64: str | None = Field(default=None, description="图片（base64），最大 10 MB")
    event: str | None = Field(default=None, max_length=32, description="菜单事件，如 CLICK")
    key: str | None = Field(default=None, max_length=64, description="菜单键：REPORT、MY_CASES、RATE、HELP")
    message_id: str | None = Field(default=None, max_length=64, description="客户端消息编号；重发时相同则不重复处理")


class ArticleOut(BaseModel):
    title: str
    description: str = ""
    url: str = ""
    image_url: str = ""


class MessageOut(BaseModel):
    type: Literal["text", "image", "news"]
    text: str | None = None
    media_id: str | None = None
    articles: list[ArticleOut] | None = None


class ChatOut(BaseModel):
    message_id: str
    messages: list[MessageOut]


class CategoryOut(BaseModel):
    major_code: str
    major_name: str
    minor_code: str | None
    minor_name: str | None
    score: float


class SuggestOut(BaseModel):
    suggestions: list[CategoryOut]
    confident: bool = Field(description="第一项是否足够可信（可信时可直接采用）")
    urgent: bool = Field(description="描述像紧急情况（应提示拨打 119/110/120）")


class MinorOut(BaseModel):
    code: str
    name: str


class MajorOut(BaseModel):
    code: str
    name: str
    minors: list[MinorOut]


class LocationOut(BaseModel):
    lat: float = Field(description="GCJ-02")
    lng: float = Field(description="GCJ-02")
    address: str
    grid_id: str
    grid_name: str
    community: str
    street: str
    source: Literal["point", "address", "photo"] = Field(description="来自所给坐标、地址，或照片中的拍摄位置")


class ReportOut(BaseModel):
    number: str
    status: str
    status_label: str
    due_at: datetime
    category: CategoryOut
    location: LocationOut
    photos: int
    urgent: bool
    emergency_hint: str | None
    joined_existing: bool = Field(description="与附近居民反映的同一问题合并办理")
    neighbours: int = Field(description="同一问题已有几位居民反映")


class CaseSummaryOut(BaseModel):
    number: str
    status: str
    status_label: str
    description: str
    major_name: str
    minor_name: str
    address: str
    grid_name: str
    created_at: datetime
    updated_at: datetime
    due_at: datetime
    can_rate: bool
    rated: bool


class StepOut(BaseModel):
    at: datetime
    kind: str
    title: str
    status: str | None
    department: str | None
    note: str | None


class RatingOut(BaseModel):
    score: int | None
    fixed: str | None
    comment: str | None
    created_at: datetime


class NoticeOut(BaseModel):
    key: str
    text: str
    at: datetime


class CaseDetailOut(CaseSummaryOut):
    urgent: bool
    department: str | None
    photos: int
    timeline: list[StepOut]
    rating: RatingOut | None
    notices: list[NoticeOut] = Field(description="未能以订阅消息送达、留在工单页的通知")


class RatingIn(BaseModel):
    score: int | None = Field(default=None, ge=1, le=5,
                              description="5 满意 · 4 基本满意 · 3 一般 · 2 不满意 · 1 很不满意")
    fixed: Literal["yes", "partly", "no"] | None = Field(default=None, description="问题是否解决")
    comment: str | None = Field(default=None, max_length=500)


class SubscriptionsIn(BaseModel):
    results: dict[str, str] = Field(
        description="wx.requestSubscribeMessage 的结果原样上传：{模板ID: accept | reject | ban | filter}",
        min_length=1, max_length=20,
    )


class SubscriptionsOut(BaseModel):
    accepted: list[str]
    remaining: dict[str, int]


# -- the session token --------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), b"gongzhi mini-program session", hashlib.sha256).digest()


def issue_session(openid: str, unionid: str | None, *, secret: str, now: float,
                  ttl: int = SESSION_TTL_SECONDS) -> str:
    payload = _b64(json.dumps({"o": openid, "u": unionid, "e": int(now) + ttl}, separators=(",", ":")).encode())
    signature = _b64(hmac.new(_key(secret), payload.encode("ascii"), hashlib.sha256).digest())
    return f"{payload}.{signature}"


def read_session(token: str, *, secret: str, now: float) -> str | None:
    """The openid of a valid, unexpired token; None otherwise."""
    payload, _, signature = token.partition(".")
    expected = _b64(hmac.new(_key(secret), payload.encode("ascii", "replace"), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        return None
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("o"), str) or not isinstance(data.get("e"), int):
        return None
    if data["e"] < now:
        return None
    openid: str = data["o"]
    return openid


_bearer = HTTPBearer(auto_error=False, description="POST /api/mp/login 取得的令牌")


def current_resident(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> str:
    """The openid of the request's session token; 401 without a valid one."""
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "请先登录", headers={"WWW-Authenticate": "Bearer"})
    openid = read_session(credentials.credentials, secret=get_services(request).settings.secret_key,
                          now=time.time())
    if openid is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "登录已过期，请重新进入小程序",
                            headers={"WWW-Authenticate": "Bearer"})
    return openid


ResidentDep = Annotated[str, Depends(current_resident)]


# -- login and chat -----------------------------------------------------------------------------------


@router.post("/login", summary="小程序登录：code 换取会话令牌", responses=ERRORS)
async def login(body: LoginIn, request: Request) -> LoginOut:
    services = get_services(request)
    try:
        answer = await services.mp_api.jscode2session(body.code)
    except WeChatApiError as exc:
        if exc.errcode in (40029, 40163, 40226):
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "登录凭证无效或已使用，请重新进入小程序") from None
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, "微信服务暂时无法连接，请稍后再试") from None
    openid = answer.get("openid")
    if not openid:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, "微信服务暂时无法连接，请稍后再试")
    unionid = answer.get("unionid") or None
    await asyncio.to_thread(_touch, services, openid, unionid)
    token = issue_session(openid, unionid, secret=services.settings.secret_key, now=time.time())
    return LoginOut(token=token, expires_in=SESSION_TTL_SECONDS)


def _touch(services: Any, openid: str, unionid: str | None) -> None:
    from cases.residents import touch_resident

    with Session(services.engine, expire_on_commit=False) as session:
        touch_resident(session, openid=openid, channel="mp", now=datetime.now(UTC), unionid=unionid)


@router.post("/chat", summary="与公众号相同的对话：发一条消息，得到回复", responses=ERRORS)
async def chat(body: ChatIn, request: Request, openid: ResidentDep) -> ChatOut:
    services = get_services(request)
    message_id = body.message_id or uuid.uuid4().hex
    update = _update(body, openid, message_id, services.settings.max_photo_bytes)
    key = update.dedupe_key + ":" + openid
    if not await services.replies.claim(key):
        cached = await services.replies.wait(key, 10.0)
        return ChatOut(message_id=message_id, messages=[MessageOut(**m) for m in json.loads(cached or "[]")])
    messages = [_message(m) for m in await services.dispatcher.feed_update(update)]
    await services.replies.put(key, json.dumps([m.model_dump() for m in messages], ensure_ascii=False))
    return ChatOut(message_id=message_id, messages=messages)


def _update(body: ChatIn, openid: str, message_id: str, max_photo_bytes: int) -> Update:
    common: dict[str, Any] = {"resident_id": openid, "channel": Channel.MINI_PROGRAM, "message_id": message_id}
    if body.kind == "text":
        if not (body.text or "").strip():
            raise HTTPException(422, "消息内容不能为空")
        return Update(kind=Kind.TEXT, text=(body.text or "").strip(), **common)
    if body.kind == "location":
        if body.lat is None or body.lng is None:
            raise HTTPException(422, "发送位置需要纬度 lat 和经度 lng")
        return Update(kind=Kind.LOCATION, location=Location(lat=body.lat, lng=body.lng, crs=body.crs,
                                                            label=body.label), **common)
    if body.kind == "image":
        try:
            content = base64.b64decode(body.image_base64 or "", validate=True)
        except binascii.Error:
            raise HTTPException(422, "图片内容不是有效的 base64") from None
        if not content:
            raise HTTPException(422, "请附上图片")
        if len(content) > max_photo_bytes:
            raise HTTPException(413, "图片超过 10 MB，请压缩后再传")
        return Update(kind=Kind.IMAGE, photo=Photo(content=content), **common)
    if not body.event:
        raise HTTPException(422, "事件消息需要 event")
    return Update(kind=Kind.EVENT, event=body.event, event_key=body.key or "", **common)


def _message(message: Outgoing) -> MessageOut:
    if isinstance(message, TextMessage):
        return MessageOut(type="text", text=message.text)
    if isinstance(message, ImageMessage):
        return MessageOut(type="image", media_id=message.media_id)
    assert isinstance(message, NewsMessage)
    return MessageOut(type="news", articles=[ArticleOut(title=a.title, description=a.description, url=a.url,
                                                        image_url=a.image_url) for a in message.articles])


# -- categories ---------------------------------------------------------------------------------------


@router.get("/categories", summary="问题类别（大类与小类）")
def categories(request: Request) -> list[MajorOut]:
    taxonomy = get_services(request).nlu.taxonomy
    return [MajorOut(code=major.code, name=major.name,
                     minors=[MinorOut(code=m.code, name=m.name) for m in taxonomy.minors_of(major.code)])
            for major in taxonomy.majors]


@router.get("/categories/suggest", summary="输入描述时的类别建议（前三项）", responses=ERRORS)
def suggest(
    request: Request, openid: ResidentDep,
    text: Annotated[str, Query(max_length=MAX_DESCRIPTION, description="居民正在输入的描述")] = "",
) -> SuggestOut:
    if len(text.strip()) < 2:
        return SuggestOut(suggestions=[], confident=False, urgent=False)
    nlu = get_services(request).nlu
    return _suggest(nlu, text.strip())


def _suggest(nlu: Any, text: str) -> SuggestOut:
    from nlu import detect_urgency

    result = nlu.classify(text)
    suggestions = []
    for major in result.majors[:3]:
        minor = next((m for m in result.minors if m.code.startswith(major.code)), None)
        suggestions.append(CategoryOut(major_code=major.code, major_name=major.name,
                                       minor_code=minor.code if minor else None,
                                       minor_name=minor.name if minor else None,
                                       score=round(float(major.score), 3)))
    return SuggestOut(suggestions=suggestions, confident=bool(result.confident),
                      urgent=bool(detect_urgency(text).urgent))


# -- reports ------------------------------------------------------------------------------------------


@router.post("/reports", status_code=201, summary="提交反映（表单：描述、照片、位置、电话、是否保密）",
             responses={**ERRORS, 413: {"model": ErrorOut, "description": "照片太大或太多"}})
async def report(
    request: Request,
    openid: ResidentDep,
    description: Annotated[str, Form(max_length=MAX_DESCRIPTION, description="问题描述")],
    photos: Annotated[list[UploadFile] | None, File(description="照片，最多 9 张，每张不超过 10 MB")] = None,
    lat: Annotated[float | None, Form(ge=-90, le=90, description="纬度")] = None,
    lng: Annotated[float | None, Form(ge=-180, le=180, description="经度")] = None,
    crs: Annotated[str | None, Form(description="坐标系：wgs84（wx.getLocation 默认）、gcj02 或 bd09")] = None,
    address: Annotated[str | None, Form(max_length=200, description="地址或地名（没有坐标时用）")] = None,
    phone: Annotated[str | None, Form(max_length=20, description="联系电话（可选）")] = None,
    confidential: Annotated[bool, Form(description="是否要求对身份保密")] = False,
    category: Annotated[str | None, Form(max_length=8, description="居民自选的小类代码（可选）")] = None,
) -> ReportOut:
    services = get_services(request)
    description = description.strip()
    if not description:
        raise HTTPException(422, "请描述一下遇到的问题")
    phone = re.sub(r"[\s\-]", "", phone or "") or None
    if phone is not None and not PHONE.match(phone):
        raise HTTPException(422, "联系电话格式不正确，请填写 11 位手机号或带区号的固定电话")
    files = [f for f in (photos or []) if f.filename or f.size]
    if len(files) > MAX_PHOTOS:
        raise HTTPException(413, f"照片最多 {MAX_PHOTOS} 张，您上传了 {len(files)} 张")
    if (lat is None) != (lng is None):
        raise HTTPException(422, "位置需要同时提供纬度 lat 和经度 lng")
    if lat is not None and crs not in CRS_NAMES:
        raise HTTPException(422, "请注明坐标系 crs：wgs84、gcj02 或 bd09")
    chosen = _chosen_category(services.nlu, category) if category else None

    stored = []
    for index, upload in enumerate(files, start=1):
        content = await upload.read(services.settings.max_photo_bytes + 1)
        stored.append(await _store(services, content, index))

    location = await asyncio.to_thread(_locate, services.geo, lat, lng, crs, address, stored)
    understanding = services.nlu.understand(description)
    picked = chosen or _auto_category(services.nlu, description)
    from cases.drafts import CaseDraft
    from cases.errors import InvalidDraft

    draft = CaseDraft(
        openid=openid, channel="mp", description=description,
        major_code=picked.major_code, major_name=picked.major_name,
        minor_code=picked.minor_code, minor_name=picked.minor_name,
        category_confidence=picked.score, category_source="resident" if chosen else "auto",
        lat=location.lat, lng=location.lng, address=location.address, grid_id=location.grid_id,
        grid_name=location.grid_name, community=location.community, street=location.street,
        urgent=bool(understanding.urgent), phone=phone, confidential=confidential, photos=stored,
    )
    try:
        filed = await services.desk.file(draft)
    except InvalidDraft as exc:
        raise HTTPException(422, _draft_problem(exc.field)) from None
    case = filed.case
    return ReportOut(
        number=case.number, status=case.status, status_label=STATUS_LABELS.get(case.status, case.status),
        due_at=case.due_at, category=picked, location=location, photos=len(stored), urgent=case.urgent,
        emergency_hint=EMERGENCY_HINT if case.urgent else None, joined_existing=filed.joined_existing,
        neighbours=filed.neighbours,
    )


async def _store(services: Any, content: bytes, index: int) -> Any:
    from cases.errors import PhotoRejected

    if len(content) > services.settings.max_photo_bytes:
        raise HTTPException(413, f"第 {index} 张照片{PHOTO_REASONS['too_big']}")
    try:
        return await services.desk.store_photo(content)
    except PhotoRejected as exc:
        code = 413 if exc.reason == "too_big" else 422
        raise HTTPException(code, f"第 {index} 张照片{PHOTO_REASONS.get(exc.reason, '无法使用')}") from None


def _chosen_category(nlu: Any, code: str) -> CategoryOut:
    taxonomy = nlu.taxonomy
    try:
        minor = taxonomy.minor(code.strip())
        major = taxonomy.major(minor.major_code)
    except Exception:
        raise HTTPException(422, f"没有这个问题类别：{code}") from None
    return CategoryOut(major_code=major.code, major_name=major.name, minor_code=minor.code,
                       minor_name=minor.name, score=1.0)


def _auto_category(nlu: Any, description: str) -> CategoryOut:
    suggestions = _suggest(nlu, description).suggestions
    if not suggestions:
        raise HTTPException(422, "无法判断问题类别，请选择一个类别")
    return suggestions[0]


def _locate(geo: Any, lat: float | None, lng: float | None, crs: str | None, address: str | None,
            stored: list[Any]) -> LocationOut:
    from geo import InvalidCoordinate, UnknownCrsError

    if lat is not None and lng is not None and crs:
        try:
            found = geo.locate_point(lat, lng, crs=crs)
        except (InvalidCoordinate, UnknownCrsError):
            raise HTTPException(422, "坐标无效，请重新选择位置") from None
        return _point(found, address or "", "point")
    if address and address.strip():
        candidates = geo.locate_text(address.strip())
        best = next((c for c in candidates if c.grid_id), None)
        if best is None:
            raise HTTPException(422, "没有找到这个地址，请在地图上选一下位置")
        return LocationOut(lat=best.lat, lng=best.lng, address=address.strip(), grid_id=best.grid_id,
                           grid_name=best.grid_name, community=best.community, street=best.street,
                           source="address")
    for photo in stored:
        if photo.gps is not None:
            found = geo.locate_point(photo.gps[0], photo.gps[1], crs="wgs84")
            if found.grid_id is not None:
                return _point(found, f"{found.grid_name}附近（照片拍摄位置）", "photo")
    raise HTTPException(422, "请告诉我们问题发生的位置：在地图上选点，或填写地址")


def _point(found: Any, address: str, source: Literal["point", "photo"]) -> LocationOut:
    if found.grid_id is None:
        raise HTTPException(422, "这个位置不在本区服务范围内，请确认后重新选择")
    return LocationOut(lat=found.lat, lng=found.lng, address=address or f"{found.grid_name}附近",
                       grid_id=found.grid_id, grid_name=found.grid_name, community=found.community,
                       street=found.street, source=source)


def _draft_problem(field: str) -> str:
    return {
        "description": "问题描述太短或太长，请用一两句话说明",
        "grid_id": "无法确定问题所在网格，请重新选择位置",
        "category": "无法判断问题类别，请选择一个类别",
    }.get(field, "提交的内容不完整，请检查后重试")


# -- one's own cases ----------------------------------------------------------------------------------


@router.get("/cases", summary="我的工单（新的在前）", responses=ERRORS)
def my_cases(session: SessionDep, openid: ResidentDep) -> list[CaseSummaryOut]:
    from cases.queries import cases_of_resident

    found = cases_of_resident(session, openid)
    rated = _rated_ids(session, [c.id for c in found if c.id is not None])
    return [_summary(c, c.id in rated) for c in found]


@router.get("/cases/{number}", summary="一个工单的办理过程", responses={**ERRORS, 404: {"model": ErrorOut}})
def my_case(number: str, request: Request, session: SessionDep, openid: ResidentDep) -> CaseDetailOut:
    from cases.models import OutboxMessage
    from cases.queries import get_case_for_resident, photos_of, rating_of, timeline

    case = get_case_for_resident(session, openid, number)
    if case is None or case.id is None:
        raise HTTPException(404, "没有找到这个工单，请核对编号")
    rating = rating_of(session, case.id)
    held = session.exec(
        select(OutboxMessage).where(OutboxMessage.case_id == case.id)
        .where(OutboxMessage.recipient_openid == openid).where(col(OutboxMessage.channel) == "mp")
        .where(col(OutboxMessage.state).in_(("held", "dead"))).order_by(col(OutboxMessage.id))
    ).all()
    templates = get_services(request).templates
    return CaseDetailOut(
        **_summary(case, rating is not None).model_dump(),
        urgent=case.urgent, department=case.department, photos=len(photos_of(session, case.id)),
        timeline=[step for event in timeline(session, case.id) if (step := _step(event)) is not None],
        rating=RatingOut(score=rating.score, fixed=rating.fixed, comment=rating.comment,
                         created_at=rating.created_at) if rating else None,
        notices=[NoticeOut(key=m.template_key, text=_render(templates, m.template_key, m.variables),
                           at=m.created_at) for m in held],
    )


def _summary(case: Any, rated: bool) -> CaseSummaryOut:
    return CaseSummaryOut(
        number=case.number, status=case.status, status_label=STATUS_LABELS.get(case.status, case.status),
        description=case.description, major_name=case.major_name, minor_name=case.minor_name,
        address=case.address, grid_name=case.grid_name, created_at=case.created_at, updated_at=case.updated_at,
        due_at=case.due_at, can_rate=case.status == "closed" and not rated, rated=rated,
    )


def _rated_ids(session: Session, ids: list[int]) -> set[int]:
    from cases.models import Rating

    if not ids:
        return set()
    return {r for r in session.exec(select(Rating.case_id).where(col(Rating.case_id).in_(ids))).all()}


def _step(event: Any) -> StepOut | None:
    if event.kind == "filed":
        return StepOut(at=event.created_at, kind="filed", title="已提交", status="submitted", department=None,
                       note=None)
    if event.kind == "transition" and event.to_status:
        note = event.note if event.to_status in PUBLIC_NOTE_STATUSES else None
        title = "重新办理" if event.from_status == "closed" else STATUS_LABELS.get(event.to_status, event.to_status)
        return StepOut(at=event.created_at, kind="status", title=title, status=event.to_status,
                       department=event.department if event.to_status == "dispatched" else None, note=note)
    if event.kind == "rated":
        return StepOut(at=event.created_at, kind="rated", title="您已评价", status=None, department=None,
                       note=event.note)
    return None


def _render(templates: Any, key: str, variables: dict[str, Any]) -> str:
    try:
        return str(templates.render(key, **variables))
    except Exception:
        return "工单有新进展，请查看办理过程。"


@router.post("/cases/{number}/rating", status_code=201, summary="评价已办结的工单",
             responses={**ERRORS, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}})
async def rate(number: str, body: RatingIn, request: Request, openid: ResidentDep) -> RatingOut:
    from cases.errors import CaseNotFound, MissingField, RatingRejected

    if body.score is None and body.fixed is None:
        raise HTTPException(422, "请选择满意程度，或告诉我们问题是否解决")
    services = get_services(request)
    try:
        rating = await services.desk.rate(number=number.strip().upper(), openid=openid, score=body.score,
                                          fixed=body.fixed, comment=body.comment)
    except CaseNotFound:
        raise HTTPException(404, "没有找到这个工单，请核对编号") from None
    except MissingField:
        raise HTTPException(422, "请选择满意程度，或告诉我们问题是否解决") from None
    except RatingRejected as exc:
        message = {
            "not_closed": "工单办结后才能评价，办结时我们会通知您",
            "expired": "已超过评价期限（办结后 14 天内），感谢您的关注",
            "already_rated": "您已经评价过这个工单了，谢谢",
        }.get(exc.reason, "评价内容有误，请重新选择")
        raise HTTPException(409 if exc.reason != "invalid" else 422, message) from None
    return RatingOut(score=rating.score, fixed=rating.fixed, comment=rating.comment, created_at=rating.created_at)


@router.post("/subscriptions", summary="记录居民同意接收的订阅消息", responses=ERRORS)
def subscriptions(body: SubscriptionsIn, session: SessionDep, openid: ResidentDep) -> SubscriptionsOut:
    from cases.models import MpSubscription
    from cases.residents import grant_subscription

    now = datetime.now(UTC)
    accepted = [tid for tid, answer in body.results.items() if answer == "accept" and 0 < len(tid) <= 128]
    for template_id in accepted:
        grant_subscription(session, openid=openid, template_id=template_id, now=now)
    grants = session.exec(select(MpSubscription).where(MpSubscription.openid == openid)).all()
    return SubscriptionsOut(accepted=accepted, remaining={g.template_id: g.remaining for g in grants})
