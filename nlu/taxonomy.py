"""The complaint taxonomy: 20 majors, minors coded MMnn, loaded from YAML and validated.

File format (documented in docs/nlu.md)::

    version: 1
    majors:
      - {code: "04", name: 市政设施, keywords: [马路, 井盖]}   # keywords optional
      - {code: "20", name: 政务服务, keywords: [办事], procedural: true}   # optional, see Major
    minors:
      - {code: "0401", name: 路灯不亮, keywords: [路灯], synonyms: [黑灯瞎火], examples: [晚上路灯不亮]}

A minor belongs to the major whose code is its first two digits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlu.errors import TaxonomyError
from nlu.yamlio import safe_load

DEFAULT_TAXONOMY_PATH = Path(__file__).parent / "data" / "taxonomy.yaml"
_MAJOR_CODE = re.compile(r"^\d{2}$")
_MINOR_CODE = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Major:
    code: str
    name: str
    keywords: tuple[str, ...] = ()  # general cue words of the whole major (optional)
    # Its words (officials, procedures, hotlines, replies) also frame posts about every other subject, so a
    # long post must lead clearly to land here (optional; the shipped 20 政务服务 is one).
    procedural: bool = False


@dataclass(frozen=True)
class Minor:
    code: str
    name: str
    keywords: tuple[str, ...]
    synonyms: tuple[str, ...]
    examples: tuple[str, ...]

    @property
    def major_code(self) -> str:
        return self.code[:2]


@dataclass(frozen=True)
class Taxonomy:
    """Majors and minors in file order, with lookups by code."""

    majors: tuple[Major, ...]
    minors: tuple[Minor, ...]
    digest: str
    _major_by_code: dict[str, Major] = field(init=False, repr=False, compare=False)
    _minor_by_code: dict[str, Minor] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_major_by_code", {m.code: m for m in self.majors})
        object.__setattr__(self, "_minor_by_code", {m.code: m for m in self.minors})

    def major(self, code: str) -> Major:
        try:
            return self._major_by_code[code]
        except KeyError:
            raise TaxonomyError(f"unknown major code {code!r}") from None

    def minor(self, code: str) -> Minor:
        try:
            return self._minor_by_code[code]
        except KeyError:
            raise TaxonomyError(f"unknown minor code {code!r}") from None

    def name_of(self, code: str) -> str:
        """Name of a major (2 digits) or minor (4 digits) code."""
        return self.major(code).name if len(code) == 2 else self.minor(code).name

    def minors_of(self, major_code: str) -> list[Minor]:
        self.major(major_code)
        return [m for m in self.minors if m.major_code == major_code]

    def __iter__(self) -> Iterator[Minor]:
        return iter(self.minors)


def load_taxonomy(path: Path | None = None) -> Taxonomy:
    """Read and validate a taxonomy file; raises TaxonomyError with a message naming the problem."""
    path = path or DEFAULT_TAXONOMY_PATH
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TaxonomyError(f"cannot read taxonomy {path}: {exc}") from exc
    try:
        data = safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: not valid YAML: {exc}") from exc
    return parse_taxonomy(data, digest=hashlib.sha256(raw).hexdigest(), source=str(path))


def parse_taxonomy(data: Any, *, digest: str = "", source: str = "taxonomy") -> Taxonomy:
    """Validate already-parsed YAML data and build the Taxonomy."""
    if not isinstance(data, Mapping):
        raise TaxonomyError(f"{source}: top level must be a mapping with 'majors' and 'minors'")
    majors = _parse_majors(data.get("majors"), source)
    minors = _parse_minors(data.get("minors"), {m.code for m in majors}, source)
    empty = sorted({m.code for m in majors} - {m.major_code for m in minors})
    if empty:
        raise TaxonomyError(f"{source}: major(s) {', '.join(empty)} have no minors")
    if not digest:
        digest = hashlib.sha256(repr(data).encode("utf-8")).hexdigest()
    return Taxonomy(majors=tuple(majors), minors=tuple(minors), digest=digest)


def _parse_majors(items: Any, source: str) -> list[Major]:
    if not isinstance(items, list) or not items:
        raise TaxonomyError(f"{source}: 'majors' must be a non-empty list")
    majors: list[Major] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"{source}: majors[{index}]"
        code, name = _code_and_name(item, where)
        if not _MAJOR_CODE.match(code):
            raise TaxonomyError(f"{where}: major code {code!r} must be two digits")
        if code in seen:
            raise TaxonomyError(f"{where}: duplicate major code {code!r}")
        seen.add(code)
        keywords = _strings(item.get("keywords"), f"{where}: keywords")
        procedural = item.get("procedural", False)
        if not isinstance(procedural, bool):
            raise TaxonomyError(f"{where}: procedural must be true or false")
        majors.append(Major(code=code, name=name, keywords=keywords, procedural=procedural))
    return majors


def _parse_minors(items: Any, major_codes: set[str], source: str) -> list[Minor]:
    if not isinstance(items, list) or not items:
        raise TaxonomyError(f"{source}: 'minors' must be a non-empty list")
    minors: list[Minor] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"{source}: minors[{index}]"
        code, name = _code_and_name(item, where)
        where = f"{source}: minor {code} {name}"
        if not _MINOR_CODE.match(code):
            raise TaxonomyError(f"{where}: minor code must be four digits MMnn")
        if code in seen:
            raise TaxonomyError(f"{where}: duplicate minor code {code!r}")
        if code[:2] not in major_codes:
            raise TaxonomyError(f"{where}: unknown major {code[:2]!r} (not listed under 'majors')")
        seen.add(code)
        keywords = _strings(item.get("keywords"), f"{where}: keywords")
        if not keywords:
            raise TaxonomyError(f"{where}: empty keywords (give at least one)")
        minors.append(
            Minor(
                code=code,
                name=name,
                keywords=keywords,
                synonyms=_strings(item.get("synonyms"), f"{where}: synonyms"),
                examples=_strings(item.get("examples"), f"{where}: examples"),
            )
        )
    return minors


def _code_and_name(item: Any, where: str) -> tuple[str, str]:
    if not isinstance(item, Mapping):
        raise TaxonomyError(f"{where}: must be a mapping with 'code' and 'name'")
    code = str(item.get("code") or "").strip()
    name = str(item.get("name") or "").strip()
    if not code:
        raise TaxonomyError(f"{where}: missing 'code'")
    if not name:
        raise TaxonomyError(f"{where}: code {code!r} has no 'name'")
    return code, name


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise TaxonomyError(f"{where}: must be a list")
    out = tuple(str(v).strip() for v in value if v is not None and str(v).strip())
    return out
