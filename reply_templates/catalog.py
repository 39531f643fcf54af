"""The shipped default templates: one YAML file per dialog in ``defaults/``, keyed ``<dialog>.<moment>``.

Each entry declares ``description`` (when the bot says it, for staff), ``variables`` (name → a short
description, or a mapping with ``description``, ``sample`` and an optional ``default``, or ``required: true``
for a value the body must always show, such as the numbered options the dialog reads), ``body`` (Jinja2)
and, for push templates, ``kind: push`` with ``fields`` (WeChat template-message fields; ``body`` is then
the customer-service fallback text). ``negative_phrases.txt`` holds the default negative list.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from reply_templates.errors import CatalogError, UnknownTemplateError

DEFAULTS_DIR = Path(__file__).parent / "defaults"
NEGATIVE_PHRASES_FILE = Path(__file__).parent / "negative_phrases.txt"
_NO_DEFAULT = object()


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    sample: Any
    default: Any = _NO_DEFAULT
    required: bool = False  # staff may not drop it: every edit must show it as given (the lint checks)

    @property
    def optional(self) -> bool:
        return self.default is not _NO_DEFAULT


@dataclass(frozen=True)
class TemplateSpec:
    """A key's declaration and its default text."""

    key: str
    description: str
    body: str
    variables: Mapping[str, Variable]
    kind: str = "text"  # "text" | "push"
    fields: Mapping[str, str] | None = None
    source: str = ""  # the defaults file it came from

    @property
    def is_push(self) -> bool:
        return self.kind == "push"

    def samples(self) -> dict[str, Any]:
        """Sample values of every declared variable, for linting and previews."""
        return {name: var.sample for name, var in self.variables.items()}

    def defaults(self) -> dict[str, Any]:
        """Values of optional variables a caller may leave out."""
        return {name: var.default for name, var in self.variables.items() if var.optional}


@dataclass(frozen=True)
class Catalog:
    """Every declared key, plus the negative list the lint applies."""

    specs: Mapping[str, TemplateSpec]
    negative_phrases: tuple[str, ...] = field(default=())

    def keys(self) -> list[str]:
        return sorted(self.specs)

    def get(self, key: str) -> TemplateSpec:
        try:
            return self.specs[key]
        except KeyError:
            raise UnknownTemplateError(key) from None

    def __contains__(self, key: object) -> bool:
        return key in self.specs

    def __iter__(self) -> Iterator[TemplateSpec]:
        return iter(self.specs[k] for k in self.keys())

    def __len__(self) -> int:
        return len(self.specs)


def _variable(name: str, raw: Any, where: str) -> Variable:
    if isinstance(raw, str):
        return Variable(name=name, description=raw, sample=f"示例{name}")
    if isinstance(raw, dict) and isinstance(raw.get("description"), str):
        sample = raw.get("sample", f"示例{name}")
        required = raw.get("required", False)
        if not isinstance(required, bool) or (required and "default" in raw):
            raise CatalogError(f"{where}: variable {name!r}: required is true or false, and never has a default")
        if "default" in raw:
            return Variable(name, raw["description"], sample, raw["default"])
        return Variable(name, raw["description"], sample, required=required)
    raise CatalogError(f"{where}: variable {name!r} needs a description")


def _spec(key: str, raw: Any, where: str) -> TemplateSpec:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: {key!r} must be a mapping")
    if key.count(".") != 1 or not all(key.split(".")):
        raise CatalogError(f"{where}: key {key!r} must look like <dialog>.<moment>")
    body, description = raw.get("body"), raw.get("description")
    if not isinstance(body, str) or not isinstance(description, str):
        raise CatalogError(f"{where}: {key!r} needs a text body and description")
    kind = raw.get("kind", "text")
    if kind not in ("text", "push"):
        raise CatalogError(f"{where}: {key!r} kind must be text or push")
    fields = raw.get("fields")
    if kind == "push":
        if not isinstance(fields, dict) or not fields or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in fields.items()
        ):
            raise CatalogError(f"{where}: push template {key!r} needs fields (name → text)")
    elif fields is not None:
        raise CatalogError(f"{where}: only push templates have fields ({key!r})")
    variables = raw.get("variables") or {}
    if not isinstance(variables, dict):
        raise CatalogError(f"{where}: {key!r} variables must be a mapping")
    return TemplateSpec(
        key=key,
        description=description.strip(),
        body=body,
        variables={name: _variable(name, v, where) for name, v in variables.items()},
        kind=kind,
        fields=dict(fields) if fields else None,
        source=where,
    )


def load_negative_phrases(path: Path = NEGATIVE_PHRASES_FILE) -> tuple[str, ...]:
    """One phrase a line; blank lines and ``#`` comments are skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(s for line in lines if (s := line.strip()) and not s.startswith("#"))


def load_catalog(
    directory: Path = DEFAULTS_DIR, *, negative_phrases: tuple[str, ...] | None = None
) -> Catalog:
    """Read every ``*.yaml`` in ``directory``; a key defined twice is an error."""
    specs: dict[str, TemplateSpec] = {}
    for path in sorted(directory.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise CatalogError(f"{path.name}: must be a mapping of keys")
        for key, raw in data.items():
            if key in specs:
                raise CatalogError(f"{path.name}: {key!r} already defined in {specs[key].source}")
            specs[key] = _spec(str(key), raw, path.name)
    if not specs:
        raise CatalogError(f"no templates found in {directory}")
    phrases = load_negative_phrases() if negative_phrases is None else tuple(negative_phrases)
    return Catalog(specs=specs, negative_phrases=phrases)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The shipped defaults with the shipped negative list (read once per process)."""
    return load_catalog()
