"""The local WeChat stand-in: WeChat's server API and the residents' side, in memory, for the sandbox.

The app mounts it while ``INTAKE_SANDBOX`` is on::

    state = SandboxState(SandboxConfig(appid=…, secret=…, mp_appid=…, mp_secret=…,
                                       callback_url=settings.public_url + "/wechat",
                                       token=…, aes_key=…))
    for router in build_sandbox_routers(state):
        app.include_router(router)

``/sandbox/wechat-api/…`` is WeChat's API (point ``WECHAT_API_BASE`` there); ``/sandbox/api/…`` is
the residents' side and the test helpers (messages log, clock, reset). See ``docs/sandbox.md``.
"""

from __future__ import annotations

from fastapi import APIRouter

from sandbox.residents import build_residents_router
from sandbox.state import SandboxConfig, SandboxState, WeChatFault
from sandbox.wechat_api import build_wechat_api_router

__all__ = ["SandboxConfig", "SandboxState", "WeChatFault", "build_sandbox_routers"]


def build_sandbox_routers(state: SandboxState | SandboxConfig) -> list[APIRouter]:
    """The stand-in's routers, with their prefixes (``/sandbox/wechat-api`` and ``/sandbox/api``).

    Pass a :class:`SandboxState` to keep a handle on it (clock, messages, callback transport).
    """
    if isinstance(state, SandboxConfig):
        state = SandboxState(state)
    return [build_wechat_api_router(state), build_residents_router(state)]
