"""FastAPI dependencies shared by the routers: lifespan services, a DB session, staff auth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from api.settings import Settings
from cases.models import StaffUser
from cases.staff import staff_for_token


def get_services(request: Request) -> Any:
    """The :class:`api.services.Services` the lifespan stored on the app."""
    return request.app.state.services


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.services.settings
    return settings


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.services.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]


_bearer = HTTPBearer(auto_error=False, description="POST /api/staff/login 取得的令牌")


def current_staff(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffUser:
    """The staff account of the request's bearer token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "请先登录", headers={"WWW-Authenticate": "Bearer"}
        )
    services = request.app.state.services
    settings: Settings = services.settings
    clock = getattr(services, "clock", None)  # tests may fix the time
    now = clock() if callable(clock) else datetime.now(UTC)
    user = staff_for_token(session=session, token=credentials.credentials, secret=settings.secret_key, now=now)
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "登录已失效，请重新登录", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


CurrentStaff = Annotated[StaffUser, Depends(current_staff)]


def admin_staff(user: CurrentStaff) -> StaffUser:
    """The current staff account when it is an administrator; 403 for agents."""
    if user.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "需要管理员权限")
    return user


AdminStaff = Annotated[StaffUser, Depends(admin_staff)]
