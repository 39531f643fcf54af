"""Composable filters: ``Kind``, ``Keywords``, ``StateIs``, ``EventIs``, ``Regex``; combine with & | ~.

A filter is called with the update and the handler data; it returns False (no match), True, or a dict
whose items are merged into the handler's keyword arguments. Filters declare in ``provides`` the names
they may add, so the dispatcher can check handler signatures at start-up.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from bot.fsm import State, StatesGroup
from bot.text import normalise
from bot.types import Kind as UpdateKind
from bot.types import Update

FilterResult = bool | dict[str, Any]


class Filter:
    provides: tuple[str, ...] = ()

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        raise NotImplementedError

    def __and__(self, other: Filter) -> Filter:
        return _All((self, other))

    def __or__(self, other: Filter) -> Filter:
        return _Any((self, other))

    def __invert__(self) -> Filter:
        return _Not(self)


class _All(Filter):
    def __init__(self, parts: Iterable[Filter]) -> None:
        self.parts = tuple(parts)
        self.provides = tuple(name for part in self.parts for name in part.provides)

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        merged: dict[str, Any] = {}
        for part in self.parts:
            result = await part(update, data)
            if not result:
                return False
            if isinstance(result, dict):
                merged.update(result)
        return merged or True


class _Any(Filter):
    def __init__(self, parts: Iterable[Filter]) -> None:
        self.parts = tuple(parts)
        self.provides = tuple(name for part in self.parts for name in part.provides)

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        for part in self.parts:
            result = await part(update, data)
            if result:
                return result
        return False


class _Not(Filter):
    def __init__(self, inner: Filter) -> None:
        self.inner = inner

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        return not await self.inner(update, data)


class Kind(Filter):
    """Matches updates of the given kinds (text, image, location…)."""

    def __init__(self, *kinds: UpdateKind) -> None:
        self.kinds = frozenset(kinds)

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        return update.kind in self.kinds


class Keywords(Filter):
    """Text (or menu CLICK key) equal to one of ``exact``, or containing one of ``contains``."""

    def __init__(self, exact: Iterable[str] = (), contains: Iterable[str] = (),
                 click_keys: Iterable[str] = ()) -> None:
        self.exact = frozenset(normalise(word) for word in exact)
        self.contains = tuple(normalise(word) for word in contains)
        self.click_keys = frozenset(click_keys)

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        if update.kind is UpdateKind.EVENT:
            return update.event.upper() == "CLICK" and update.event_key in self.click_keys
        if update.kind not in (UpdateKind.TEXT, UpdateKind.VOICE):
            return False
        text = normalise(update.text)
        return text in self.exact or any(word in text for word in self.contains)


class StateIs(Filter):
    """The resident's dialog is in one of these states (``None``: no dialog; ``"*"``: any state)."""

    def __init__(self, *states: State | type[StatesGroup] | str | None) -> None:
        # Resolved once: the names of every state wanted (groups expanded), whether no dialog or any state is.
        self.any = "*" in states
        self.idle = None in states
        names: set[str] = set()
        for wanted in states:
            if isinstance(wanted, type) and issubclass(wanted, StatesGroup):
                names.update(state.name for state in wanted.states)
            elif isinstance(wanted, State | str) and wanted != "*":
                names.add(str(wanted))
        self.names = frozenset(names)

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        if self.any:
            return True
        current = await data["state"].get_state()
        return self.idle if current is None else current in self.names


class EventIs(Filter):
    """A WeChat event (subscribe, CLICK, LOCATION…), optionally with one of the given keys."""

    def __init__(self, *events: str, keys: Iterable[str] = ()) -> None:
        self.events = frozenset(event.upper() for event in events)
        self.keys = frozenset(keys)

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        if update.kind is not UpdateKind.EVENT or update.event.upper() not in self.events:
            return False
        return not self.keys or update.event_key in self.keys


class Regex(Filter):
    """Text matching ``pattern``; the match is passed to the handler as ``match``."""

    provides = ("match",)

    def __init__(self, pattern: str | re.Pattern[str]) -> None:
        self.pattern = re.compile(pattern) if isinstance(pattern, str) else pattern

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        if update.kind not in (UpdateKind.TEXT, UpdateKind.VOICE):
            return False
        found = self.pattern.search(unicodedata.normalize("NFKC", update.text))
        return {"match": found} if found else False


class Predicate(Filter):
    """Any async or sync function of (update, data) as a filter."""

    def __init__(self, function: Callable[[Update, dict[str, Any]], FilterResult | Awaitable[FilterResult]],
                 provides: tuple[str, ...] = ()) -> None:
        self.function = function
        self.provides = provides

    async def __call__(self, update: Update, data: dict[str, Any]) -> FilterResult:
        result = self.function(update, data)
        if isinstance(result, Awaitable):
            result = await result
        return result
