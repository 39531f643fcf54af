"""A reply template renders in a worker thread: a slow template never stalls other residents' messages."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from bot.types import Responder, TextMessage
from dialogs.say import Say, SayMiddleware

pytestmark = pytest.mark.anyio


class SlowTemplate:
    """Renders only once the event loop has run something else meanwhile (a render that takes a while)."""

    def __init__(self) -> None:
        self.loop_ran = threading.Event()

    def render(self, key: str, **variables: Any) -> str:
        if not self.loop_ran.wait(timeout=5):
            return "the event loop was blocked while rendering"
        return f"{key}:{variables.get('n', '')}"


async def test_rendering_leaves_the_event_loop_free_and_keeps_the_order() -> None:
    templates = SlowTemplate()
    responder = Responder()

    async def handler(_update: Any, data: dict[str, Any]) -> None:
        say: Say = data["say"]
        say("report.ask_location")
        say("report.ask_phone", n=2)

    async def other_resident() -> None:
        await asyncio.sleep(0.01)
        templates.loop_ran.set()

    await asyncio.gather(SayMiddleware(templates)(handler, None, {"responder": responder}),  # type: ignore[arg-type]
                         other_resident())
    assert responder.messages == [TextMessage("report.ask_location:"), TextMessage("report.ask_phone:2")]
