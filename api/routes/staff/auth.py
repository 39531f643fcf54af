"""Staff sign-in and accounts: ``POST /login`` (throttled per address and name), ``GET /me``, ``GET|POST /users``."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.deps import AdminStaff, AnyStaff, NowDep, ServicesDep, SessionDep
from api.services import Services
from cases import StaffError
from cases.login_throttle import LoginBusy
from cases.models import StaffUser
from cases.queries import staff_accounts
from cases.staff import LoginRefused, create_staff, issue_token, sign_in

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


def signed_in(body: LoginIn, request: Request, services: Services, session: Session, now: datetime, *,
              bearer: bool) -> tuple[StaffUser, str]:
    """The account signing in and its new token (both ways in: bearer login and console session)."""
    address = request.client.host if request.client else "-"
    try:
        user = sign_in(session=session, throttle=services.staff_logins, address=address, name=body.name,
                       password=body.password, now=now)
    except LoginBusy:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "登录的人太多，请稍后再试") from None
    except LoginRefused as exc:
        if exc.reason == "blocked":
            raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "登录失败次数过多，请 15 分钟后再试") from None
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "用户名或密码错误",
                            headers={"WWW-Authenticate": "Bearer"} if bearer else None) from None
    settings = services.settings
    return user, issue_token(user, secret=settings.secret_key, ttl_seconds=settings.staff_token_ttl_seconds, now=now)


@router.post("/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, services: ServicesDep, session: SessionDep, now: NowDep) -> LoginOut:
    user, token = signed_in(body, request, services, session, now, bearer=True)
    return LoginOut(access_token=token, expires_in=services.settings.staff_token_ttl_seconds, name=user.name,
                    role=user.role)


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
