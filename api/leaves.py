"""Loading the leaves at start-up: migrate the database, then the grid layer and the NLU model."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.prepare import nlu_cache_dir, place_names
from api.settings import Settings
from cases.models import StaffUser
from cases.rules import CaseRules
from cases.staff import create_staff
from geo import GeoService
from nlu import NLU

DEMO_STAFF = ("admin", "admin123")


@dataclass(frozen=True)
class Leaves:
    """The loaded domain parts: grid layer and gazetteer, NLU model, case rules (the same for every database)."""

    nlu: NLU
    geo: GeoService
    rules: CaseRules


async def load_leaves(settings: Settings, engine: Engine, clock: Callable[[], datetime]) -> Leaves:
    """Migrate (when configured), seed the sandbox's demo account, then load the leaves off the event loop."""
    if settings.migrate_on_start:
        from api.migrate import upgrade

        await asyncio.to_thread(upgrade, settings.database_url)
    if settings.sandbox_on:
        await asyncio.to_thread(ensure_demo_staff, engine, clock())
    settings.media_dir.mkdir(parents=True, exist_ok=True)
    geo = await asyncio.to_thread(GeoService.load, settings.data_dir)
    # A server has its model trained and cached by a child first (api.app.serving_app): this only loads it.
    nlu = await asyncio.to_thread(NLU.load, extra_words=place_names(geo), cache_dir=nlu_cache_dir(settings.data_dir),
                                  models_dir=settings.data_dir / "nlu-models")
    return Leaves(nlu=nlu, geo=geo, rules=CaseRules())


def ensure_demo_staff(engine: Engine, now: datetime) -> None:
    """While sandboxed, a fresh database gets the demo admin printed by ``make run``."""
    with Session(engine) as session:
        if session.exec(select(StaffUser)).first() is None:
            create_staff(session=session, name=DEMO_STAFF[0], password=DEMO_STAFF[1], role="admin", now=now)
            session.commit()
