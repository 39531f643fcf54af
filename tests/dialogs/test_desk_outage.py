"""A database outage does not lose the batch of residents' last-message times (WeChat's 48 h window)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel, select

import cases.models  # noqa: F401 - registers the tables
from api.db import make_engine
from cases.models import Resident
from cases.rules import CaseRules
from dialogs import CaseDesk

pytestmark = pytest.mark.anyio
SEEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


async def test_the_last_seen_batch_survives_a_failed_write_and_is_written_later(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/seen.db")
    SQLModel.metadata.create_all(engine)
    residents = SQLModel.metadata.tables[Resident.__tablename__]
    desk = CaseDesk(engine=engine, rules=CaseRules(), media_dir=tmp_path, max_photo_bytes=1 << 20,
                    clock=lambda: SEEN, flush_delay=3600)
    desk.seen("o-during-outage", "oa")
    residents.drop(engine)  # the database fails the write
    assert await desk.flush() is False
    residents.create(engine)  # back again
    assert await desk.flush() is True
    with Session(engine) as session:
        [row] = session.exec(select(Resident)).all()
    assert row.openid == "o-during-outage"
    engine.dispose()
