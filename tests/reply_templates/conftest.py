"""A real SQLite file database holding only the reply-template table."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, create_engine

from reply_templates import TemplateVersion


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path / 'templates.db'}")
    SQLModel.metadata.create_all(engine, tables=[SQLModel.metadata.tables[TemplateVersion.__tablename__]])
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session
