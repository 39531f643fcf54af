"""The FastAPI application: the lifespan builds every service from the settings and passes it down."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from api import wechat
from api import worker as outbox
from api.routes import geo as geo_routes
from api.routes import health, staff_cases, staff_templates
from api.services import Services, build_runtime
from api.settings import Settings, load_settings
from api.ui import mount_ui
from bot.dispatcher import Dispatcher

log = logging.getLogger(__name__)
DispatcherFactory = Callable[[Services], Dispatcher]


def create_app(settings: Settings | None = None, *, dispatcher_factory: DispatcherFactory | None = None,
               run_worker: bool = False) -> FastAPI:
    """Build the app; nothing connects until the lifespan starts."""
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_runtime(settings, app)
        try:
            await _build_leaves(services)
            factory = dispatcher_factory or _default_dispatcher
            services.dispatcher = factory(services)
            services.dispatcher.freeze()
            app.state.services = services
            # The NLU dictionary, the grid index and the gazetteer are millions of long-lived objects:
            # moving them out of the collector's reach keeps full collections from pausing every request.
            gc.collect()
            gc.freeze()
            stop = asyncio.Event()
            worker = asyncio.create_task(outbox.run_worker(services, stop=stop)) if run_worker else None
            try:
                yield
            finally:
                stop.set()
                if worker is not None:
                    await worker
        finally:
            await services.close()

    app = FastAPI(title="共治 Gongzhi Intake", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.include_router(wechat.router)
    app.include_router(health.router)
    app.include_router(geo_routes.router)
    app.include_router(staff_cases.router)
    app.include_router(staff_templates.router)
    if settings.sandbox_on:
        _mount_sandbox(app, settings)
    mount_ui(app, settings)
    return app


def _mount_sandbox(app: FastAPI, settings: Settings) -> None:
    """The local WeChat stand-in: WeChat's server API and the residents' side (see docs/sandbox.md)."""
    import httpx

    from api.sandbox import SandboxConfig, SandboxState, build_sandbox_routers

    state = SandboxState(SandboxConfig(
        appid=settings.wechat_appid, secret=settings.wechat_secret,
        mp_appid=settings.mp_appid, mp_secret=settings.mp_secret,
        callback_url=settings.public_url.rstrip("/") + "/wechat",
        token=settings.wechat_token, aes_key=settings.wechat_aes_key,
        callback_transport=httpx.ASGITransport(app=app),
    ))
    app.state.sandbox = state
    for router in build_sandbox_routers(state):
        app.include_router(router)


async def _build_leaves(services: Services) -> None:
    """Migrate the database, then load the leaves: grid layer, NLU model, reply templates, case desk."""
    from cases.rules import CaseRules
    from dialogs import CaseDesk
    from geo import GeoService
    from nlu import NLU
    from reply_templates import Renderer, default_catalog

    settings = services.settings
    if settings.migrate_on_start:
        from api.migrate import upgrade

        await asyncio.to_thread(upgrade, settings.database_url)
    if settings.sandbox_on:
        await asyncio.to_thread(_ensure_demo_staff, services)
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    services.geo = await asyncio.to_thread(GeoService.load, settings.data_dir)
    place_names = [place.name for place in services.geo.snapshot.places]
    services.nlu = await asyncio.to_thread(NLU.load, extra_words=place_names, cache_dir=settings.data_dir / "nlu-cache")
    services.templates = Renderer(default_catalog(), services.engine, settings.template_refresh_seconds)
    services.rules = CaseRules()
    services.desk = CaseDesk(engine=services.engine, rules=services.rules, media_dir=settings.media_dir,
                             max_photo_bytes=settings.max_photo_bytes)


DEMO_STAFF = ("admin", "admin123")


def _ensure_demo_staff(services: Services) -> None:
    """While sandboxed, a fresh database gets the demo admin printed by ``make run``."""
    from datetime import UTC, datetime

    from sqlmodel import Session, select

    from cases.models import StaffUser
    from cases.staff import create_staff

    with Session(services.engine) as session:
        if session.exec(select(StaffUser)).first() is None:
            create_staff(session=session, name=DEMO_STAFF[0], password=DEMO_STAFF[1], role="admin",
                         now=datetime.now(UTC))
            session.commit()


def _default_dispatcher(services: Services) -> Dispatcher:
    from dialogs import build_dispatcher

    settings = services.settings
    return build_dispatcher(
        storage=services.storage, locks=services.locks, dialog_ttl=settings.dialog_ttl_seconds,
        nlu=services.nlu, geo=services.geo, templates=services.templates, desk=services.desk,
        centre={"hotline": settings.centre_hotline, "office_hours": settings.centre_office_hours},
        location_ttl=settings.location_event_ttl_seconds,
    )


def app_from_env() -> Any:
    """Factory for ``uvicorn --factory api.app:app_from_env``."""
    return create_app(load_settings(), run_worker=True)
