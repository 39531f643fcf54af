"""The FastAPI application: the lifespan builds every service from the settings and passes it down."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import worker as outbox
from api.leaves import Leaves
from api.routes import register_routes
from api.services import Clock, DispatcherFactory, Parts, build_services, system_clock
from api.settings import Settings, load_settings
from bot.dispatcher import Dispatcher

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, dispatcher_factory: DispatcherFactory | None = None,
               run_worker: bool = False, clock: Clock = system_clock, leaves: Leaves | None = None) -> FastAPI:
    """Build the app; nothing connects until the lifespan starts.

    ``clock`` is the one source of the current time; ``leaves`` may be handed in already loaded (tests).
    """
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = await build_services(settings, app, dispatcher_factory=dispatcher_factory or default_dispatcher,
                                        clock=clock, leaves=leaves)
        try:
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
    register_routes(app, settings)
    return app


def default_dispatcher(parts: Parts) -> Dispatcher:
    from dialogs import build_dispatcher

    settings, leaves = parts.settings, parts.leaves
    return build_dispatcher(
        storage=parts.storage, locks=parts.locks, dialog_ttl=settings.dialog_ttl_seconds,
        nlu=leaves.nlu, geo=leaves.geo, templates=parts.templates, desk=parts.desk,
        centre={"hotline": settings.centre_hotline, "office_hours": settings.centre_office_hours},
        location_ttl=settings.location_event_ttl_seconds,
    )


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory api.app:app_from_env``."""
    return create_app(load_settings(), run_worker=True)
