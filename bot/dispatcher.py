"""The dispatcher: takes the resident's lock, loads their dialog state, runs middlewares and the first
matching handler, and returns what the handlers answered.

Handlers receive their parameters by name from: ``update``, ``state`` (:class:`FSMContext`), ``responder``
(:class:`Responder`), ``raw_state`` (the state name before the handler ran), the dispatcher's workflow data
(services given at construction) and what filters or outer middlewares provide. Every handler's parameters
are checked by :meth:`Dispatcher.freeze` at start-up: a typo fails the start, not a resident's message.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.errors import HandlerSignatureError, SkipHandler
from bot.fsm import FSMContext
from bot.locks import MemoryLocks, ResidentLocks
from bot.middleware import BaseMiddleware, wrap
from bot.router import HandlerObject, Router
from bot.storage import BaseStorage, MemoryStorage, StorageKey
from bot.types import Outgoing, Responder, Update

log = logging.getLogger(__name__)

BUILTINS = frozenset({"update", "state", "responder", "raw_state", "data"})
ErrorHandler = Callable[[Update, BaseException, Responder], Awaitable[None]]


class Dispatcher(Router):
    def __init__(
        self,
        *,
        storage: BaseStorage | None = None,
        locks: ResidentLocks | None = None,
        dialog_ttl: int = 30 * 60,
        on_error: ErrorHandler | None = None,
        **workflow_data: Any,
    ) -> None:
        super().__init__(name="dispatcher")
        self.storage = storage or MemoryStorage()
        self.locks = locks or MemoryLocks()
        self.dialog_ttl = dialog_ttl
        self.on_error = on_error
        self.workflow_data: dict[str, Any] = dict(workflow_data)
        self.outer_middlewares: list[BaseMiddleware] = []
        self.middleware_provides: set[str] = set()
        self._plan: list[tuple[HandlerObject, list[BaseMiddleware]]] | None = None

    def __setitem__(self, name: str, value: Any) -> None:
        self.workflow_data[name] = value
        self._plan = None

    def __getitem__(self, name: str) -> Any:
        return self.workflow_data[name]

    def outer_middleware(self, middleware: BaseMiddleware, *, provides: tuple[str, ...] = ()) -> None:
        self.outer_middlewares.append(middleware)
        self.middleware_provides.update(provides)
        self._plan = None

    def freeze(self) -> None:
        """Resolve handler order and middlewares, and check every handler's parameters."""
        available = set(BUILTINS) | set(self.workflow_data) | self.middleware_provides
        plan: list[tuple[HandlerObject, list[BaseMiddleware]]] = []

        def visit(router: Router, inherited: list[BaseMiddleware]) -> None:
            middlewares = inherited + router.inner_middlewares
            for handler in router.handlers:
                handler.check(available)
                plan.append((handler, middlewares))
            for child in router.children:
                visit(child, middlewares)

        visit(self, [])
        if not plan:
            raise HandlerSignatureError("the dispatcher has no handlers")
        self._plan = plan

    async def feed_update(self, update: Update, **extra: Any) -> list[Outgoing]:
        """Handle one update; returns the messages to send, the first being the passive reply."""
        if self._plan is None:
            self.freeze()
        responder = Responder()
        key = StorageKey(update.channel.value, update.resident_id)
        async with self.locks.hold(str(key)):
            state = FSMContext(self.storage, key, ttl=self.dialog_ttl)
            await state.load()
            data = {**self.workflow_data, **extra, "update": update, "state": state,
                    "responder": responder, "raw_state": await state.get_state()}
            data["data"] = data
            try:
                await wrap(self.outer_middlewares, self._route)(update, data)
            except Exception as exc:
                log.exception("handling update %s of %s failed", update.message_id, update.resident_id)
                if self.on_error is None:
                    raise
                responder.messages.clear()
                await self.on_error(update, exc, responder)
        return responder.messages

    async def _route(self, update: Update, data: dict[str, Any]) -> Any:
        assert self._plan is not None
        for handler, middlewares in self._plan:
            extra = await handler.match(update, data)
            if extra is None:
                continue
            data.update(extra)
            try:
                result = await wrap(middlewares, _caller(handler))(update, data)
            except SkipHandler:
                continue
            await data["state"].touch()
            return result
        return None


def _caller(handler: HandlerObject) -> Callable[[Update, dict[str, Any]], Awaitable[Any]]:
    async def call(_update: Update, data: dict[str, Any]) -> Any:
        return await handler.call(data)

    return call
