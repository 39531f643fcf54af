"""Staff sign-in and accounts: ``POST /login`` (throttled per address and name), ``GET /me``, ``GET|POST /users``."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field

from api.deps import AdminStaff, AnyStaff, NowDep, ServicesDep, SessionDep
from cases import StaffError
from cases.login_throttle import LoginBusy
from cases.queries import staff_accounts
from cases.staff import authenticate, create_staff, issue_token

router = APIRouter(prefix="/api/staff", tags=["staff"])


class LoginIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    name: str
    role: str


class StaffBase(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    role: Literal["admin", "agent"] = "agent"


class StaffCreate(StaffBase):
    password: str = Field(min_length=8, max_length=256)


class StaffPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    role: str
    active: bool


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, services: ServicesDep, session: SessionDep, now: NowDep) -> LoginOut:
    throttle = services.staff_logins
    name = body.name.strip()
    address = request.client.host if request.client else "-"
    if throttle.blocked(address, name, now):
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "登录失败次数过多，请 15 分钟后再试")
    try:
        with throttle.hashing():
            user = authenticate(session=session, name=name, password=body.password, now=now)
    except LoginBusy:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "登录的人太多，请稍后再试") from None
    if user is None:
        throttle.failed(address, name, now)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "用户名或密码错误", headers={"WWW-Authenticate": "Bearer"})
    throttle.succeeded(address, name)
    ttl = services.settings.staff_token_ttl_seconds
    token = issue_token(user, secret=services.settings.secret_key, ttl_seconds=ttl, now=now)
    return LoginOut(access_token=token, expires_in=ttl, name=user.name, role=user.role)


@router.get("/me", response_model=StaffPublic)
def me(staff: AnyStaff) -> StaffPublic:
    return StaffPublic.model_validate(staff)


@router.get("/users", response_model=list[StaffPublic])
def list_staff(admin: AdminStaff, session: SessionDep) -> list[StaffPublic]:
    return [StaffPublic.model_validate(user) for user in staff_accounts(session)]


@router.post("/users", response_model=StaffPublic, status_code=status.HTTP_201_CREATED)
def add_staff(body: StaffCreate, admin: AdminStaff, session: SessionDep, now: NowDep) -> StaffPublic:
    try:
        user = create_staff(session=session, name=body.name, password=body.password, role=body.role, now=now)
    except StaffError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"无法创建账号：{exc}") from None
    return StaffPublic.model_validate(user)
