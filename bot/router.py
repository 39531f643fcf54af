"""Routers hold handlers in registration order; the first handler whose filters all match wins.

Routers nest with :meth:`Router.include_router`; a parent's handlers are tried before its children's, so
global commands (取消, 帮助) registered on the dispatcher come first.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.errors import HandlerSignatureError
from bot.filters import Filter
from bot.middleware import BaseMiddleware
from bot.types import Update

HandlerFunction = Callable[..., Awaitable[Any]]


@dataclass(slots=True)
class HandlerObject:
    callback: HandlerFunction
    filters: tuple[Filter, ...]
    router: Router
    parameters: tuple[str, ...] = field(init=False)
    takes_kwargs: bool = field(init=False)

    def __post_init__(self) -> None:
        signature = inspect.signature(self.callback)
        self.parameters = tuple(
            name for name, p in signature.parameters.items()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        )
        self.takes_kwargs = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())

    @property
    def name(self) -> str:
        return f"{self.callback.__module__}.{self.callback.__qualname__}"

    async def match(self, update: Update, data: dict[str, Any]) -> dict[str, Any] | None:
        extra: dict[str, Any] = {}
        for check in self.filters:
            result = await check(update, data)
            if not result:
                return None
            if isinstance(result, dict):
                extra.update(result)
        return extra

    async def call(self, data: dict[str, Any]) -> Any:
        if self.takes_kwargs:
            return await self.callback(**data)
        return await self.callback(**{name: data[name] for name in self.parameters})

    def check(self, available: set[str]) -> None:
        provided = available | {name for f in self.filters for name in f.provides}
        missing = [name for name in self.parameters if name not in provided]
        if missing:
            raise HandlerSignatureError(
                f"handler {self.name} asks for {', '.join(missing)}; available: {', '.join(sorted(provided))}"
            )


class Router:
    def __init__(self, name: str = "") -> None:
        self.name = name
        self.handlers: list[HandlerObject] = []
        self.children: list[Router] = []
        self.inner_middlewares: list[BaseMiddleware] = []

    def handler(self, *filters: Filter) -> Callable[[HandlerFunction], HandlerFunction]:
        """Register the decorated coroutine for updates matching all ``filters``."""

        def register(callback: HandlerFunction) -> HandlerFunction:
            if not inspect.iscoroutinefunction(callback):
                raise HandlerSignatureError(f"handler {callback.__qualname__} must be `async def`")
            self.handlers.append(HandlerObject(callback, tuple(filters), self))
            return callback

        return register

    def include_router(self, router: Router) -> Router:
        if router is self or router in self.children:
            raise ValueError(f"router {router.name!r} is already included")
        self.children.append(router)
        return router

    def inner_middleware(self, middleware: BaseMiddleware) -> BaseMiddleware:
        self.inner_middlewares.append(middleware)
        return middleware

    def walk(self) -> Iterator[HandlerObject]:
        """Every handler in priority order: this router's first, then each child's, depth first."""
        yield from self.handlers
        for child in self.children:
            yield from child.walk()

    def chain(self) -> Iterator[Router]:
        yield self
        for child in self.children:
            yield from child.chain()
