"""Schema migrations (Alembic), run by ``intake db upgrade`` and at ``intake serve`` start-up."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from api.db import make_engine

MIGRATIONS = Path(__file__).parent / "migrations"
FIRST_REVISION = "0001_cases"


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url`` (no alembic.ini: the URL is passed, not interpolated)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database at ``url`` to ``revision`` (all heads by default).

    A database whose case tables were made by ``SQLModel.metadata.create_all`` before migrations
    existed (no ``alembic_version`` yet) is stamped at the first revision, then upgraded.
    """
    config = alembic_config(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    if "alembic_version" not in tables and "cases" in tables:
        command.stamp(config, FIRST_REVISION)
    command.upgrade(config, revision)


def current(url: str) -> set[str]:
    """The revisions the database at ``url`` is at (empty before the first upgrade)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()


def heads() -> set[str]:
    """The newest revisions shipped with the code."""
    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
