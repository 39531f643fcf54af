"""The database fixture of the case tests: every test runs on a SQLite file and on PostgreSQL.

PostgreSQL tests use a database of their own (created next to the session's ``postgres_url``) so that
other packages' tables and migrations in the shared test database never meet ours; tables are emptied
between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import cases.models  # noqa: F401  (registers the tables)
from api.db import make_engine

CASE_TABLES = [
    "staff_notifications",
    "ratings",
    "photos",
    "case_events",
    "outbox",
    "cases",
    "residents",
    "staff_users",
    "mp_subscriptions",
    "case_counters",
]


def _create_tables(engine: Engine) -> None:
    tables = [SQLModel.metadata.tables[name] for name in CASE_TABLES]
    SQLModel.metadata.create_all(engine, tables=tables)


@pytest.fixture(scope="session")
def cases_postgres_url(postgres_url: str) -> Iterator[str]:
    """A database of the case tests' own, on the session's PostgreSQL server."""
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    name = plain.rsplit("/", 1)[1] + "_cases"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    yield url
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_engine(cases_postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(cases_postgres_url)
    _create_tables(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A real database with the case tables, empty: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        sqlite_engine = make_engine(f"sqlite:///{tmp_path / 'cases.db'}")
        _create_tables(sqlite_engine)
        yield sqlite_engine
        sqlite_engine.dispose()
        return
    pg_engine: Engine = request.getfixturevalue("_pg_engine")
    with pg_engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(CASE_TABLES)} RESTART IDENTITY CASCADE"))
    yield pg_engine


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as db:
        yield db
