"""Checks on the centre's own grid layer and gazetteer before they replace the active ones.

Each check yields readable lines naming the feature or row, the position (lat, lng in GCJ-02) and, for
areas, the size in m². Errors reject the file; warnings are printed and the file is accepted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape

from geo.coords import (
    FloatArray,
    bd09_to_gcj02_array,
    square_metres_per_square_degree,
    wgs84_to_gcj02_array,
)
from geo.gazetteer import read_places
from geo.layer import REQUIRED_PROPERTIES, GridLayer
from geo.roads import read_roads

SLIVER_M2 = 50.0  # gaps and overlaps smaller than this are digitising noise
NEAR_M = 100.0
MAX_LINES = 20


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"… and {len(lines) - MAX_LINES} more like these"]


def _where(geom: Any) -> str:
    point = geom.representative_point()
    return f"near lat {point.y:.6f}, lng {point.x:.6f}"


def _area_m2(geom: Any) -> float:
    return float(geom.area) * square_metres_per_square_degree(geom.centroid.y)


def _pieces(geom: Any) -> list[Any]:
    if geom.is_empty:
        return []
    return [part for part in getattr(geom, "geoms", [geom]) if part.area > 0]


# -- grid layer ----------------------------------------------------------------------------------
def validate_layer(text: str, boundary: Any, *, allow_gaps: bool = False) -> tuple[Report, GridLayer | None]:
    """Check a GeoJSON grid layer against the district boundary; the layer when it passes."""
    report = Report()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        report.errors.append(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        return report, None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        report.errors.append("not a GeoJSON FeatureCollection with a non-empty \"features\" list")
        return report, None
    geoms = _check_features(features, report)
    if report.errors:
        return report, None
    _check_crs(geoms, boundary, report)
    if report.errors:
        return report, None
    _check_overlaps(geoms, features, report)
    _check_coverage(geoms, boundary, report, allow_gaps=allow_gaps)
    if report.errors:
        return report, None
    layer = GridLayer.from_geojson(data)
    report.summary = f"{len(layer)} grids, {len({g.community for g in layer.grids})} communities"
    return report, layer


def _check_features(features: list[Any], report: Report) -> list[Any]:
    problems: list[str] = []
    seen: dict[str, int] = {}
    geoms: list[Any] = []
    for number, feature in enumerate(features, start=1):
        props = (feature.get("properties") or {}) if isinstance(feature, dict) else {}
        label = f"feature {number}" + (f" (grid_id {props['grid_id']})" if props.get("grid_id") else "")
        missing = [name for name in REQUIRED_PROPERTIES if str(props.get(name) or "").strip() == ""]
        if missing:
            problems.append(f"{label}: missing property {', '.join(missing)}")
        grid_id = str(props.get("grid_id") or "").strip()
        if grid_id:
            if grid_id in seen:
                problems.append(f"{label}: duplicate grid_id {grid_id} (also feature {seen[grid_id]})")
            seen.setdefault(grid_id, number)
        raw_geom = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(raw_geom, dict) or raw_geom.get("type") not in ("Polygon", "MultiPolygon"):
            problems.append(f"{label}: geometry must be a Polygon or MultiPolygon")
            continue
        try:
            geom = shape(raw_geom)
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            problems.append(f"{label}: unreadable coordinates ({exc})")
            continue
        if geom.is_empty or geom.area == 0:
            problems.append(f"{label}: empty polygon")
        elif not geom.is_valid:
            problems.append(f"{label}: invalid polygon: {shapely.is_valid_reason(geom)} (lng lat)")
        geoms.append(geom)
    report.errors.extend(_capped(problems))
    return geoms


def _shifted(geom: Any, convert: Any) -> Any:
    def move(coords: FloatArray) -> FloatArray:
        lat, lng = convert(coords[:, 1], coords[:, 0])
        return np.column_stack([lng, lat])

    return shapely.transform(geom, move)


def _check_crs(geoms: list[Any], boundary: Any, report: Report) -> None:
    minx, miny, _, _ = shapely.total_bounds(np.array(geoms, dtype=object))
    if 3 < minx < 54 and 73 < miny < 136:
        report.errors.append("coordinates look like [lat, lng]; GeoJSON positions are [lng, lat]")
        return
    union = shapely.union_all(np.array(geoms, dtype=object))
    inside = _inside_fraction(union, boundary)
    if inside > 0.995:
        return
    hypotheses = {"WGS-84 (GPS)": wgs84_to_gcj02_array, "BD-09 (Baidu)": bd09_to_gcj02_array}
    scores = {name: _inside_fraction(_shifted(union, f), boundary) for name, f in hypotheses.items()}
    name, best = max(scores.items(), key=lambda item: item[1])
    centre = union.centroid
    if best > inside + 0.01 and best > 0.9:
        moved = _shifted(centre, hypotheses[name])
        offset = math.hypot((moved.x - centre.x) * 94500, (moved.y - centre.y) * 110900)
        report.errors.append(
            f"coordinates look like {name}, not GCJ-02: converted from {name} the layer fits the district "
            f"({best:.1%} inside instead of {inside:.1%}); shift ≈ {offset:.0f} m. Convert to GCJ-02 first")
    elif inside < 0.5:
        report.errors.append(
            f"the layer is not over the district: only {inside:.1%} of its area is inside "
            f"(layer centre lat {centre.y:.5f}, lng {centre.x:.5f})")


def _inside_fraction(geom: Any, boundary: Any) -> float:
    return float(geom.intersection(boundary).area / geom.area) if geom.area else 0.0


def _check_overlaps(geoms: list[Any], features: list[Any], report: Report) -> None:
    array = np.array(geoms, dtype=object)
    tree = shapely.STRtree(array)
    left, right = tree.query(array, predicate="overlaps")
    keep = left < right
    problems: list[str] = []
    for i, j in zip(left[keep].tolist(), right[keep].tolist(), strict=True):
        for piece in _pieces(array[i].intersection(array[j])):
            area = _area_m2(piece)
            if area >= SLIVER_M2:
                a, b = (features[k]["properties"]["grid_id"] for k in (i, j))
                problems.append(f"overlap of {area:,.0f} m² between grids {a} and {b}, {_where(piece)}")
    report.errors.extend(_capped(problems))


def _check_coverage(geoms: list[Any], boundary: Any, report: Report, *, allow_gaps: bool) -> None:
    union = shapely.union_all(np.array(geoms, dtype=object))
    gaps = [p for p in _pieces(boundary.difference(union)) if _area_m2(p) >= SLIVER_M2]
    gaps.sort(key=_area_m2, reverse=True)
    lines = [f"gap of {_area_m2(p):,.0f} m² covered by no grid, {_where(p)}" for p in gaps]
    (report.warnings if allow_gaps else report.errors).extend(_capped(lines))
    beyond = [p for p in _pieces(union.difference(boundary)) if _area_m2(p) >= SLIVER_M2]
    if beyond:
        total = sum(_area_m2(p) for p in beyond)
        report.warnings.append(
            f"{len(beyond)} piece(s) of grids, {total:,.0f} m² in all, lie outside the district boundary, "
            f"largest {_where(max(beyond, key=_area_m2))}")


# -- gazetteer -----------------------------------------------------------------------------------
def validate_places(text: str, layer: GridLayer) -> Report:
    """Check a gazetteer CSV against the active grid layer."""
    report = Report()
    try:
        places = read_places(text)
    except (ValueError, KeyError, TypeError) as exc:
        report.errors.append(
            f"unreadable gazetteer: {exc} (columns place_id,name,lng,lat[,kind,grid_id,aliases])")
        return report
    if not places:
        report.errors.append("the gazetteer holds no places")
        return report
    problems: list[str] = []
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for row, place in enumerate(places, start=2):
        if not place.place_id or not place.name:
            problems.append(f"row {row}: place_id and name must not be empty")
        if place.place_id in seen_ids:
            first = seen_ids[place.place_id]
            problems.append(f"row {row}: duplicate place_id {place.place_id} (also row {first})")
        seen_ids.setdefault(place.place_id, row)
        if place.name in seen_names:
            report.warnings.append(f"row {row}: name {place.name} also on row {seen_names[place.name]}; "
                                   "a text naming it will offer both")
        seen_names.setdefault(place.name, row)
        if not (math.isfinite(place.lat) and math.isfinite(place.lng)):
            problems.append(f"row {row}: lat/lng must be numbers")
    report.errors.extend(_capped(problems))
    if any(not (math.isfinite(p.lat) and math.isfinite(p.lng)) for p in places):
        return report
    lat = np.array([p.lat for p in places])
    lng = np.array([p.lng for p in places])
    _check_place_positions(places, lat, lng, layer, report)
    if report.ok:
        report.summary = f"{len(places)} places"
    return report


def _check_place_positions(places: list[Any], lat: FloatArray, lng: FloatArray, layer: GridLayer,
                           report: Report) -> None:
    found = layer.indices_at(lat, lng)
    stated = [p.grid_id for p in places]
    has_stated = any(stated)

    def agreeing(indices: Any) -> int:
        if has_stated:
            return sum(1 for i, s in zip(indices.tolist(), stated, strict=True)
                       if i >= 0 and layer.grids[i].grid_id == s)
        return int((indices >= 0).sum())

    as_is = agreeing(found)
    if as_is < 0.9 * len(places):
        for name, convert in (("WGS-84 (GPS)", wgs84_to_gcj02_array), ("BD-09 (Baidu)", bd09_to_gcj02_array)):
            clat, clng = convert(lat, lng)
            converted = agreeing(layer.indices_at(clat, clng))
            if converted > as_is + 0.1 * len(places):
                report.errors.append(
                    f"coordinates look like {name}, not GCJ-02: converted, {converted} of {len(places)} "
                    f"places fall in their grid instead of {as_is}. Convert to GCJ-02 first")
                return
    outside: list[str] = []
    mismatched: list[str] = []
    for row, (place, index) in enumerate(zip(places, found.tolist(), strict=True), start=2):
        if index < 0:
            near, dist = layer.nearest(place.lat, place.lng)
            if dist > NEAR_M:
                outside.append(f"row {row}: {place.name} at lat {place.lat}, lng {place.lng} is outside the "
                               f"district ({dist:,.0f} m from grid {layer.grids[near].grid_id})")
        elif place.grid_id and layer.grids[index].grid_id != place.grid_id:
            mismatched.append(f"row {row}: {place.name} stands in grid {layer.grids[index].grid_id}, "
                              f"the file says {place.grid_id}; the position wins")
    report.errors.extend(_capped(outside))
    report.warnings.extend(_capped(mismatched))


# -- road layer (the gazetteer's lines) -------------------------------------------------------------
def validate_roads(text: str, layer: GridLayer) -> Report:
    """Check a GeoJSON road layer: properties, line geometry, unique ids, GCJ-02 over the grid layer."""
    report = Report()
    try:
        roads = read_roads(json.loads(text))
    except json.JSONDecodeError as exc:
        report.errors.append(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
        return report
    except ValueError as exc:
        report.errors.append(f"{exc} (properties road_id, name[, aliases, orientation])")
        return report
    if not roads:
        report.errors.append("the road layer holds no roads")
        return report
    seen: dict[str, str] = {}
    for road in roads:
        if road.road_id in seen:
            report.errors.append(f"duplicate road_id {road.road_id} ({seen[road.road_id]} and {road.name})")
        seen.setdefault(road.road_id, road.name)
    if report.errors:
        return report
    # points along each road (a clipped road may have all its vertices on the district's edge)
    steps = np.linspace(0.02, 0.98, 25)
    vertices = [np.asarray([road.path.interpolate(f, normalized=True).coords[0] for f in steps])
                for road in roads]
    lng = np.concatenate([v[:, 0] for v in vertices])
    lat = np.concatenate([v[:, 1] for v in vertices])
    inside = int((layer.indices_at(lat, lng) >= 0).sum())
    if inside < 0.9 * len(lat):
        for name, convert in (("WGS-84 (GPS)", wgs84_to_gcj02_array), ("BD-09 (Baidu)", bd09_to_gcj02_array)):
            clat, clng = convert(lat, lng)
            if int((layer.indices_at(clat, clng) >= 0).sum()) > inside + 0.1 * len(lat):
                report.errors.append(f"coordinates look like {name}, not GCJ-02. Convert to GCJ-02 first")
                return report
    for road, coords in zip(roads, vertices, strict=True):
        if int((layer.indices_at(coords[:, 1], coords[:, 0]) >= 0).sum()) == 0:
            report.errors.append(f"road {road.road_id} {road.name} lies wholly outside the grid layer")
    if report.ok:
        report.summary = f"{len(roads)} roads"
    return report
