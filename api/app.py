"""The FastAPI application: the lifespan builds every service from the settings and passes it down."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api import worker as outbox
from api.docs import mount_docs
from api.guard import RequestGuard
from api.leaves import Leaves
from api.memory import release_free_memory, release_now_and_then
from api.prepare import prepare_in_child
from api.routes import register_routes
from api.services import Clock, DispatcherFactory, Parts, build_services, system_clock
from api.settings import Settings, load_settings
from bot.dispatcher import Dispatcher
from dialogs.form import MAX_PHOTOS

log = logging.getLogger(__name__)
# Threads for blocking work (database calls, photos, start-up loading). The event loop is the only thread that
# needs the CPU; each further thread costs GIL hand-overs and a glibc arena of its own whose freed memory other
# threads cannot reuse. Two instead of asyncio's default (cores + 4): 16 MB less RSS after 4,000 messages.
WORKER_THREADS = 2


def create_app(settings: Settings | None = None, *, dispatcher_factory: DispatcherFactory | None = None,
               run_worker: bool = False, clock: Clock = system_clock, leaves: Leaves | None = None) -> FastAPI:
    """Build the app; nothing connects until the lifespan starts.

    ``clock`` is the one source of the current time; ``leaves`` may be handed in already loaded (tests).
    """
    settings = settings or load_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        asyncio.get_running_loop().set_default_executor(
            ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="intake-worker"))
        services = await build_services(settings, app, dispatcher_factory=dispatcher_factory or default_dispatcher,
                                        clock=clock, leaves=leaves)
        try:
            app.state.services = services
            # The NLU dictionary, the grid index and the gazetteer are millions of long-lived objects:
            # moving them out of the collector's reach keeps full collections from pausing every request.
            gc.collect()
            gc.freeze()
            release_free_memory()
            stop = asyncio.Event()
            worker = asyncio.create_task(outbox.run_worker(services, stop=stop)) if run_worker else None
            trimmer = asyncio.create_task(release_now_and_then(stop))
            try:
                yield
            finally:
                stop.set()
                await trimmer
                if worker is not None:
                    await worker
        finally:
            await services.close()

    app = FastAPI(title="共治 Gongzhi Intake", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    mount_docs(app)
    app.state.settings = settings
    register_routes(app, settings)
    app.add_middleware(RequestGuard, default_limit=settings.max_request_bytes, limits=request_limits(settings),
                       metrics_token=settings.metrics_token or None, signed={PLATFORM_PREFIX: b"x-gongzhi-signature"})
    return app


PLATFORM_PREFIX = "/api/platform"  # the centre's platform's signed status calls (api/routes/platform.py)


def request_limits(settings: Settings) -> dict[str, int]:
    """Body limits per path prefix: room for each route's photos, then whatever the settings say."""
    slack = 1024 * 1024
    photo = settings.max_photo_bytes
    return {
        "/wechat": settings.max_body_bytes,
        "/api/mp/reports": MAX_PHOTOS * photo + slack,
        "/api/mp/chat": photo * 4 // 3 + slack,  # one photo in base64
        "/sandbox": 2 * photo + slack,  # the stand-in's media uploads
        PLATFORM_PREFIX: settings.platform_max_body_bytes,  # signed status calls with photos in base64
        **settings.request_limits,
    }


def default_dispatcher(parts: Parts) -> Dispatcher:
    from dialogs import build_dispatcher

    settings, leaves = parts.settings, parts.leaves
    return build_dispatcher(
        storage=parts.storage, locks=parts.locks, dialog_ttl=settings.dialog_ttl_seconds,
        nlu=leaves.nlu, geo=leaves.geo, templates=parts.templates, desk=parts.desk,
        centre={"hotline": settings.centre_hotline, "office_hours": settings.centre_office_hours},
        location_ttl=settings.location_event_ttl_seconds,
    )


def serving_app(settings: Settings, *, run_worker: bool) -> FastAPI:
    """The app of a server process (``intake serve``, the uvicorn factory).

    Migrations and, on a fresh data folder, the NLU model's training run in a child process first, so the
    server never imports Alembic or scikit-learn and holds none of their garbage. Tests and other embedders
    call :func:`create_app`, which migrates and loads (training on a cache miss) in-process.
    """
    prepare_in_child(data_dir=settings.data_dir, database_url=settings.database_url)
    return create_app(settings.model_copy(update={"migrate_on_start": False}), run_worker=run_worker)


def app_from_env() -> FastAPI:
    """Factory for ``uvicorn --factory api.app:app_from_env``."""
    return serving_app(load_settings(), run_worker=True)
