"""Roads as lines: "包河大道与繁华大道交口", "马鞍山路北段", "望江路东头" → a point on the map.

The road layer is the line part of the gazetteer: a GeoJSON FeatureCollection of LineString or
MultiLineString features (GCJ-02) with the properties ``road_id``, ``name`` and optionally ``aliases``
(a list, or one string separated by ``|``) and ``orientation`` (``north-south`` / ``east-west``; worked
out from the geometry when absent).

Reading a text:

* two roads named together ("X路与Y路交口", "X路和Y路路口", "X路Y路交叉口") → where the lines cross; when
  the two lines do not meet in the layer but pass within :data:`NEAR_CROSSING_M`, the middle of the gap;
* one road with a part of it ("北段", "中段", "东头", "西端") → a point along the line in that part;
* one road alone → the road, flagged imprecise: a road is kilometres long and crosses many grids.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import LineString, MultiLineString, Point, shape

from geo.chars import clean

NEAR_CROSSING_M = 300.0
M_PER_DEG_LAT = 110_900.0
M_PER_DEG_LNG = 94_500.0  # at the district's latitude (~31.8°)
# Parts of a road: (direction, kind) → how far along the axis, from the south / west end.
_PART = re.compile(r"^的?([东西南北中])(段|头|端|口)")
_FRACTION = {("段", "北"): 0.75, ("段", "南"): 0.25, ("段", "东"): 0.75, ("段", "西"): 0.25,
             ("段", "中"): 0.5, ("头", "北"): 0.92, ("头", "南"): 0.08, ("头", "东"): 0.92,
             ("头", "西"): 0.08}
_CROSSING_WORDS = re.compile(r"^(?:交叉路口|十字路口|丁字路口|交叉口|交汇处|交界处|交口|路口|口)")
_AXIS_OF = {"北": "north-south", "南": "north-south", "东": "east-west", "西": "east-west"}


@dataclass(frozen=True, slots=True)
class Road:
    road_id: str
    name: str
    aliases: tuple[str, ...]
    orientation: str  # "north-south" | "east-west"
    geometry: Any  # LineString | MultiLineString, GCJ-02 (x = lng, y = lat)
    path: LineString  # every part joined, running south→north or west→east


@dataclass(frozen=True, slots=True)
class RoadReading:
    """A position read from road names in a text.

    ``kind``: ``crossing`` (two roads), ``section`` (a part of one road) or ``road`` (a road alone:
    imprecise). ``label`` is how staff and residents read it ("包河大道与繁华大道交口"); ``start``/``end``
    span the words in the cleaned text.
    """

    kind: str
    label: str
    lat: float
    lng: float
    roads: tuple[str, ...]
    start: int
    end: int

    @property
    def precise(self) -> bool:
        return self.kind != "road"


def _aliases(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = raw.split("|")
    if not isinstance(raw, list | tuple):
        return ()
    return tuple(str(a).strip() for a in raw if str(a).strip())


def _orientation(geometry: Any) -> str:
    minx, miny, maxx, maxy = geometry.bounds
    return "north-south" if (maxy - miny) * M_PER_DEG_LAT >= (maxx - minx) * M_PER_DEG_LNG else "east-west"


def _path(geometry: Any, orientation: str) -> LineString:
    parts = list(geometry.geoms) if isinstance(geometry, MultiLineString) else [geometry]
    axis = 1 if orientation == "north-south" else 0
    coords: list[tuple[float, float]] = []
    for part in parts:
        points = [(float(x), float(y)) for x, y, *_ in part.coords]
        if points[0][axis] > points[-1][axis]:
            points.reverse()
        coords.extend(points)
    coords.sort(key=lambda point: point[axis])
    return LineString(coords)


def read_roads(data: Any) -> list[Road]:
    """Roads from a parsed GeoJSON FeatureCollection; ValueError naming the feature when one is unusable."""
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise ValueError('not a GeoJSON FeatureCollection with a "features" list')
    roads: list[Road] = []
    for number, feature in enumerate(features, start=1):
        properties = (feature or {}).get("properties") or {}
        road_id, name = str(properties.get("road_id") or "").strip(), str(properties.get("name") or "").strip()
        if not road_id or not name:
            raise ValueError(f"feature {number}: road_id and name are required")
        try:
            geometry = shape(feature["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"feature {number} ({road_id}): unreadable geometry ({exc})") from None
        if not isinstance(geometry, LineString | MultiLineString) or geometry.is_empty:
            raise ValueError(f"feature {number} ({road_id}): geometry must be a LineString or "
                             f"MultiLineString, not {geometry.geom_type}")
        orientation = str(properties.get("orientation") or "") or _orientation(geometry)
        if orientation not in ("north-south", "east-west"):
            raise ValueError(f"feature {number} ({road_id}): orientation must be north-south or east-west")
        roads.append(Road(road_id, name, _aliases(properties.get("aliases")), orientation, geometry,
                          _path(geometry, orientation)))
    return roads


def _metres(a: Point, b: Point) -> float:
    return float(((a.x - b.x) * M_PER_DEG_LNG) ** 2 + ((a.y - b.y) * M_PER_DEG_LAT) ** 2) ** 0.5


class RoadIndex:
    """Road names (and aliases) found in texts, and the positions they describe."""

    def __init__(self, roads: list[Road]) -> None:
        self.roads = roads
        keys: list[tuple[str, int]] = []
        for number, road in enumerate(roads):
            for key in {clean(road.name), *(clean(alias) for alias in road.aliases)}:
                if len(key) >= 2:
                    keys.append((key, number))
        self._keys = sorted(keys, key=lambda item: -len(item[0]))

    def __len__(self) -> int:
        return len(self.roads)

    def mentions(self, cleaned: str) -> list[tuple[int, int, int]]:
        """(road number, start, end) of each road named in a cleaned text, longest names first, no overlap."""
        taken = [False] * len(cleaned)
        found: list[tuple[int, int, int]] = []
        for key, number in self._keys:
            start = cleaned.find(key)
            while start >= 0:
                end = start + len(key)
                if not any(taken[start:end]):
                    taken[start:end] = [True] * len(key)
                    found.append((number, start, end))
                start = cleaned.find(key, end)
        found.sort(key=lambda item: item[1])
        distinct: list[tuple[int, int, int]] = []
        for item in found:
            if all(item[0] != other[0] for other in distinct):
                distinct.append(item)
        return distinct

    def read(self, text: str) -> RoadReading | None:
        """The position the text gives with road names, or None when it names no road."""
        cleaned = clean(text)
        mentions = self.mentions(cleaned)
        if not mentions:
            return None
        if len(mentions) >= 2:
            crossing = self.crossing(mentions[0][0], mentions[1][0])
            if crossing is not None:
                a, b = self.roads[mentions[0][0]], self.roads[mentions[1][0]]
                end = mentions[1][2]
                cue = _CROSSING_WORDS.match(cleaned[end:])
                return RoadReading("crossing", f"{a.name}与{b.name}交口", crossing.y, crossing.x,
                                   (a.road_id, b.road_id), mentions[0][1], end + (cue.end() if cue else 0))
        number, start, end = mentions[0]
        road = self.roads[number]
        part = _PART.match(cleaned[end:])
        if part is not None:
            point = self.along(road, part.group(1), part.group(2))
            if point is not None:
                label = f"{road.name}{part.group(1)}{'段' if part.group(2) == '段' else '头'}"
                return RoadReading("section", label, point.y, point.x, (road.road_id,), start,
                                   end + part.end())
        middle = road.path.interpolate(0.5, normalized=True)
        return RoadReading("road", road.name, middle.y, middle.x, (road.road_id,), start, end)

    def crossing(self, first: int, second: int) -> Point | None:
        """Where two roads cross (or nearly meet); None when they stay apart."""
        a, b = self.roads[first].geometry, self.roads[second].geometry
        meet = a.intersection(b)
        if not meet.is_empty:
            points = [g for g in getattr(meet, "geoms", [meet]) if isinstance(g, Point)]
            if points:
                return points[0]
            return Point(meet.representative_point())
        gap = shapely.shortest_line(a, b)
        ends = [Point(c) for c in gap.coords]
        if _metres(ends[0], ends[1]) <= NEAR_CROSSING_M:
            return Point((ends[0].x + ends[1].x) / 2, (ends[0].y + ends[1].y) / 2)
        return None

    @staticmethod
    def along(road: Road, direction: str, part: str) -> Point | None:
        """A point in the named part of a road (北段, 东头…); None when the part makes no sense for it."""
        kind = "段" if part == "段" else "头"
        if direction != "中" and _AXIS_OF[direction] != road.orientation:
            return None
        fraction = _FRACTION.get((kind, direction))
        if fraction is None:
            return None
        return Point(road.path.interpolate(fraction, normalized=True))

    def nearest(self, lat: float, lng: float, within_m: float) -> tuple[Road, float] | None:
        """The road closest to a point, when one passes within ``within_m``."""
        point = Point(lng, lat)
        best: tuple[Road, float] | None = None
        for road in self.roads:
            near = shapely.shortest_line(point, road.geometry)
            ends = [Point(c) for c in near.coords]
            distance = _metres(ends[0], ends[1])
            if distance <= within_m and (best is None or distance < best[1]):
                best = (road, distance)
        return best
