"""Every router of the app, registered in one place (:func:`register_routes`).

    /wechat                      api.wechat             the official account's callback
    /healthz, /metrics           api.routes.health
    /api/geo                     api.routes.geo         the grid layer for the console's map
    /api/staff/…                 api.routes.staff.*     auth, cases, case actions, inbox, exports, reports, templates;
                                                        session and accounts, dispatch and departments, the
                                                        field (departments, grid workers), hand-over,
                                                        supervision, statistics and the case map
    /api/mp/…                    api.routes.mp.*        auth, chat, reports, cases
    /api/staff/api-clients, /api/staff/webhooks, /api/staff/stats/channels
                                 api.routes.staff.integration   other systems' keys and endpoints
    /api/staff/webhooks/dead     api.routes.staff.hook_letters  webhooks that could not be delivered
    /open311/v2/…                api.routes.open311     Open311 GeoReport v2 for other systems
    /api/platform/v1/…           api.routes.platform    the centre's platform's signed status calls
    /staff                       api.console            the staff console's pages
    /sandbox/…                   api.sandbox, api.simulator (only while sandboxed)
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles

from api.settings import Settings


def register_routes(app: FastAPI, settings: Settings) -> None:
    from api import wechat
    from api.console import STATIC_DIR as CONSOLE_STATIC
    from api.console import console_router
    from api.routes import geo, health, open311, platform
    from api.routes.mp import auth as mp_auth
    from api.routes.mp import cases as mp_cases
    from api.routes.mp import chat as mp_chat
    from api.routes.mp import reports as mp_reports
    from api.routes.staff import (
        accounts,
        auth,
        case_actions,
        cases,
        dispatch,
        exports,
        field,
        handover,
        hook_letters,
        inbox,
        integration,
        reports,
        stats,
        supervision,
        templates,
    )
    from api.ui import validation_error
    from dialogs.open311 import Open311Error

    for module in (wechat, health, geo, auth, accounts, exports, stats, cases, case_actions, dispatch, field,
                   handover, supervision, inbox, reports, templates, mp_auth, mp_chat, mp_reports, mp_cases,
                   integration, hook_letters, open311, platform):
        app.include_router(module.router)
    app.include_router(console_router)
    app.mount("/staff/static", StaticFiles(directory=CONSOLE_STATIC), name="console-static")
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Open311Error, open311.error)
    if settings.sandbox_on:
        _mount_sandbox(app, settings)


def _mount_sandbox(app: FastAPI, settings: Settings) -> None:
    """The local WeChat stand-in (WeChat's server API and the residents' side) and the resident simulator."""
    import httpx

    from api.simulator import STATIC_DIR as SIMULATOR_STATIC
    from api.simulator import simulator_router
    from sandbox import SandboxConfig, SandboxState, build_sandbox_routers

    state = SandboxState(SandboxConfig(
        appid=settings.wechat_appid, secret=settings.wechat_secret,
        mp_appid=settings.mp_appid, mp_secret=settings.mp_secret,
        callback_url=settings.public_url.rstrip("/") + "/wechat",
        token=settings.wechat_token, aes_key=settings.wechat_aes_key,
        callback_transport=httpx.ASGITransport(app=app),
    ))
    for router in build_sandbox_routers(state):
        app.include_router(router)
    app.include_router(simulator_router)
    app.mount("/sandbox/static", StaticFiles(directory=SIMULATOR_STATIC), name="simulator-static")
