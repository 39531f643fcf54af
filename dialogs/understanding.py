"""Outer middlewares shared by every dialog: what the text means, and that the resident was here."""

from __future__ import annotations

from typing import Any, Protocol

from bot.middleware import BaseMiddleware, Handler
from bot.types import Kind, Update
from dialogs.desk import CaseDesk


class Understands(Protocol):
    def understand(self, text: str) -> Any: ...


class MeaningMiddleware(BaseMiddleware):
    """Runs the NLU once per text (or recognised voice) message; handlers and filters read ``meaning``."""

    def __init__(self, nlu: Understands) -> None:
        self.nlu = nlu

    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        text = update.text.strip() if update.kind in (Kind.TEXT, Kind.VOICE) else ""
        data["meaning"] = self.nlu.understand(text) if text else None
        return await handler(update, data)


class SeenMiddleware(BaseMiddleware):
    """Records the resident's last message time (WeChat's 48 h window) without delaying the answer."""

    def __init__(self, desk: CaseDesk) -> None:
        self.desk = desk

    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        if update.kind is not Kind.EVENT or update.event.lower() != "unsubscribe":
            self.desk.seen(update.resident_id, update.channel.value)
        return await handler(update, data)
