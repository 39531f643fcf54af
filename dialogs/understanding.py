"""Outer middlewares shared by every dialog: what the text means, and that the resident was here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.middleware import BaseMiddleware, Handler
from bot.types import Kind, Update
from dialogs.desk import CaseDesk
from nlu import NLU, Context, Cue, Intent, IntentReading, Understanding

_INTENT_FIELDS = {"intent": "intent", "cue": "cue", "rating": "rating", "fixed": "fixed",
                  "intent_confidence": "confidence"}


class Meaning:
    """The NLU's reading of a message in the conversation's context, made on first use and at most once.

    Most turns answer a question ("2", "确认", a phone number, a place) and never need the classifier:
    ``intent``, ``cue``, ``rating``, ``fixed`` and ``intent_confidence`` come from the NLU's cheap intent reading;
    the first other attribute (``meaning.majors``, ``meaning.urgent``…) runs the whole understanding.
    """

    __slots__ = ("_nlu", "_reading", "_result", "context", "text")

    def __init__(self, nlu: NLU, text: str, context: Context = Context.IDLE) -> None:
        self._nlu = nlu
        self.text = text
        self.context = context
        self._result: Understanding | None = None
        self._reading: IntentReading | None = None

    def __getattr__(self, name: str) -> Any:
        if name in _INTENT_FIELDS and self._result is None:
            if self._reading is None:
                self._reading = self._nlu.intent(self.text, self.context)
            return getattr(self._reading, _INTENT_FIELDS[name])
        if self._result is None:
            self._result = self._nlu.understand(self.text, self.context)
        return getattr(self._result, name)

    @property
    def computed(self) -> bool:
        return self._result is not None


Reading = Meaning | Understanding
"""The NLU's reading of a message: lazy in a handler (:class:`Meaning`), or made whole beforehand."""


def context_of(raw_state: str | None) -> Context:
    """What the bot last asked, as the NLU needs it to read short replies ("4", "好的", "算了")."""
    if raw_state is None:
        return Context.IDLE
    if raw_state.startswith("Rating:"):
        return Context.RATING_ASKED
    return Context.REPORTING if raw_state.startswith("Report:") else Context.IDLE


def says(*intents: Intent, at_least: float = 0.0) -> Callable[[Update, dict[str, Any]], bool]:
    """A filter predicate: the message's intent (read in context) is one of ``intents``."""

    def check(update: Update, data: dict[str, Any]) -> bool:
        meaning = data.get("meaning")
        return meaning is not None and meaning.intent in intents and meaning.intent_confidence >= at_least

    return check


def cue_of(meaning: Meaning | None) -> Cue | None:
    """How a short reply answers the bot's question (confirm, deny, skip, back, correction), or None."""
    return meaning.cue if meaning is not None else None


class MeaningMiddleware(BaseMiddleware):
    """Gives handlers and filters ``meaning`` (a lazy :class:`Meaning`) for text and recognised voice."""

    def __init__(self, nlu: NLU) -> None:
        self.nlu = nlu

    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        text = update.text.strip() if update.kind in (Kind.TEXT, Kind.VOICE) else ""
        data["meaning"] = Meaning(self.nlu, text, context_of(data.get("raw_state"))) if text else None
        return await handler(update, data)


class SeenMiddleware(BaseMiddleware):
    """Records the resident's last message time (WeChat's 48 h window) without delaying the answer."""

    def __init__(self, desk: CaseDesk) -> None:
        self.desk = desk

    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        if update.kind is not Kind.EVENT or update.event.lower() != "unsubscribe":
            self.desk.seen(update.resident_id, update.channel.value)
        return await handler(update, data)
