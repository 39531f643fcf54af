"""FastAPI dependencies shared by the routers: the lifespan's services, the time, a DB session, staff auth.

Staff authenticate with a bearer token (API clients) or the console's session cookie. A cookie-borne
request that changes something must carry the CSRF token in ``X-CSRF-Token`` (the console's script reads
it from a readable cookie set at sign-in); a bearer request needs none (browsers never add it on their own).

Roles (:mod:`cases.roles`): ``CurrentStaff`` is the centre (admin or agent), ``AdminStaff`` the centre
admin, ``AnyStaff`` every signed-in account (department users and grid workers see only their own cases,
checked where the case is read). A refused role gets 403 naming the role it needs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi import Path as PathParam
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, AwareDatetime
from sqlmodel import Session

from api.services import Services
from api.settings import Settings
from cases.models import StaffUser
from cases.roles import ADMIN, AGENT, DEPARTMENT, GRID, RoleRequired, require_role
from cases.staff import check_csrf, staff_for_token
from nlu import extract_case_number


async def get_services(request: Request) -> Services:
    """The :class:`api.services.Services` the lifespan built.

    The cheap dependencies here are ``async def``: FastAPI runs a plain ``def`` dependency in a worker
    thread, a hand-over that costs more than the work itself on every request.
    """
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_settings(services: ServicesDep) -> Settings:
    return services.settings


async def get_now(services: ServicesDep) -> datetime:
    """The current time, from the services' clock (tests fix it)."""
    return services.clock()


def get_session(services: ServicesDep) -> Iterator[Session]:
    with Session(services.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
SessionDep = Annotated[Session, Depends(get_session)]


async def case_number(
    number: Annotated[str, PathParam(max_length=40, description="工单号，如 BH20261127-0001")],
) -> str:
    """A case number from the path, read by the one case-number parser; 404 when it is not one."""
    parsed = extract_case_number(number)
    if parsed is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"工单 {number} 不存在")
    return parsed


CaseNumber = Annotated[str, Depends(case_number)]

SESSION_COOKIE = "gz_staff"
CSRF_COOKIE = "gz_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_bearer = HTTPBearer(auto_error=False, description="POST /api/staff/login 取得的令牌")
_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False, description="控制台登录后的会话 Cookie")


def any_staff(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_cookie)],
) -> StaffUser:
    """The staff account of the request (bearer token or session cookie); 401 without a valid one."""
    token = credentials.credentials if credentials is not None and credentials.scheme.lower() == "bearer" else None
    secret = services.settings.secret_key
    if token is None and cookie:
        token = cookie
        if request.method not in SAFE_METHODS and not check_csrf(cookie, request.headers.get(CSRF_HEADER, ""),
                                                                 secret=secret):
            raise HTTPException(status.HTTP_403_FORBIDDEN, "页面已过期（CSRF 校验失败），请刷新页面后重试")
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "请先登录", headers={"WWW-Authenticate": "Bearer"})
    user = staff_for_token(session=session, token=token, secret=secret, now=now)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "登录已失效，请重新登录", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


AnyStaff = Annotated[StaffUser, Depends(any_staff)]


def _role(user: StaffUser, *roles: str) -> StaffUser:
    try:
        require_role(user, *roles)
    except RoleRequired as exc:
        raise HTTPException(status.HTTP_403_FORBIDDEN, str(exc)) from None
    return user


async def current_staff(user: AnyStaff) -> StaffUser:
    """A centre account (admin or agent); 403 for department users and grid workers."""
    return _role(user, AGENT, ADMIN)


CurrentStaff = Annotated[StaffUser, Depends(current_staff)]


async def admin_staff(user: AnyStaff) -> StaffUser:
    """The current staff account when it is a centre administrator; 403 otherwise."""
    return _role(user, ADMIN)


AdminStaff = Annotated[StaffUser, Depends(admin_staff)]


EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _reasonable(moment: datetime) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise ValueError("时间应在 2000 年到 2099 年之间")
    return moment


# A query-string time: with a time zone (a naive one would be read differently by each server) and within
# this century (9999-12-31 would overflow the arithmetic after it): anything else is a 422, never a 500.
Moment = Annotated[AwareDatetime, AfterValidator(_reasonable)]


async def department_staff(user: AnyStaff) -> StaffUser:
    return _role(user, DEPARTMENT)


DepartmentStaff = Annotated[StaffUser, Depends(department_staff)]


async def grid_staff(user: AnyStaff) -> StaffUser:
    return _role(user, GRID)


GridStaff = Annotated[StaffUser, Depends(grid_staff)]
