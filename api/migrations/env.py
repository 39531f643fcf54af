"""Alembic environment: the URL comes from the caller (:func:`api.migrate.upgrade`), never alembic.ini.

Every table module registers on ``SQLModel.metadata``: the cases' tables, the dialog states', and the reply
templates' when that package ships its models. On PostgreSQL an advisory lock keeps two starting processes from running
the same migration at once.
"""

import importlib
import importlib.util

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import bot.sql_storage  # noqa: F401  (registers the dialog-state table)
import cases.models  # noqa: F401  (registers the tables)
from api.db import make_engine

if importlib.util.find_spec("reply_templates.models") is not None:
    importlib.import_module("reply_templates.models")

MIGRATION_LOCK = 727_001  # pg_advisory_lock key of schema migrations

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: call api.migrate.upgrade(url)")
    return str(url)


def run_migrations_offline() -> None:
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=_url().startswith("sqlite")
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            postgres = connection.dialect.name == "postgresql"
            if postgres:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
            try:
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=not postgres,
                    compare_type=True,
                )
                with context.begin_transaction():
                    context.run_migrations()
                connection.commit()
            finally:
                if postgres:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                    connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
