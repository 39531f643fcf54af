"""The database engine: SQLite by default (WAL, foreign keys on), PostgreSQL through psycopg 3."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

SQLITE_CACHE_KB = 512
SQLITE_STATEMENTS = 32  # prepared statements kept per connection (Python keeps 128: ~2 MB a connection)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create the engine for ``url``; creates the folder of a SQLite file when needed."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30,
                                                                 "cached_statements": SQLITE_STATEMENTS})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Each pooled connection keeps its own page cache (2 MB by default, filled within minutes of
            # load): half a megabyte holds the hot pages, and the operating system caches the file anyway.
            cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KB}")
            cursor.close()

        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
