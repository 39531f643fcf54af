"""The console's session (cookie login, logout, logout everywhere) and staff account management (admins).

``POST /api/staff/session`` signs in and sets two cookies: the session (HttpOnly, SameSite=Strict, Secure
when the public URL is https) and the CSRF token (readable by the console's script, which echoes it in
``X-CSRF-Token``). Every tab and reload shares them; ``DELETE /api/staff/session`` signs this browser out,
``POST /api/staff/session/everywhere`` every browser of the account (its tokens are revoked).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from api.deps import CSRF_COOKIE, SESSION_COOKIE, AdminStaff, AnyStaff, NowDep, ServicesDep, SessionDep, SettingsDep
from api.routes.staff.auth import LoginIn, signed_in
from api.settings import Settings
from cases.errors import StaffError
from cases.models import StaffUser
from cases.roles import Role
from cases.staff import (
    AccountView,
    SessionView,
    account_view,
    accounts_by_role,
    create_staff,
    csrf_token,
    set_password,
    sign_out_everywhere,
    update_staff,
)

router = APIRouter(prefix="/api/staff", tags=["staff-accounts"])


class AccountIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=256)
    role: Role = "agent"
    department_id: int | None = None
    grid_ids: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=200)


class AccountPatch(BaseModel):
    role: Role | None = None
    department_id: int | None = None
    grid_ids: list[Annotated[str, Field(max_length=64)]] | None = Field(default=None, max_length=200)
    active: bool | None = None
    password: str | None = Field(default=None, min_length=8, max_length=256)


def _set_cookies(response: Response, settings: Settings, token: str) -> str:
    secure = settings.public_url.startswith("https://")
    ttl = settings.staff_token_ttl_seconds
    csrf = csrf_token(token, secret=settings.secret_key)
    response.set_cookie(SESSION_COOKIE, token, max_age=ttl, httponly=True, samesite="strict", secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, csrf, max_age=ttl, httponly=False, samesite="strict", secure=secure, path="/")
    return csrf


@router.post("/session", response_model=SessionView, summary="控制台登录（设置会话 Cookie）")
def sign_in(
    body: LoginIn, request: Request, services: ServicesDep, response: Response, session: SessionDep,
    settings: SettingsDep, now: NowDep,
) -> SessionView:
    user, token = signed_in(body, request, services, session, now, bearer=False)
    csrf = _set_cookies(response, settings, token)
    return SessionView(**vars(account_view(session, user)), csrf_token=csrf,
                       expires_in=settings.staff_token_ttl_seconds)


@router.get("/session", response_model=SessionView, summary="当前登录的账号")
def who_am_i(staff: AnyStaff, session: SessionDep) -> SessionView:
    return SessionView(**vars(account_view(session, staff)))


@router.delete("/session", status_code=status.HTTP_204_NO_CONTENT, summary="退出登录（本浏览器）")
def sign_out(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.post("/session/everywhere", status_code=status.HTTP_204_NO_CONTENT, summary="在所有设备上退出")
def sign_out_all(staff: AnyStaff, session: SessionDep, response: Response) -> None:
    sign_out_everywhere(session=session, user=staff)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.get("/accounts", response_model=list[AccountView], summary="员工账号（管理员）")
def accounts(admin: AdminStaff, session: SessionDep) -> list[AccountView]:
    return [account_view(session, u) for u in accounts_by_role(session)]


@router.post("/accounts", response_model=AccountView, status_code=status.HTTP_201_CREATED, summary="新建账号")
def add_account(body: AccountIn, admin: AdminStaff, session: SessionDep, now: NowDep) -> AccountView:
    try:
        user = create_staff(session=session, name=body.name, password=body.password, role=body.role, now=now,
                            department_id=body.department_id, grid_ids=body.grid_ids)
    except StaffError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"无法创建账号：{exc}") from None
    return account_view(session, user)


@router.patch("/accounts/{account_id}", response_model=AccountView, summary="修改账号：角色、单位、网格、停用、密码")
def change_account(
    account_id: Annotated[int, PathParam(ge=1)], body: AccountPatch, admin: AdminStaff, session: SessionDep
) -> AccountView:
    user = session.get(StaffUser, account_id)
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "账号不存在")
    if user.id == admin.id and (body.active is False or (body.role and body.role != "admin")):
        raise HTTPException(status.HTTP_409_CONFLICT, "不能停用自己的账号或取消自己的管理员角色")
    try:
        user = update_staff(session=session, user=user, role=body.role, department_id=body.department_id,
                            grid_ids=body.grid_ids, active=body.active)
        if body.password:
            set_password(session=session, user=user, password=body.password)
    except StaffError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"无法修改账号：{exc}") from None
    return account_view(session, user)
