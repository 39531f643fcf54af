"""FastAPI dependencies shared by the routers: the lifespan's services, the time, a DB session, staff auth."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi import Path as PathParam
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator, AwareDatetime
from sqlmodel import Session

from api.services import Services
from api.settings import Settings
from cases.models import StaffUser
from cases.staff import staff_for_token
from nlu import extract_case_number


def get_services(request: Request) -> Services:
    """The :class:`api.services.Services` the lifespan built."""
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_now(services: ServicesDep) -> datetime:
    """The current time, from the services' clock (tests fix it)."""
    return services.clock()


def get_session(services: ServicesDep) -> Iterator[Session]:
    with Session(services.engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
NowDep = Annotated[datetime, Depends(get_now)]
SessionDep = Annotated[Session, Depends(get_session)]


def case_number(number: Annotated[str, PathParam(max_length=40, description="工单号，如 BH20261127-0001")]) -> str:
    """A case number from the path, read by the one case-number parser; 404 when it is not one."""
    parsed = extract_case_number(number)
    if parsed is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"工单 {number} 不存在")
    return parsed


CaseNumber = Annotated[str, Depends(case_number)]

_bearer = HTTPBearer(auto_error=False, description="POST /api/staff/login 取得的令牌")


def current_staff(
    services: ServicesDep,
    session: SessionDep,
    now: NowDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffUser:
    """The staff account of the request's bearer token; 401 without a valid one."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "请先登录", headers={"WWW-Authenticate": "Bearer"}
        )
    user = staff_for_token(session=session, token=credentials.credentials, secret=services.settings.secret_key,
                           now=now)
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


EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


def _reasonable(moment: datetime) -> datetime:
    if not EARLIEST <= moment < LATEST:
        raise ValueError("时间应在 2000 年到 2099 年之间")
    return moment


# A query-string time: with a time zone (a naive one would be read differently by each server) and within
# this century (9999-12-31 would overflow the arithmetic after it): anything else is a 422, never a 500.
Moment = Annotated[AwareDatetime, AfterValidator(_reasonable)]
