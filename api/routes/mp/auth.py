"""``POST /api/mp/login`` and the resident session every other call carries; ``POST /api/mp/phone``.

Login exchanges a ``wx.login`` code through ``jscode2session`` and answers our own session token (signed by
:mod:`cases.tokens` in the mini-program domain). WeChat's ``session_key`` is neither stored nor sent back.
A phone the resident confirms with the getPhoneNumber button is exchanged through ``getuserphonenumber``
and put on record as verified: only such a phone ties another system's case (a hotline call) to the
resident, since anyone can type anyone's number into a report.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.deps import NowDep, ServicesDep
from api.services import Services
from bot.push import WeChatApiError
from cases.residents import touch_resident, verify_phone
from cases.tokens import issue_resident_session, read_resident_session
from cases.vocabulary import mask_phone

router = APIRouter(prefix="/api/mp", tags=["mini-program"])
SESSION_TTL_SECONDS = 7 * 24 * 3600
SIGN_IN = "mp.sign_in_problem"
PHONE = "mp.phone_problem"


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


class PhoneIn(BaseModel):
    code: str = Field(min_length=1, max_length=128, description="getPhoneNumber 按钮取得的一次性 code")


class PhoneOut(BaseModel):
    phone: str = Field(description="已验证并记录的手机号（中间四位隐去）")


def problem(services: Services, status_code: int, key: str, **variables: Any) -> HTTPException:
    """An error whose detail is the resident-facing sentence of reply template ``key``."""
    return HTTPException(status_code, services.templates.render(key, **variables))


_bearer = HTTPBearer(auto_error=False, description="POST /api/mp/login 取得的令牌")


def current_resident(
    services: ServicesDep, now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The openid of the request's session token; 401 without a valid one."""
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, services.templates.render(SIGN_IN, reason="not_signed_in"),
                            headers={"WWW-Authenticate": "Bearer"})
    openid = read_resident_session(credentials.credentials, secret=services.settings.secret_key, now=now)
    if openid is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, services.templates.render(SIGN_IN, reason="expired"),
                            headers={"WWW-Authenticate": "Bearer"})
    return openid


ResidentDep = Annotated[str, Depends(current_resident)]


@router.post("/login", summary="小程序登录：code 换取会话令牌", responses=ERRORS)
async def login(body: LoginIn, services: ServicesDep, now: NowDep) -> LoginOut:
    try:
        answer = await services.mp_api.jscode2session(body.code)
    except WeChatApiError as exc:
        if exc.errcode in (40029, 40163, 40226):
            raise problem(services, status.HTTP_400_BAD_REQUEST, SIGN_IN, reason="bad_code") from None
        raise problem(services, status.HTTP_502_BAD_GATEWAY, SIGN_IN, reason="wechat_down") from None
    openid = answer.get("openid")
    if not openid:
        raise problem(services, status.HTTP_502_BAD_GATEWAY, SIGN_IN, reason="wechat_down")
    unionid = answer.get("unionid") or None
    await asyncio.to_thread(_touch, services.engine, openid, unionid, now)
    token = issue_resident_session(openid, unionid, secret=services.settings.secret_key, now=now,
                                   ttl=SESSION_TTL_SECONDS)
    return LoginOut(token=token, expires_in=SESSION_TTL_SECONDS)


def _touch(engine: Engine, openid: str, unionid: str | None, now: datetime) -> None:
    with Session(engine, expire_on_commit=False) as session:
        touch_resident(session, openid=openid, channel="mp", now=now, unionid=unionid)


@router.post("/phone", summary="记录微信验证过的手机号（getPhoneNumber 按钮）", responses=ERRORS)
async def verified_phone(body: PhoneIn, openid: ResidentDep, services: ServicesDep, now: NowDep) -> PhoneOut:
    try:
        phone = await services.mp_api.user_phone_number(body.code)
    except WeChatApiError as exc:
        if exc.errcode in (40029, 41008):
            raise problem(services, status.HTTP_400_BAD_REQUEST, PHONE, reason="bad_code") from None
        raise problem(services, status.HTTP_502_BAD_GATEWAY, PHONE, reason="wechat_down") from None
    await asyncio.to_thread(_verify_phone, services.engine, openid, phone, now)
    return PhoneOut(phone=mask_phone(phone) or "")


def _verify_phone(engine: Engine, openid: str, phone: str, now: datetime) -> None:
    with Session(engine) as session:
        verify_phone(session, touch_resident(session, openid=openid, channel="mp", now=now), phone)
        session.commit()
