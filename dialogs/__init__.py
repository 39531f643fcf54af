"""The conversations: report (steps, draft, problems, filing), corrections, danger, status, rating, menu/help.

:func:`build_dispatcher` assembles them in priority order: a rating after a close push (it must read "1",
"满意" or "修好了" before anything else does), commands that work anywhere (取消, 帮助, 人工), then danger (a
message telling of danger to people, at any step), rating, status, corrections to a report in progress, report,
and the menu's fallback, which makes sure no message goes unanswered.
"""

from __future__ import annotations

import asyncio

from bot.dispatcher import Dispatcher
from bot.locks import ResidentLocks
from bot.storage import BaseStorage
from bot.types import Responder, Update
from dialogs import corrections, danger, menu, rating, report, status
from dialogs.desk import CaseDesk
from dialogs.say import SayMiddleware, TemplateRenderer
from dialogs.transcript import TranscriptMiddleware
from dialogs.understanding import MeaningMiddleware, SeenMiddleware
from geo import GeoService
from nlu import NLU

__all__ = ["CaseDesk", "build_dispatcher"]


def build_dispatcher(*, storage: BaseStorage, locks: ResidentLocks, dialog_ttl: int, nlu: NLU,
                     geo: GeoService, templates: TemplateRenderer, desk: CaseDesk, centre: dict[str, str],
                     location_ttl: int = 300) -> Dispatcher:
    """A dispatcher with every dialog, ready to :meth:`~bot.dispatcher.Dispatcher.freeze`."""

    async def on_error(update: Update, exc: BaseException, responder: Responder) -> None:
        responder.text(await asyncio.to_thread(templates.render, "system.error"))

    dispatcher = Dispatcher(storage=storage, locks=locks, dialog_ttl=dialog_ttl, on_error=on_error,
                            nlu=nlu, geo=geo, desk=desk, centre=centre, location_ttl=location_ttl)
    dispatcher.outer_middleware(SeenMiddleware(desk))
    dispatcher.outer_middleware(TranscriptMiddleware(desk))
    dispatcher.outer_middleware(MeaningMiddleware(nlu), provides=("meaning",))
    dispatcher.outer_middleware(SayMiddleware(templates), provides=("say",))
    dispatcher.include_router(rating.after_close)
    dispatcher.include_router(menu.commands)
    dispatcher.include_router(danger.router)
    dispatcher.include_router(rating.router)
    dispatcher.include_router(status.router)
    dispatcher.include_router(corrections.router)
    dispatcher.include_router(report.router)
    dispatcher.include_router(menu.fallback)
    return dispatcher


