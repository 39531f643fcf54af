"""The channel-neutral vocabulary: what a resident sent (:class:`Update`), what we answer (:class:`Outgoing`).

Only the channel adapters know about XML, WeChat field names or the mini-program's JSON; everything past
them sees these frozen, typed objects.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


class Channel(enum.StrEnum):
    OFFICIAL_ACCOUNT = "oa"
    MINI_PROGRAM = "mp"


class Kind(enum.StrEnum):
    TEXT = "text"
    IMAGE = "image"
    VOICE = "voice"
    LOCATION = "location"
    VIDEO = "video"
    LINK = "link"
    EVENT = "event"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Location:
    """A position as the resident's device gave it; ``crs`` is always explicit."""

    lat: float
    lng: float
    crs: str = "gcj02"
    label: str = ""
    precision: float | None = None


@dataclass(frozen=True, slots=True)
class Photo:
    """A photo the channel has already downloaded (media ids expire, so we fetch at once)."""

    content: bytes
    media_id: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class Update:
    """One thing a resident did: a message or an event, on one channel."""

    resident_id: str
    channel: Channel
    kind: Kind
    message_id: str
    time: datetime = field(default_factory=lambda: datetime.now(UTC))
    text: str = ""
    location: Location | None = None
    photo: Photo | None = None
    event: str = ""
    event_key: str = ""
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def dedupe_key(self) -> str:
        """What identifies a retry of this update (MsgId, or sender + CreateTime for events).

        The mini-program's message ids are chosen by each client, so there the resident is part of the key.
        """
        if self.channel is Channel.MINI_PROGRAM:
            return f"{self.channel.value}:{self.message_id}:{self.resident_id}"
        return f"{self.channel.value}:{self.message_id}"


@dataclass(frozen=True, slots=True)
class TextMessage:
    text: str


@dataclass(frozen=True, slots=True)
class ImageMessage:
    media_id: str


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    description: str = ""
    url: str = ""
    image_url: str = ""


@dataclass(frozen=True, slots=True)
class NewsMessage:
    articles: tuple[Article, ...]


Outgoing = TextMessage | ImageMessage | NewsMessage


class Responder:
    """Collects what handlers answer; the first message becomes the passive reply, the rest are pushed."""

    __slots__ = ("messages",)

    def __init__(self) -> None:
        self.messages: list[Outgoing] = []

    def text(self, text: str) -> None:
        if text.strip():
            self.messages.append(TextMessage(text))

    def image(self, media_id: str) -> None:
        self.messages.append(ImageMessage(media_id))

    def news(self, *articles: Article) -> None:
        self.messages.append(NewsMessage(tuple(articles)))
