"""Staff edits of reply templates, stored as versions; the newest version of a key is the active text.

Nothing is ever updated or deleted: a rollback is a new version copying an older one (``restored_from``),
so the history records who changed what, when, and what the text was before.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class TemplateVersion(SQLModel, table=True):
    __tablename__ = "reply_template_versions"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, index=True)
    body: str = Field(sa_column=Column(Text, nullable=False))
    fields: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    author: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    previous_body: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    restored_from: int | None = None  # the version a rollback copied (None: an edit or a reset)

    @property
    def created_at_utc(self) -> datetime:
        """``created_at`` as an aware UTC datetime (SQLite hands back naive values)."""
        moment = self.created_at
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
