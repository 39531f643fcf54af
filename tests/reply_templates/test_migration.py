"""The Alembic revision builds the table the model describes, on SQLite and on PostgreSQL."""

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import Session, SQLModel

from api.db import make_engine
from api.migrate import upgrade
from reply_templates import Renderer, TemplateVersion, default_catalog, history, rollback, save

TABLE = TemplateVersion.__tablename__


def _mentions_table(diff: Any) -> bool:
    return TABLE in repr(diff)


def _check(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = [d for d in compare_metadata(context, SQLModel.metadata) if _mentions_table(d)]
        assert diffs == []
        editor, other = Renderer(default_catalog(), engine, 0), Renderer(default_catalog(), engine, 0)
        other.render("report.cancelled")
        with Session(engine) as session:
            first = save(session=session, key="report.cancelled", body="好的，已取消。", author="王芳")
            save(session=session, key="report.cancelled", body="已取消，欢迎再来。", author="李强")
            assert other.render("report.cancelled") == "已取消，欢迎再来。"
            rollback(session=session, key="report.cancelled", version_id=first.id, author="张伟")
            assert [v.author for v in history(session, "report.cancelled")][:3] == ["张伟", "李强", "王芳"]
        assert other.render("report.cancelled") == editor.render("report.cancelled") == "好的，已取消。"
    finally:
        with Session(engine) as session:  # the PostgreSQL database is shared by the whole test session
            for version in history(session, "report.cancelled"):
                session.delete(version)
            session.commit()
        engine.dispose()


def test_migration_on_sqlite(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'migrated.db'}")


@pytest.mark.postgres
def test_migration_on_postgresql(postgres_url: str) -> None:
    _check(postgres_url)
