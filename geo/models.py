"""The answers the geo package gives: where a point is, which places a text names, who runs a grid."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class PointLocation:
    """Where a point lies.

    * inside a grid: ``grid_id`` set, ``approximate`` and ``outside`` False, ``distance_m`` 0.0;
    * up to 100 m outside the district: the nearest grid, ``approximate`` True, ``distance_m`` to it;
    * further out: ``grid_id`` None, ``outside`` True, ``distance_m`` to the nearest grid.

    ``lat``/``lng`` are the point in GCJ-02 (after conversion from the input's system).
    """

    grid_id: str | None
    grid_name: str
    community: str
    street: str
    approximate: bool
    outside: bool
    distance_m: float | None
    lat: float
    lng: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class TextCandidate:
    """A gazetteer place a text names, with the grid it stands in; ``lat``/``lng`` in GCJ-02.

    ``score`` is 0–100 (100: the name typed exactly); ``matched`` is the part of the text that named it.
    ``kind``: ``place`` (a point of the gazetteer), ``crossing`` (two roads), ``section`` (a part of a
    road) or ``road`` (a road alone: kilometres long, so imprecise). ``detail`` is the building, unit or
    gate the resident added ("5栋", "3号楼2单元", "东门"); :attr:`address` joins them.
    """

    name: str
    place_id: str
    grid_id: str | None
    grid_name: str
    community: str
    street: str
    lat: float
    lng: float
    score: float
    matched: str
    kind: str = "place"
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "address": self.address}

    @property
    def address(self) -> str:
        """The place with the resident's building / unit / gate: "海棠花园5栋"."""
        return self.name + self.detail if self.detail and not self.name.endswith(self.detail) else self.name

    @property
    def precise(self) -> bool:
        return self.kind != "road"


@dataclass(frozen=True, slots=True)
class GridFacts:
    """A grid and its on-duty grid worker (from the worker table; demo values in the sandbox)."""

    grid_id: str
    name: str
    community: str
    street: str
    community_code: str
    street_code: str
    worker_name: str
    worker_phone: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
