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
