"""Rendering replies: the active text of each key (staff version or shipped default), fresh across processes.

Freshness without a restart: every process keeps the active staff versions in memory and, at most once
per ``refresh_seconds``, runs one cheap query, ``SELECT count(*), max(id)`` over the versions table. A
save anywhere inserts a row and changes that fingerprint; the process then reloads the newest version of
each key. With ``refresh_seconds=1`` a saved template is used by every process within about a second.

A render never raises in production: a staff text that fails (or does not show a required variable whole)
falls back to the shipped default, which falls back to ``system.error``; everything is logged.
``strict=True`` (for tests) raises instead.
"""

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import Template
from sqlalchemy.engine import Engine
from sqlmodel import Session

from reply_templates import store
from reply_templates.catalog import Catalog, TemplateSpec
from reply_templates.environment import finish_field, fit_text, make_environment, render
from reply_templates.errors import ReplyTemplateError, TemplateRenderError, UnknownTemplateError

log = logging.getLogger(__name__)

SessionFactory = Callable[[], Session]
LAST_RESORT = "抱歉，系统出了点问题，请您稍后再试。"
ERROR_KEY = "system.error"


@dataclass(frozen=True)
class ActiveText:
    body: str
    fields: Mapping[str, str] | None
    version_id: int | None  # None: the shipped default


def _showing_required(spec: TemplateSpec, values: Mapping[str, Any], text: str) -> str:
    """``text`` if it shows every required variable whole; a staff version saved before the variable was
    required (or written around the lint) may not, and then the default is used instead."""
    missing = [name for name, var in spec.variables.items() if var.required and str(values.get(name)) not in text]
    if missing:
        raise TemplateRenderError(f"does not show {', '.join(missing)}")
    return text


class Renderer:
    def __init__(
        self,
        catalog: Catalog,
        engine_or_session_factory: Engine | SessionFactory | None = None,
        refresh_seconds: float = 1.0,
        *,
        strict: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.catalog = catalog
        self.refresh_seconds = refresh_seconds
        self.strict = strict
        self._sessions: SessionFactory | None
        if isinstance(engine_or_session_factory, Engine):
            engine = engine_or_session_factory
            self._sessions = lambda: Session(engine)
        else:
            self._sessions = engine_or_session_factory
        self._clock = clock
        self._env = make_environment()
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._fingerprint: tuple[int, int] | None = None
        self._overrides: dict[str, ActiveText] = {}
        self._compiled: dict[tuple[str, str], tuple[str, Template]] = {}

    # -- freshness -------------------------------------------------------------------------------

    def refresh_if_stale(self) -> bool:
        """Reload the staff versions if the table changed; queries at most once per ``refresh_seconds``.

        Returns whether anything was reloaded. A database error keeps the texts already loaded.
        """
        if self._sessions is None:
            return False
        now = self._clock()
        if self._checked_at is not None and now - self._checked_at < self.refresh_seconds:
            return False
        with self._lock:
            if self._checked_at is not None and now - self._checked_at < self.refresh_seconds:
                return False
            self._checked_at = now
            try:
                with self._sessions() as session:
                    seen = store.fingerprint(session)
                    if seen == self._fingerprint:
                        return False
                    versions = store.active_versions(session)
            except Exception:
                log.exception("reply templates: could not check for edited templates; keeping current texts")
                return False
            self._overrides = {
                key: ActiveText(v.body, v.fields, v.id) for key, v in versions.items() if key in self.catalog
            }
            self._fingerprint = seen
            return True

    def invalidate(self) -> None:
        """Check the database on the next render (after a save in this process)."""
        self._checked_at = None

    def active(self, key: str) -> ActiveText:
        """The text a resident currently gets for ``key``."""
        spec = self.catalog.get(key)
        self.refresh_if_stale()
        return self._overrides.get(key) or ActiveText(spec.body, spec.fields, None)

    # -- rendering -------------------------------------------------------------------------------

    def render(self, key: str, **variables: Any) -> str:
        """The reply text for ``key`` (at most 2,048 bytes); never raises unless ``strict``."""
        try:
            spec = self.catalog.get(key)
        except UnknownTemplateError:
            if self.strict:
                raise
            log.error("reply templates: unknown key %r", key)
            return self._error_text()
        values = {**spec.defaults(), **variables}
        active = self.active(key)
        if active.version_id is not None:
            try:
                return _showing_required(spec, values, fit_text(self._render(key, "", active.body, values)))
            except Exception as exc:
                self._failed(key, active.version_id, exc)
        try:
            return fit_text(self._render(key, "", spec.body, values))
        except Exception as exc:
            self._failed(key, None, exc)
        return self._error_text()

    def render_fields(self, key: str, **variables: Any) -> dict[str, str]:
        """The template-message fields of a push key, each one line of at most 20 characters."""
        spec = self.catalog.get(key) if self.strict else self.catalog.specs.get(key)
        if spec is None or not spec.is_push or not spec.fields:
            if self.strict:
                raise ReplyTemplateError(f"{key!r} is not a push template")
            log.error("reply templates: %r is not a push template", key)
            return {}
        values = {**spec.defaults(), **variables}
        active = self.active(key)
        if active.version_id is not None and active.fields:
            try:
                return self._render_fields(key, active.fields, values)
            except Exception as exc:
                self._failed(key, active.version_id, exc)
        try:
            return self._render_fields(key, spec.fields, values)
        except Exception as exc:
            self._failed(key, None, exc)
        return {}

    def _render_fields(
        self, key: str, fields: Mapping[str, str], values: Mapping[str, Any]
    ) -> dict[str, str]:
        return {name: finish_field(self._render(key, name, text, values)) for name, text in fields.items()}

    def _render(self, key: str, part: str, source: str, values: Mapping[str, Any]) -> str:
        cached = self._compiled.get((key, part))
        if cached is None or cached[0] != source:
            cached = (source, self._env.from_string(source))
            self._compiled[(key, part)] = cached
        return render(cached[1], values)

    def _failed(self, key: str, version_id: int | None, exc: Exception) -> None:
        which = f"staff version {version_id}" if version_id is not None else "the shipped default"
        if self.strict:
            raise TemplateRenderError(f"{key}: {which} failed: {exc}") from exc
        log.error("reply templates: %s of %r failed to render: %s", which, key, exc)

    def _error_text(self) -> str:
        spec: TemplateSpec | None = self.catalog.specs.get(ERROR_KEY)
        if spec is None:
            return LAST_RESORT
        staff = self._overrides.get(ERROR_KEY)
        for body in (staff.body if staff else None, spec.body):
            if body is None:
                continue
            try:
                return fit_text(self._render(ERROR_KEY, "", body, spec.samples()))
            except Exception:
                log.exception("reply templates: %s failed to render", ERROR_KEY)
        return LAST_RESORT
