"""The mini-program channel: its chat messages (JSON) in, our :class:`~bot.types.Update`; answers out as JSON.

The mini-program posts one message per request (``POST /api/mp/chat``) and reads every answer from the
response, so, unlike the official account, nothing is ever delivered later. A message carries the client's
``message_id``; a repeat of it (the phone resending on a flaky network) is the same update.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from bot.errors import UnreadableChat
from bot.types import Channel, ImageMessage, Kind, Location, NewsMessage, Outgoing, Photo, TextMessage, Update

# Why a chat message cannot be read (``UnreadableChat.reason``).
EMPTY_TEXT = "empty_text"
NO_POINT = "location_needs_point"
BAD_IMAGE = "image_not_base64"
NO_IMAGE = "image_missing"
IMAGE_TOO_BIG = "image_too_big"
NO_EVENT = "event_missing"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """One chat message as the mini-program sends it (its shape already checked by the API)."""

    message_id: str
    kind: str = "text"  # text | location | image | event
    text: str | None = None
    lat: float | None = None
    lng: float | None = None
    crs: str = "gcj02"
    label: str = ""
    image_base64: str | None = None
    event: str | None = None
    key: str | None = None


class MiniProgram:
    """Reads the mini-program's chat messages and writes its answers."""

    def __init__(self, *, max_photo_bytes: int) -> None:
        self.max_photo_bytes = max_photo_bytes

    def read(self, openid: str, message: ChatMessage) -> Update:
        """The update of ``openid``'s message; :class:`UnreadableChat` when its kind lacks what it needs."""
        common: dict[str, Any] = {"resident_id": openid, "channel": Channel.MINI_PROGRAM,
                                  "message_id": message.message_id}
        if message.kind == "text":
            text = (message.text or "").strip()
            if not text:
                raise UnreadableChat(EMPTY_TEXT)
            return Update(kind=Kind.TEXT, text=text, **common)
        if message.kind == "location":
            if message.lat is None or message.lng is None:
                raise UnreadableChat(NO_POINT)
            return Update(kind=Kind.LOCATION, location=Location(lat=message.lat, lng=message.lng, crs=message.crs,
                                                                label=message.label), **common)
        if message.kind == "image":
            return Update(kind=Kind.IMAGE, photo=Photo(content=self._image(message.image_base64)), **common)
        if not message.event:
            raise UnreadableChat(NO_EVENT)
        return Update(kind=Kind.EVENT, event=message.event, event_key=message.key or "", **common)

    def _image(self, encoded: str | None) -> bytes:
        try:
            content = base64.b64decode(encoded or "", validate=True)
        except binascii.Error:
            raise UnreadableChat(BAD_IMAGE) from None
        if not content:
            raise UnreadableChat(NO_IMAGE)
        if len(content) > self.max_photo_bytes:
            raise UnreadableChat(IMAGE_TOO_BIG)
        return content

    @staticmethod
    def messages(answers: list[Outgoing]) -> list[dict[str, Any]]:
        """The answers as the mini-program renders them."""
        return [_message(answer) for answer in answers]

    @staticmethod
    def render(answers: list[Outgoing]) -> str:
        """The answers as one JSON text (what a repeat of the message gets back, too)."""
        return json.dumps(MiniProgram.messages(answers), ensure_ascii=False)


def _message(message: Outgoing) -> dict[str, Any]:
    if isinstance(message, TextMessage):
        return {"type": "text", "text": message.text}
    if isinstance(message, ImageMessage):
        return {"type": "image", "media_id": message.media_id}
    assert isinstance(message, NewsMessage)
    return {"type": "news", "articles": [{"title": a.title, "description": a.description, "url": a.url,
                                          "image_url": a.image_url} for a in message.articles]}


__all__ = ["ChatMessage", "MiniProgram", "UnreadableChat"]
