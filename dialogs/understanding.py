"""Outer middlewares shared by every dialog: what the text means, and that the resident was here."""

from __future__ import annotations

from typing import Any, Protocol

from bot.middleware import BaseMiddleware, Handler
from bot.types import Kind, Update
from dialogs.desk import CaseDesk


class Understands(Protocol):
    def understand(self, text: str) -> Any: ...


class Meaning:
    """The NLU's reading of a message, made on first use and at most once.

    Most turns answer a question ("2", "确认", a phone number, a place) and never need the classifier;
    the first attribute read (``meaning.intent``, ``meaning.urgent``…) runs it.
    """

    __slots__ = ("_nlu", "_result", "text")

    def __init__(self, nlu: Understands, text: str) -> None:
        self._nlu = nlu
        self.text = text
        self._result: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._result is None:
            self._result = self._nlu.understand(self.text)
        return getattr(self._result, name)

    @property
    def computed(self) -> bool:
        return self._result is not None


class MeaningMiddleware(BaseMiddleware):
    """Gives handlers and filters ``meaning`` (a lazy :class:`Meaning`) for text and recognised voice."""

    def __init__(self, nlu: Understands) -> None:
        self.nlu = nlu

    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        text = update.text.strip() if update.kind in (Kind.TEXT, Kind.VOICE) else ""
        data["meaning"] = Meaning(self.nlu, text) if text else None
        return await handler(update, data)


class SeenMiddleware(BaseMiddleware):
    """Records the resident's last message time (WeChat's 48 h window) without delaying the answer."""

    def __init__(self, desk: CaseDesk) -> None:
        self.desk = desk

    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        if update.kind is not Kind.EVENT or update.event.lower() != "unsubscribe":
            self.desk.seen(update.resident_id, update.channel.value)
        return await handler(update, data)
