"""Every sentence the bot says: shipped defaults, staff-edited versions, rendering and the reply lint.

A leaf package: it imports jinja2, yaml and sqlmodel, nothing else of the project.
"""

from reply_templates.catalog import Catalog, TemplateSpec, Variable, default_catalog, load_catalog
from reply_templates.errors import (
    CatalogError,
    Problem,
    ReplyTemplateError,
    TemplateLintError,
    TemplateRenderError,
    UnknownTemplateError,
    VersionNotFoundError,
)
from reply_templates.lint import lint
from reply_templates.models import TemplateVersion
from reply_templates.renderer import ActiveText, Renderer
from reply_templates.store import Preview, active_versions, current, history, preview, rollback, save

__all__ = [
    "ActiveText",
    "Catalog",
    "CatalogError",
    "Preview",
    "Problem",
    "Renderer",
    "ReplyTemplateError",
    "TemplateLintError",
    "TemplateRenderError",
    "TemplateSpec",
    "TemplateVersion",
    "UnknownTemplateError",
    "Variable",
    "VersionNotFoundError",
    "active_versions",
    "current",
    "default_catalog",
    "history",
    "lint",
    "load_catalog",
    "preview",
    "rollback",
    "save",
]
