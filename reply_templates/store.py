"""Service functions over :class:`TemplateVersion`: save (after lint), history, rollback, preview.

Every function takes the catalog explicitly or falls back to the shipped defaults
(:func:`reply_templates.catalog.default_catalog`).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from reply_templates.catalog import Catalog, TemplateSpec, default_catalog
from reply_templates.environment import finish_field, make_environment, render
from reply_templates.errors import Problem, TemplateLintError, VersionNotFoundError
from reply_templates.lint import lint
from reply_templates.models import TemplateVersion

_ENV = make_environment()


@dataclass(frozen=True)
class Preview:
    """What a resident would read with these values; ``problems`` are what saving would refuse."""

    text: str
    fields: dict[str, str] | None
    problems: list[Problem]


def current(session: Session, key: str) -> TemplateVersion | None:
    """The active staff version of ``key`` (None: the shipped default is in use)."""
    query = select(TemplateVersion).where(TemplateVersion.key == key).order_by(col(TemplateVersion.id).desc())
    return session.exec(query.limit(1)).first()


def active_versions(session: Session) -> dict[str, TemplateVersion]:
    """The newest version of every customised key."""
    newest = select(func.max(TemplateVersion.id)).group_by(TemplateVersion.key)
    rows = session.exec(select(TemplateVersion).where(col(TemplateVersion.id).in_(newest.scalar_subquery())))
    return {row.key: row for row in rows}


def fingerprint(session: Session) -> tuple[int, int]:
    """``(count, max id)`` of all versions: changes whenever any version is committed.

    The count catches a PostgreSQL sequence handing out ids that commit out of order.
    """
    count, newest = session.exec(select(func.count(), func.max(TemplateVersion.id))).one()
    return int(count or 0), int(newest or 0)


def history(session: Session, key: str) -> list[TemplateVersion]:
    """Every version of ``key``, newest (the active one) first."""
    query = select(TemplateVersion).where(TemplateVersion.key == key).order_by(col(TemplateVersion.id).desc())
    return list(session.exec(query))


def _check(spec: TemplateSpec, body: str, fields: Mapping[str, str] | None, catalog: Catalog) -> None:
    problems = lint(spec, body, fields, negative_phrases=catalog.negative_phrases)
    if problems:
        raise TemplateLintError(problems)


def _store(
    session: Session,
    spec: TemplateSpec,
    body: str,
    fields: Mapping[str, str] | None,
    author: str,
    restored_from: int | None = None,
) -> TemplateVersion:
    active = current(session, spec.key)
    version = TemplateVersion(
        key=spec.key,
        body=body,
        fields=dict(fields) if fields is not None else None,
        author=author,
        previous_body=active.body if active else spec.body,
        restored_from=restored_from,
    )
    session.add(version)
    session.commit()
    session.refresh(version)
    return version


def save(
    *,
    session: Session,
    key: str,
    body: str,
    fields: Mapping[str, str] | None = None,
    author: str,
    catalog: Catalog | None = None,
) -> TemplateVersion:
    """Lint and store a new active version of ``key``.

    For a push template, ``fields=None`` keeps the active fields. Raises
    :class:`~reply_templates.errors.UnknownTemplateError` or :class:`TemplateLintError`.
    """
    catalog = catalog or default_catalog()
    spec = catalog.get(key)
    if spec.is_push and fields is None:
        active = current(session, key)
        fields = active.fields if active and active.fields else spec.fields
    _check(spec, body, fields, catalog)
    return _store(session, spec, body, fields if spec.is_push else None, author)


def rollback(
    *,
    session: Session,
    key: str,
    version_id: int | None,
    author: str,
    catalog: Catalog | None = None,
) -> TemplateVersion:
    """Make an older version (or, with ``version_id=None``, the shipped default) active again.

    The restored text is recorded as a new version by ``author``; it is linted again, since the
    negative list or the declared variables may have changed since it was written.
    """
    catalog = catalog or default_catalog()
    spec = catalog.get(key)
    if version_id is None:
        body, fields = spec.body, spec.fields
    else:
        old = session.get(TemplateVersion, version_id)
        if old is None or old.key != key:
            raise VersionNotFoundError(f"{key} has no version {version_id}")
        body, fields = old.body, old.fields
    _check(spec, body, fields, catalog)
    return _store(session, spec, body, fields, author, restored_from=version_id)


def preview(
    key: str,
    body: str,
    variables: Mapping[str, Any] | None = None,
    *,
    fields: Mapping[str, str] | None = None,
    catalog: Catalog | None = None,
) -> Preview:
    """Render ``body`` with the sample values overridden by ``variables``; never raises on bad input."""
    catalog = catalog or default_catalog()
    spec = catalog.get(key)
    fields = fields if fields is not None or not spec.is_push else spec.fields
    problems = lint(spec, body, fields, negative_phrases=catalog.negative_phrases)
    values = {**spec.samples(), **(variables or {})}
    try:
        text = render(_ENV.from_string(body), values)
    except Exception:  # staff input: any failure just shows an empty preview
        text = ""
    rendered: dict[str, str] | None = None
    if spec.is_push and fields:
        rendered = {}
        for name, source in fields.items():
            try:
                rendered[name] = finish_field(render(_ENV.from_string(source), values))
            except Exception:  # staff input: any failure just shows an empty preview
                rendered[name] = ""
    return Preview(text=text, fields=rendered, problems=problems)
