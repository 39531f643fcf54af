"""FastAPI dependencies shared by the routers: the services built in the lifespan, a DB session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session

from api.settings import Settings


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
