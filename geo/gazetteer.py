"""The place gazetteer: named places (compounds, schools, markets…) with a GCJ-02 position.

The file is a CSV with the columns ``place_id,name,lng,lat`` and optionally ``kind``, ``grid_id`` and
``aliases`` (several separated by ``|``). Besides its name and aliases every place gets the names
residents commonly use for it:

* the *core* of a residential name, without its generic tail (春晖佳苑 → 春晖, 碧水花园 → 碧水);
* the short forms of institution names (安居社区卫生服务中心 → 安居社区医院, 金桂农贸市场 → 金桂菜场).

A short form that is the full name of another place is not added.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from geo.chars import clean

# Generic tails of residential names, longest first; what is left must keep at least two characters.
RESIDENTIAL_TAILS = (
    "小区", "花园", "家园", "佳苑", "庭院", "名邸", "公馆", "华府", "雅居", "大院", "新村", "公寓",
    "苑", "园", "府", "郡", "湾", "里", "城", "居", "邸", "院",
)
# Extra tails residents add to a residential name (碧水花园小区); stripped from the text's side by fuzzy
# matching, listed here for the documentation and the tests.
INSTITUTION_SHORT_FORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("社区卫生服务中心", ("社区医院", "卫生服务中心", "卫生院", "社区卫生站")),
    ("农贸市场", ("菜场", "菜市场", "农贸市场")),
    ("菜市场", ("菜场",)),
    ("停车场", ("停车库",)),
    ("幼儿园", ("幼儿园",)),
)
REQUIRED_COLUMNS = ("place_id", "name", "lng", "lat")
RESIDENTIAL_KINDS = ("compound", "")


@dataclass(frozen=True, slots=True)
class Place:
    place_id: str
    name: str
    lat: float
    lng: float
    kind: str = ""
    grid_id: str = ""
    aliases: tuple[str, ...] = field(default=())


def read_places(text: str) -> list[Place]:
    """Places from CSV text; raises ValueError on a missing column or a bad number (see validation)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in REQUIRED_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    places: list[Place] = []
    for number, row in enumerate(reader, start=2):
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        try:
            lat, lng = float(row["lat"]), float(row["lng"])
        except (TypeError, ValueError):
            raise ValueError(f"row {number}: lat/lng must be numbers, not {row['lat']!r}, {row['lng']!r}") from None
        places.append(Place(
            place_id=(row["place_id"] or "").strip(), name=(row["name"] or "").strip(),
            lat=lat, lng=lng, kind=(row.get("kind") or "").strip(),
            grid_id=(row.get("grid_id") or "").strip(), aliases=aliases,
        ))
    return places


def read_alias_table(text: str) -> dict[str, tuple[str, ...]]:
    """``name,alias`` rows (one alias a row) → aliases per place name."""
    table: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        name, alias = (row.get("name") or "").strip(), (row.get("alias") or "").strip()
        if name and alias:
            table.setdefault(name, []).append(alias)
    return {name: tuple(aliases) for name, aliases in table.items()}


def core_name(name: str) -> str | None:
    """A residential name without its generic tail (春晖佳苑 → 春晖), or None when nothing generic ends it."""
    for tail in RESIDENTIAL_TAILS:
        if name.endswith(tail) and len(name) - len(tail) >= 2:
            return name[: -len(tail)]
    return None


def short_forms(name: str) -> list[str]:
    """Everyday names for an institution (安居社区卫生服务中心 → 安居社区医院, …)."""
    forms: list[str] = []
    for tail, replacements in INSTITUTION_SHORT_FORMS:
        if name.endswith(tail) and len(name) > len(tail):
            stem = name[: -len(tail)]
            forms.extend(stem + replacement for replacement in replacements if stem + replacement != name)
            break
    return forms


@dataclass(frozen=True, slots=True)
class NameKey:
    """One string a place can be called by, as indexed by the matcher."""

    text: str  # cleaned
    place: int  # index into the place list
    kind: str  # "name" | "alias" | "core"


def name_keys(places: list[Place], extra_aliases: dict[str, tuple[str, ...]] | None = None) -> list[NameKey]:
    """Every key of every place; aliases and short forms never shadow another place's own name."""
    extra_aliases = extra_aliases or {}
    own_names = {clean(place.name) for place in places}
    keys: list[NameKey] = []
    seen: set[tuple[str, int]] = set()

    def add(text: str, index: int, kind: str) -> None:
        text = clean(text)
        if len(text) < 2 or (text, index) in seen:
            return
        if kind != "name" and text in own_names:
            return
        seen.add((text, index))
        keys.append(NameKey(text, index, kind))

    for index, place in enumerate(places):
        add(place.name, index, "name")
        for alias in (*place.aliases, *extra_aliases.get(place.name, ()), *short_forms(place.name)):
            add(alias, index, "alias")
        if place.kind in RESIDENTIAL_KINDS:
            core = core_name(clean(place.name))
            if core:
                add(core, index, "core")
    return keys
