"""The ``chat`` fixture: whole conversations through the real dispatcher, NLU, geo, templates and DB.

A resident is simulated at the :class:`~bot.types.Update` level (the WeChat wire is tested in tests/api);
what the resident reads is asserted through the template keys they receive and the database.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

import cases.models  # noqa: F401 - registers the tables
import reply_templates.models  # noqa: F401 - registers the tables
from api.db import make_engine
from bot.dispatcher import Dispatcher
from bot.locks import MemoryLocks
from bot.storage import MemoryStorage
from bot.types import Channel, Kind, Location, Photo, TextMessage, Update
from cases.models import Case
from cases.rules import CaseRules
from dialogs import CaseDesk, build_dispatcher
from geo import GeoService
from nlu import NLU
from reply_templates import Renderer, default_catalog

_ids = itertools.count(1)


class RecordingRenderer(Renderer):
    """The real renderer, remembering which keys it rendered (what the resident was told)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rendered: list[str] = []

    def render(self, key: str, **variables: Any) -> str:
        self.rendered.append(key)
        return super().render(key, **variables)


@dataclass
class Reply:
    keys: list[str]
    texts: list[str]

    @property
    def key(self) -> str:
        return self.keys[-1]

    def __contains__(self, key: str) -> bool:
        return key in self.keys


@dataclass
class Chat:
    dispatcher: Dispatcher
    templates: RecordingRenderer
    engine: Engine
    openid: str = "o-alice"
    channel: Channel = Channel.OFFICIAL_ACCOUNT
    log: list[Reply] = field(default_factory=list)

    async def _feed(self, **fields: Any) -> Reply:
        self.templates.rendered.clear()
        update = Update(resident_id=self.openid, channel=self.channel, message_id=str(next(_ids)), **fields)
        messages = await self.dispatcher.feed_update(update)
        reply = Reply(keys=list(self.templates.rendered),
                      texts=[m.text for m in messages if isinstance(m, TextMessage)])
        self.log.append(reply)
        return reply

    async def say(self, text: str) -> Reply:
        return await self._feed(kind=Kind.TEXT, text=text)

    async def photo(self, colour: str = "red") -> Reply:
        buffer = io.BytesIO()
        Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
        return await self._feed(kind=Kind.IMAGE, photo=Photo(content=buffer.getvalue(), media_id="m"))

    async def pin(self, lat: float, lng: float, label: str = "") -> Reply:
        return await self._feed(kind=Kind.LOCATION, location=Location(lat=lat, lng=lng, label=label))

    async def event(self, event: str, key: str = "", **fields: Any) -> Reply:
        return await self._feed(kind=Kind.EVENT, event=event, event_key=key, **fields)

    def as_resident(self, openid: str) -> Chat:
        return Chat(self.dispatcher, self.templates, self.engine, openid=openid)

    def cases(self) -> list[Case]:
        with Session(self.engine) as session:
            return list(session.exec(select(Case).order_by(Case.id)))  # type: ignore[arg-type]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path}/dialogs.db")
    SQLModel.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def chat(engine: Engine, tmp_path: Path, nlu: NLU, geo: GeoService) -> Chat:
    templates = RecordingRenderer(default_catalog(), engine, refresh_seconds=0)
    desk = CaseDesk(engine=engine, rules=CaseRules(), media_dir=tmp_path / "media", max_photo_bytes=10 << 20)
    dispatcher = build_dispatcher(storage=MemoryStorage(), locks=MemoryLocks(), dialog_ttl=1800, nlu=nlu, geo=geo,
                                  templates=templates, desk=desk,
                                  centre={"hotline": "0551-12345", "office_hours": "工作日 8:30–17:30"})
    dispatcher.freeze()
    return Chat(dispatcher, templates, engine)
