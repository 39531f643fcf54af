"""How dialogs speak: every sentence through a reply template, never a literal string in a handler.

Templates are staff-written code: even bounded, a render may take a while, and it may query the database
for edited versions. So a handler's ``say(...)`` only records the key and values; once the handler has
returned, :class:`SayMiddleware` renders them all in one worker thread, off the event loop.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Any, Protocol

from bot.middleware import BaseMiddleware, Handler
from bot.text import normalise
from bot.types import Responder, Update
from cases import mask_phone


class TemplateRenderer(Protocol):
    def render(self, key: str, **variables: Any) -> str: ...


class Say:
    """``say("report.ask_location")`` queues the staff-edited template for the resident, in order."""

    __slots__ = ("keys", "pending", "responder", "templates")

    def __init__(self, templates: TemplateRenderer, responder: Responder) -> None:
        self.templates = templates
        self.responder = responder
        self.keys: list[str] = []
        self.pending: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, key: str, /, **variables: Any) -> None:
        self.keys.append(key)
        self.pending.append((key, variables))

    def _render_pending(self) -> list[str]:
        return [self.templates.render(key, **variables) for key, variables in self.pending]

    async def flush(self) -> list[str]:
        """Render what was said (in a worker thread), hand it to the responder and return it."""
        if not self.pending:
            return []
        texts = await asyncio.to_thread(self._render_pending)
        self.pending.clear()
        for text in texts:
            self.responder.text(text)
        return texts


class SayMiddleware(BaseMiddleware):
    """Gives every handler a :class:`Say` bound to this update's responder."""

    def __init__(self, templates: TemplateRenderer) -> None:
        self.templates = templates

    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        say = data["say"] = Say(self.templates, data["responder"])
        result = await handler(update, data)
        await say.flush()
        return result


def masked(phone: str | None) -> str:
    """A phone as the resident may see it echoed (138****5678), or "" when there is none."""
    return mask_phone(phone) or ""


DISPLAY_CHARS = 200  # a description is echoed at most this long; the case keeps every word


def shorten(text: str, limit: int = DISPLAY_CHARS) -> str:
    """``text`` for display in a reply: cut with an ellipsis so the rest of the message still fits."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_CHOICE = re.compile(r"^\s*(?:第\s*)?([1-9])\s*(?:个|项|号)?\s*$")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def pick_number(text: str, count: int) -> int | None:
    """The 1-based choice in a reply like "2", "第二个", "２" — or None when it is not a choice."""
    cleaned = normalise(text)
    for word, digit in _CN_DIGITS.items():
        if cleaned in (word, f"第{word}", f"第{word}个", f"{word}号"):
            cleaned = str(digit)
    found = _CHOICE.match(cleaned)
    if not found:
        return None
    number = int(found.group(1))
    return number if 1 <= number <= count else None


def numbered(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"n": index, **item} for index, item in enumerate(items, start=1)]
