"""With Redis, a resident's half-finished report survives a restart of the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy.engine import Engine

from bot.locks import RedisLocks
from bot.storage import RedisStorage
from cases.rules import CaseRules
from dialogs import CaseDesk, build_dispatcher
from geo import GeoService
from nlu import NLU
from reply_templates import default_catalog
from tests.dialogs.conftest import Chat, RecordingRenderer
from tests.dialogs.test_report import LAT, LNG, finish

pytestmark = pytest.mark.anyio


def _server(engine: Engine, tmp_path: Path, nlu: NLU, geo: GeoService, redis: Redis, prefix: str) -> Chat:
    """One server process: its own dispatcher and connections, the shared Redis and database."""
    templates = RecordingRenderer(default_catalog(), engine, refresh_seconds=0)
    desk = CaseDesk(engine=engine, rules=CaseRules(), media_dir=tmp_path / "media", max_photo_bytes=10 << 20)
    dispatcher = build_dispatcher(storage=RedisStorage(redis, prefix=prefix), locks=RedisLocks(redis, prefix=prefix),
                                  dialog_ttl=1800, nlu=nlu, geo=geo, templates=templates, desk=desk,
                                  centre={"hotline": "0551-12345", "office_hours": "工作日"})
    dispatcher.freeze()
    return Chat(dispatcher, templates, engine)


async def test_a_report_continues_after_a_restart(engine: Engine, tmp_path: Path, nlu: NLU, geo: GeoService,
                                                  redis_url: str, redis_prefix: str) -> None:
    before_redis = Redis.from_url(redis_url)
    before = _server(engine, tmp_path, nlu, geo, before_redis, redis_prefix)
    assert (await before.say("小区门口的路灯坏了好几天了")).key == "report.ask_location"
    await before_redis.aclose()  # the server stops

    after_redis = Redis.from_url(redis_url)
    after = _server(engine, tmp_path, nlu, geo, after_redis, redis_prefix)
    located = await after.pin(LAT, LNG)
    assert "report.location_set" in located.keys
    await finish(after)
    await after_redis.aclose()
    assert "路灯" in after.cases()[0].description
