"""The database fixture of the case tests: every test runs on a SQLite file and on PostgreSQL.

PostgreSQL tests use a database of their own (created next to the session's ``postgres_url``) so that
other packages' tables and migrations in the shared test database never meet ours; tables are emptied
between tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

import cases.models  # noqa: F401  (registers the tables)
from api.db import make_engine
from cases import CaseDraft, CaseRules, Category, FiledCase, Place, file_case, transition

CASE_TABLES = [
    "inbound_receipts",
    "webhook_endpoints",
    "api_clients",
    "department_notices",
    "extension_requests",
    "resident_messages",
    "handover_requests",
    "staff_notifications",
    "ratings",
    "photos",
    "case_events",
    "outbox",
    "cases",
    "residents",
    "staff_users",
    "departments",
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


NOW = datetime(2026, 11, 27, 1, 30, tzinfo=UTC)  # Friday 09:30 in Beijing

# Two points about 100 m apart near a community centre, and one 2 km away (GCJ-02).
HERE = (31.2304, 121.4737)
NEAR = (31.2310, 121.4745)
FAR = (31.2480, 121.4737)


def make_draft(**overrides: Any) -> CaseDraft:
    values: dict[str, Any] = {
        "openid": "o-resident-1",
        "channel": "oa",
        "description": "小区门口垃圾堆了好几天没人清理，很臭",
        "major_code": "ENV",
        "major_name": "市容环境",
        "minor_code": "ENV-GARBAGE",
        "minor_name": "垃圾清运",
        "grid_id": "G-001",
        "grid_name": "幸福里第一网格",
        "community": "幸福里社区",
        "street": "湖滨街道",
        "lat": HERE[0],
        "lng": HERE[1],
        "address": "幸福里小区东门",
        "category_confidence": 0.92,
    }
    values.update(overrides)
    return draft_of(**values)


PLACE_FIELDS = ("grid_id", "grid_name", "community", "street", "address", "lat", "lng")
CATEGORY_FIELDS = ("major_code", "major_name", "minor_code", "minor_name")


def draft_of(**values: Any) -> CaseDraft:
    """A draft from flat fields: the place's and the category's are gathered into their value objects."""
    place = {name: values.pop(name) for name in PLACE_FIELDS if name in values}
    category = {name: values.pop(name) for name in CATEGORY_FIELDS if name in values}
    return CaseDraft(**values, place=Place(**place) if place.get("grid_id") else None,
                     category=Category(**category) if category.get("major_code") else None)


def file(session: Session, *, now: datetime = NOW, rules: CaseRules | None = None, **overrides: Any) -> FiledCase:
    return file_case(session=session, draft=make_draft(**overrides), now=now, thresholds=rules or CaseRules())


PATHS: dict[str, list[str]] = {
    "submitted": [],
    "accepted": ["accepted"],
    "rejected": ["rejected"],
    "dispatched": ["accepted", "dispatched"],
    "processing": ["accepted", "dispatched", "processing"],
    "verifying": ["accepted", "dispatched", "processing", "verifying"],
    "closed": ["accepted", "dispatched", "processing", "verifying", "closed"],
}


def move_to(session: Session, number: str, status: str, *, now: datetime = NOW) -> None:
    """Walk case ``number`` from submitted to ``status`` along the normal path."""
    for step in PATHS[status]:
        transition(
            session=session,
            number=number,
            to=step,
            actor="测试员",
            note="理由",
            department="城管中队",
            now=now,
        )


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with small costs: the same code path, a fraction of the time."""
    from argon2 import PasswordHasher

    import cases.staff

    monkeypatch.setattr(cases.staff, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
