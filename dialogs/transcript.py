"""The staff's view of a conversation: each message and the bot's answers go to the resident's message log.

Staff answering a hand-over request read the last exchanges; the log is written in batches by the desk,
off the reply path.
"""

from __future__ import annotations

from typing import Any

from bot.middleware import BaseMiddleware, Handler
from bot.types import Kind, TextMessage, Update
from dialogs.desk import CaseDesk

MEDIA = {Kind.IMAGE: "[图片]", Kind.VIDEO: "[视频]", Kind.LINK: "[链接]", Kind.LOCATION: "[位置]"}


def describe(update: Update) -> str | None:
    """What the resident sent, in a line staff read; None for events that are not the resident speaking."""
    if update.kind in (Kind.TEXT, Kind.VOICE):
        return update.text.strip() or ("[语音]" if update.kind is Kind.VOICE else None)
    if update.kind is Kind.LOCATION and update.location is not None:
        label = getattr(update.location, "label", "") or ""
        return f"[位置] {label}".strip()
    if update.kind in MEDIA:
        return MEDIA[update.kind]
    if update.kind is Kind.EVENT and update.event.upper() == "CLICK":
        return f"[菜单] {update.event_key}"
    return None


class TranscriptMiddleware(BaseMiddleware):
    """After the handlers ran, note the message and the texts the bot answered."""

    def __init__(self, desk: CaseDesk) -> None:
        self.desk = desk

    async def __call__(self, handler: Handler, update: Update, data: dict[str, Any]) -> Any:
        result = await handler(update, data)
        said = describe(update)
        if said is not None:
            responder = data.get("responder")
            answers = [m.text for m in getattr(responder, "messages", []) if isinstance(m, TextMessage)]
            self.desk.note_exchange(openid=update.resident_id, channel=update.channel.value,
                                    via=update.kind.value, text=said, answers=answers)
        return result
