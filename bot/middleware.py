"""Middlewares wrap update handling: *outer* ones every update, *inner* ones only a matched handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.types import Update

Handler = Callable[[Update, dict[str, Any]], Awaitable[Any]]


class BaseMiddleware:
    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        return await handler(update, data)


def wrap(middlewares: list[BaseMiddleware], handler: Handler) -> Handler:
    """Compose middlewares around ``handler``, the first registered outermost."""
    for middleware in reversed(middlewares):
        handler = _bind(middleware, handler)
    return handler


def _bind(middleware: BaseMiddleware, handler: Handler) -> Handler:
    async def call(update: Update, data: dict[str, Any]) -> Any:
        return await middleware(handler, update, data)

    return call
