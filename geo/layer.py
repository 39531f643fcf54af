"""The grid layer: polygons in GCJ-02 and a cell index that answers "which grid holds this point".

Lookup works in two steps. At load time the layer's bounding box is cut into square cells of
``cell_deg`` degrees; an STRtree finds the grids touching each cell, and a cell that lies strictly
inside one grid (``contains_properly``) is marked *pure*. A point in a pure cell needs no geometry test
at all; a point in a mixed cell is tested with ``shapely.intersects_xy`` against the cell's few
(prepared) candidates in ascending ``grid_id`` order, so a point exactly on a shared edge always goes to
the grid with the smallest id — the same answer from the single and the batch path. A point in no grid
falls back to the STRtree's nearest polygon and a haversine distance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Point, shape
from shapely.ops import nearest_points

from geo.coords import FloatArray, distance_m
from geo.errors import GeoError

IntArray = npt.NDArray[np.int64]
_PURE_MIXED = -1
_PURE_EMPTY = -2
REQUIRED_PROPERTIES = ("grid_id", "grid_name", "community", "street")


@dataclass(frozen=True, slots=True)
class Grid:
    grid_id: str
    grid_name: str
    community: str
    street: str
    community_code: str = ""
    street_code: str = ""


class GridLayer:
    """An immutable set of grids (sorted by ``grid_id``) with a point-lookup index."""

    def __init__(self, grids: list[Grid], geometries: list[Any], source: dict[str, Any],
                 cell_deg: float = 0.0008) -> None:
        order = sorted(range(len(grids)), key=lambda i: grids[i].grid_id)
        self.grids: list[Grid] = [grids[i] for i in order]
        self.geometries = np.array([geometries[i] for i in order], dtype=object)
        self.source = source
        self.by_id: dict[str, int] = {grid.grid_id: i for i, grid in enumerate(self.grids)}
        if len(self.by_id) != len(self.grids):
            raise GeoError("duplicate grid ids in the layer")
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)
        self._build_cells(cell_deg)

    @classmethod
    def from_geojson(cls, data: dict[str, Any], cell_deg: float = 0.0008) -> GridLayer:
        """A layer from a (validated) GeoJSON FeatureCollection of grid polygons."""
        grids: list[Grid] = []
        geometries: list[Any] = []
        for feature in data.get("features", []):
            props = feature.get("properties") or {}
            grids.append(Grid(
                grid_id=str(props["grid_id"]), grid_name=str(props["grid_name"]),
                community=str(props["community"]), street=str(props["street"]),
                community_code=str(props.get("community_code", "")),
                street_code=str(props.get("street_code", "")),
            ))
            geometries.append(shape(feature["geometry"]))
        if not grids:
            raise GeoError("the layer holds no grids")
        return cls(grids, geometries, data, cell_deg)

    def __len__(self) -> int:
        return len(self.grids)

    # -- index -----------------------------------------------------------------------------------
    def _build_cells(self, cell_deg: float) -> None:
        minx, miny, maxx, maxy = shapely.total_bounds(self.geometries)
        self._x0, self._y0 = float(minx), float(miny)
        self._inv = 1.0 / cell_deg
        self._nx = max(1, math.ceil((maxx - minx) * self._inv) + 1)
        self._ny = max(1, math.ceil((maxy - miny) * self._inv) + 1)
        self._x1 = self._x0 + self._nx * cell_deg
        self._y1 = self._y0 + self._ny * cell_deg
        grid_x, grid_y = np.meshgrid(np.arange(self._nx), np.arange(self._ny))
        ix, iy = grid_x.ravel(), grid_y.ravel()
        boxes = shapely.box(self._x0 + ix * cell_deg, self._y0 + iy * cell_deg,
                            self._x0 + (ix + 1) * cell_deg, self._y0 + (iy + 1) * cell_deg)
        cell_of_pair, grid_of_pair = self.tree.query(boxes, predicate="intersects")
        order = np.lexsort((grid_of_pair, cell_of_pair))
        cell_of_pair, grid_of_pair = cell_of_pair[order], grid_of_pair[order]
        inside = shapely.contains_properly(self.geometries[grid_of_pair], boxes[cell_of_pair])
        n_cells = self._nx * self._ny
        pure = np.full(n_cells, _PURE_EMPTY, dtype=np.int64)
        pure[np.unique(cell_of_pair)] = _PURE_MIXED
        pure[cell_of_pair[inside]] = grid_of_pair[inside]
        mixed_pairs = pure[cell_of_pair] == _PURE_MIXED
        counts = np.bincount(cell_of_pair[mixed_pairs], minlength=n_cells)
        self._offsets: IntArray = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self._candidates: IntArray = grid_of_pair[mixed_pairs].astype(np.int64)
        self._pure: IntArray = pure
        self._pure_list: list[int] = pure.tolist()
        offsets = self._offsets.tolist()
        cands = self._candidates.tolist()
        self._cand_list: list[tuple[int, ...]] = [
            tuple(cands[offsets[c]:offsets[c + 1]]) for c in range(n_cells)
        ]
        self._geom_list: list[Any] = list(self.geometries)

    @property
    def cell_count(self) -> int:
        return self._nx * self._ny

    # -- single point ----------------------------------------------------------------------------
    def index_at(self, lat: float, lng: float) -> int:
        """Index of the grid holding (lat, lng) in GCJ-02, or -1 when no grid holds it."""
        if not (self._x0 <= lng < self._x1 and self._y0 <= lat < self._y1):
            return -1
        cell = int((lat - self._y0) * self._inv) * self._nx + int((lng - self._x0) * self._inv)
        pure = self._pure_list[cell]
        if pure >= 0:
            return pure
        if pure == _PURE_MIXED:
            geoms = self._geom_list
            for index in self._cand_list[cell]:
                if shapely.intersects_xy(geoms[index], lng, lat):
                    return index
        return -1

    def nearest(self, lat: float, lng: float) -> tuple[int, float]:
        """The grid nearest to a point outside every grid and the distance to it in metres."""
        point = Point(lng, lat)
        hits = self.tree.query_nearest(point)
        index = int(min(hits))
        near, _ = nearest_points(self.geometries[index], point)
        return index, distance_m(lat, lng, near.y, near.x)

    # -- batch -----------------------------------------------------------------------------------
    def indices_at(self, lat: FloatArray, lng: FloatArray) -> IntArray:
        """Vectorised :meth:`index_at`: one grid index (or -1) per point, same answers."""
        lat = np.asarray(lat, dtype=np.float64)
        lng = np.asarray(lng, dtype=np.float64)
        result = np.full(lat.shape[0], -1, dtype=np.int64)
        inb = np.flatnonzero((lng >= self._x0) & (lng < self._x1) & (lat >= self._y0) & (lat < self._y1))
        if inb.size == 0:
            return result
        cells = ((lat[inb] - self._y0) * self._inv).astype(np.int64) * self._nx + (
            (lng[inb] - self._x0) * self._inv).astype(np.int64)
        pure = self._pure[cells]
        result[inb] = np.where(pure >= 0, pure, -1)
        mixed = pure == _PURE_MIXED
        points, mcells = inb[mixed], cells[mixed]
        starts = self._offsets[mcells]
        counts = self._offsets[mcells + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return result
        first = np.cumsum(counts) - counts
        pair_point = np.repeat(points, counts)
        pair_pos = np.arange(total) - np.repeat(first, counts) + np.repeat(starts, counts)
        pair_grid = self._candidates[pair_pos]
        hit = shapely.intersects_xy(self.geometries[pair_grid], lng[pair_point], lat[pair_point])
        hit_points, first_hit = np.unique(pair_point[hit], return_index=True)
        result[hit_points] = pair_grid[hit][first_hit]
        return result
