"""GeoService: the one object the rest of the system asks "where is this?".

It holds an immutable :class:`Snapshot` (layer, gazetteer, text index, worker table) and swaps it in
one assignment when :meth:`GeoService.refresh_if_changed` sees that an import replaced a file; every
public method calls that check, which stats the files at most once a second. A snapshot that fails to
build is logged and the old one kept.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from geo.address import detail_after
from geo.chars import clean
from geo.coords import FloatArray, to_gcj02, to_gcj02_array
from geo.errors import GeoError, UnknownGridError
from geo.gazetteer import Place, name_keys, read_alias_table, read_places
from geo.layer import GridLayer, IntArray
from geo.matcher import PlaceMatcher
from geo.models import GridFacts, PointLocation, TextCandidate
from geo.roads import RoadIndex, RoadReading, read_roads
from geo.store import Signature, Sources, active_sources

log = logging.getLogger(__name__)
NEAR_M = 100.0  # points this close outside the district go to the nearest grid, flagged approximate
NEAR_PLACE_M = 300.0  # a pin is described by the nearest named place this close…
NEAR_ROAD_M = 150.0  # …else by the nearest road this close, else by its grid
AT_PLACE_M = 30.0  # closer than this a pin is at the place, not near it


class InvalidCoordinate(GeoError, ValueError):
    """A latitude or longitude that is not a finite number in range."""


@dataclass(frozen=True)
class Snapshot:
    layer: GridLayer
    places: list[Place]
    place_grid: list[int]  # grid index of each place (-1: outside), from its position
    matcher: PlaceMatcher
    workers: dict[str, tuple[str, str]]
    roads: RoadIndex
    place_lat: FloatArray
    place_lng: FloatArray
    signature: Signature
    built_seconds: float

    @classmethod
    def build(cls, sources: Sources) -> Snapshot:
        started = time.perf_counter()
        signature = sources.signature()
        layer = GridLayer.from_geojson(json.loads(sources.grids.read_text(encoding="utf-8")))
        places = read_places(sources.places.read_text(encoding="utf-8-sig"))
        aliases = read_alias_table(sources.aliases.read_text(encoding="utf-8-sig")) \
            if sources.aliases.is_file() else {}
        place_grid = layer.indices_at(np.array([p.lat for p in places]),
                                      np.array([p.lng for p in places])).tolist()
        matcher = PlaceMatcher(name_keys(places, aliases), [p.name for p in places])
        workers: dict[str, tuple[str, str]] = {}
        if sources.workers.is_file():
            for row in csv.DictReader(io.StringIO(sources.workers.read_text(encoding="utf-8-sig"))):
                workers[row["grid_id"].strip()] = (row["worker_name"].strip(), row["worker_phone"].strip())
        roads = RoadIndex(read_roads(json.loads(sources.roads.read_text(encoding="utf-8")))
                          if sources.roads.is_file() else [])
        return cls(layer, places, place_grid, matcher, workers, roads,
                   np.array([p.lat for p in places]), np.array([p.lng for p in places]),
                   signature, time.perf_counter() - started)

    def near(self, lat: float, lng: float) -> str:
        """The nearest named place ("星河雅居附近"), else the nearest road, else ""."""
        if len(self.places):
            dy = (self.place_lat - lat) * 110_900.0
            dx = (self.place_lng - lng) * 94_500.0
            distances = np.hypot(dx, dy)
            best = int(np.argmin(distances))
            if distances[best] <= AT_PLACE_M:
                return self.places[best].name
            if distances[best] <= NEAR_PLACE_M:
                return f"{self.places[best].name}附近"
        road = self.roads.nearest(lat, lng, NEAR_ROAD_M)
        return f"{road[0].name}附近" if road is not None else ""


class GeoService:
    """Point → grid, text → places, grid facts and the layer as GeoJSON; see ``docs/geo.md``."""

    def __init__(self, data_dir: Path | None = None, refresh_interval: float = 1.0) -> None:
        self.data_dir = Path(data_dir) if data_dir is not None else None
        self.refresh_interval = refresh_interval
        self._lock = threading.Lock()
        self._snapshot = Snapshot.build(active_sources(self.data_dir))
        self._checked = time.monotonic()

    @classmethod
    def load(cls, data_dir: Path | None = None) -> GeoService:
        """The packaged layer and gazetteer, or the ones imported into ``data_dir``."""
        return cls(data_dir)

    # -- reloading -------------------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def refresh_if_changed(self, force: bool = False) -> bool:
        """Reload when an import replaced a file; True when a new snapshot was installed."""
        now = time.monotonic()
        if not force and now - self._checked < self.refresh_interval:
            return False
        self._checked = now
        sources = active_sources(self.data_dir)
        if sources.signature() == self._snapshot.signature:
            return False
        with self._lock:
            if sources.signature() == self._snapshot.signature:
                return False
            try:
                self._snapshot = Snapshot.build(sources)
            except (OSError, ValueError, KeyError, GeoError) as exc:
                log.error("geo data changed but could not be loaded, keeping the old data: %s", exc)
                return False
        log.info("geo data reloaded: %d grids, %d places", len(self._snapshot.layer),
                 len(self._snapshot.places))
        return True

    # -- points ----------------------------------------------------------------------------------
    def locate_point(self, lat: float, lng: float, crs: str = "gcj02") -> PointLocation:
        """The grid holding a point given in ``crs`` (``wgs84``, ``gcj02`` or ``bd09``)."""
        if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
            raise InvalidCoordinate(f"not a coordinate: lat {lat!r}, lng {lng!r}")
        if time.monotonic() - self._checked >= self.refresh_interval:
            self.refresh_if_changed()
        glat, glng = to_gcj02(lat, lng, crs)
        layer = self._snapshot.layer
        index = layer.index_at(glat, glng)
        if index >= 0:
            grid = layer.grids[index]
            return PointLocation(grid.grid_id, grid.grid_name, grid.community, grid.street,
                                 False, False, 0.0, glat, glng)
        return self._outside(layer, glat, glng)

    def describe_point(self, lat: float, lng: float, crs: str = "gcj02") -> str:
        """A point as an address: the nearest named place ("星河雅居", "星河雅居附近"), else the nearest
        road ("望江东路附近"), else "" (the caller falls back to the grid's name)."""
        if not (math.isfinite(lat) and math.isfinite(lng) and -90 <= lat <= 90 and -180 <= lng <= 180):
            raise InvalidCoordinate(f"not a coordinate: lat {lat!r}, lng {lng!r}")
        self.refresh_if_changed()
        glat, glng = to_gcj02(lat, lng, crs)
        return self._snapshot.near(glat, glng)

    @staticmethod
    def _outside(layer: GridLayer, lat: float, lng: float) -> PointLocation:
        index, distance = layer.nearest(lat, lng)
        if distance <= NEAR_M:
            grid = layer.grids[index]
            return PointLocation(grid.grid_id, grid.grid_name, grid.community, grid.street,
                                 True, False, round(distance, 1), lat, lng)
        return PointLocation(None, "", "", "", False, True, round(distance, 1), lat, lng)

    def grid_indices(self, lat: FloatArray, lng: FloatArray, crs: str = "gcj02") -> IntArray:
        """Batch lookup: the grid index (into ``snapshot.layer.grids``) of each point, -1 when outside."""
        glat, glng = to_gcj02_array(lat, lng, crs)
        return self._snapshot.layer.indices_at(glat, glng)

    def locate_points(self, lat: FloatArray, lng: FloatArray, crs: str = "gcj02") -> list[PointLocation]:
        """:meth:`locate_point` for many points at once (vectorised for the points inside a grid)."""
        self.refresh_if_changed()
        layer = self._snapshot.layer
        glat, glng = to_gcj02_array(lat, lng, crs)
        indices = layer.indices_at(glat, glng).tolist()
        result: list[PointLocation] = []
        for a, b, index in zip(glat.tolist(), glng.tolist(), indices, strict=True):
            if index >= 0:
                grid = layer.grids[index]
                result.append(PointLocation(grid.grid_id, grid.grid_name, grid.community, grid.street,
                                            False, False, 0.0, a, b))
            elif math.isfinite(a) and math.isfinite(b):
                result.append(self._outside(layer, a, b))
            else:
                raise InvalidCoordinate(f"not a coordinate: lat {a!r}, lng {b!r}")
        return result

    # -- text ------------------------------------------------------------------------------------
    def locate_text(self, text: str) -> list[TextCandidate]:
        """Places the text names, best first; [] when it names none plausibly.

        A crossroads or a part of a road ("X路与Y路交口", "X路北段") comes first; a gazetteer place
        named elsewhere in the text follows it. A road named alone comes after any gazetteer place (a
        compound on the road says more), flagged ``kind="road"``.
        """
        self.refresh_if_changed()
        snap = self._snapshot
        cleaned = clean(text)
        reading = snap.roads.read(text) if len(snap.roads) else None
        places: list[TextCandidate] = []
        for match in snap.matcher.match(text):
            if reading is not None and match.start < reading.end and reading.start < match.end:
                continue  # the words are a road's name (繁华大道 is no 繁华苑)
            place = snap.places[match.place]
            index = snap.place_grid[match.place]
            places.append(self._candidate(place.name, place.place_id, index, place.lat, place.lng,
                                          match.score, match.matched, "place",
                                          detail_after(cleaned[match.end:])))
        if reading is None:
            return places
        road = self._road_candidate(reading, cleaned)
        if road.grid_id is None:
            return places
        return [road, *places] if reading.precise or not places else [*places, road]

    def _road_candidate(self, reading: RoadReading, cleaned: str) -> TextCandidate:
        index = self._snapshot.layer.index_at(reading.lat, reading.lng)
        return self._candidate(reading.label, "+".join(reading.roads), index, reading.lat, reading.lng,
                               100.0 if reading.precise else 80.0, cleaned[reading.start:reading.end],
                               reading.kind, "")

    def _candidate(self, name: str, place_id: str, index: int, lat: float, lng: float, score: float,
                   matched: str, kind: str, detail: str) -> TextCandidate:
        grid = self._snapshot.layer.grids[index] if index >= 0 else None
        return TextCandidate(
            name=name, place_id=place_id,
            grid_id=grid.grid_id if grid else None, grid_name=grid.grid_name if grid else "",
            community=grid.community if grid else "", street=grid.street if grid else "",
            lat=lat, lng=lng, score=score, matched=matched, kind=kind, detail=detail,
        )

    # -- grids -----------------------------------------------------------------------------------
    def grid(self, grid_id: str) -> GridFacts:
        """Name, community, street and on-duty worker of a grid; UnknownGridError for a wrong id."""
        self.refresh_if_changed()
        snap = self._snapshot
        index = snap.layer.by_id.get(str(grid_id))
        if index is None:
            raise UnknownGridError(f"no grid {grid_id!r} in the active layer")
        grid = snap.layer.grids[index]
        worker, phone = snap.workers.get(grid.grid_id, ("", ""))
        return GridFacts(grid.grid_id, grid.grid_name, grid.community, grid.street,
                         grid.community_code, grid.street_code, worker, phone)

    def geojson(self) -> dict[str, Any]:
        """The active layer as GeoJSON (the parsed file, GCJ-02) for the console map."""
        self.refresh_if_changed()
        return self._snapshot.layer.source

    def info(self) -> dict[str, Any]:
        snap = self._snapshot
        return {
            "grids": len(snap.layer), "places": len(snap.places), "roads": len(snap.roads),
            "name_keys": snap.matcher.key_count,
            "index_cells": snap.layer.cell_count, "built_seconds": round(snap.built_seconds, 3),
            "sources": [path for path, _, _ in snap.signature],
        }
