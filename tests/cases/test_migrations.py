"""The Alembic migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect
from sqlmodel import Session, SQLModel

from api.db import make_engine
from api.migrate import alembic_config, current, heads, upgrade
from tests.cases.conftest import CASE_TABLES, file


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    base: str = request.getfixturevalue("postgres_url")
    plain = base.replace("postgresql+psycopg://", "postgresql://")
    name = plain.rsplit("/", 1)[1] + "_mig"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield base.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _case_metadata() -> MetaData:
    metadata = MetaData()
    for name in CASE_TABLES:
        SQLModel.metadata.tables[name].to_metadata(metadata)
    return metadata


def test_upgrade_builds_the_models_tables_and_a_case_can_be_filed(empty_url: str) -> None:
    upgrade(empty_url)
    assert current(empty_url) == heads()
    upgrade(empty_url)  # a second run is a no-op
    engine = make_engine(empty_url)
    try:
        with engine.connect() as connection:
            assert set(CASE_TABLES) <= set(inspect(connection).get_table_names())
            diff = compare_metadata(MigrationContext.configure(connection), _case_metadata())
        assert [d for d in diff if _table_name(d) in CASE_TABLES] == []
        with Session(engine, expire_on_commit=False) as session:
            assert file(session).case.number == "BH20261127-0001"
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_the_tables(empty_url: str) -> None:
    upgrade(empty_url)
    command.downgrade(alembic_config(empty_url), "base")
    engine = make_engine(empty_url)
    try:
        with engine.connect() as connection:
            assert not set(CASE_TABLES) & set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


def _table_name(diff: object) -> str | None:
    """The table a diff entry of ``compare_metadata`` is about (other packages' tables are ignored)."""
    if isinstance(diff, list):  # column modifications come as lists of tuples
        diff = diff[0]
    assert isinstance(diff, tuple)
    kind, subject = diff[0], diff[1]
    if kind.endswith("_table"):
        return str(subject.name)
    if kind.endswith("_index") or kind.endswith("_constraint"):
        return str(subject.table.name)
    if kind.endswith("_column"):
        return str(diff[2])
    return str(diff[2]) if len(diff) > 2 and isinstance(diff[2], str) else None


def test_cases_filed_before_channels_existed_keep_theirs(empty_url: str) -> None:
    """A database with WeChat and mini-program cases gets their intake channels on upgrade."""
    from sqlalchemy import text

    upgrade(empty_url, "0002_reply_templates")
    engine = make_engine(empty_url)
    try:
        with engine.begin() as connection:
            for rid, (openid, channel) in enumerate((("o-1", "oa"), ("o-2", "mp")), 1):
                connection.execute(text(
                    "INSERT INTO residents (id, openid, channel, confidential, first_seen, last_seen) "
                    "VALUES (:id, :openid, :channel, false, '2026-11-27 01:30:00', '2026-11-27 01:30:00')"),
                    {"id": rid, "openid": openid, "channel": channel})
                connection.execute(text(
                    "INSERT INTO cases (number, resident_id, channel, description, major_code, major_name, "
                    "minor_code, minor_name, category_confidence, category_source, address, grid_id, grid_name, "
                    "community, street, urgent, status, repeat_reporter, callback_needed, due_at, reminder_level, "
                    "created_at, updated_at) VALUES (:number, :rid, :channel, '路灯不亮', '04', '市政设施', '0401', "
                    "'路灯不亮', 1.0, 'auto', '', 'G', '', '', '', false, 'submitted', false, false, "
                    "'2026-11-28 01:30:00', 0, '2026-11-27 01:30:00', '2026-11-27 01:30:00')"),
                    {"number": f"BH20261127-000{rid}", "rid": rid, "channel": channel})
        upgrade(empty_url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT number, intake_channel FROM cases ORDER BY number")).all()
        assert [tuple(r) for r in rows] == [("BH20261127-0001", "wechat"), ("BH20261127-0002", "mini_program")]
    finally:
        engine.dispose()


def test_close_pushes_queued_before_the_options_variable_get_the_options(empty_url: str) -> None:
    """A rating.ask push still waiting at upgrade renders with the numbered options the dialog reads."""
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from cases.ratings import prompt_options_text

    outbox = sa.table("outbox", *(sa.column(name) for name in (
        "id", "kind", "recipient_openid", "channel", "template_key", "idempotency_key", "state", "attempts",
        "next_attempt_at", "created_at")), sa.column("variables", sa.JSON()))
    upgrade(empty_url, "0005_integration")
    engine = make_engine(empty_url)
    try:
        moment = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)
        with engine.begin() as connection:
            for n, (key, state) in enumerate((("rating.ask", "pending"), ("rating.ask", "sent"),
                                              ("status.changed", "pending")), 1):
                connection.execute(outbox.insert().values(
                    id=n, kind="push", recipient_openid="o-1", channel="oa", template_key=key,
                    variables={"number": "BH20261127-0001"}, idempotency_key=f"BH20261127-0001:{n}", state=state,
                    attempts=0, next_attempt_at=moment, created_at=moment))
        upgrade(empty_url)
        with engine.connect() as connection:
            rows = connection.execute(sa.select(outbox.c.variables).order_by(outbox.c.id)).scalars().all()
        assert [v.get("options") for v in rows] == [prompt_options_text(), None, None]
        assert rows[0]["number"] == "BH20261127-0001"
    finally:
        engine.dispose()
