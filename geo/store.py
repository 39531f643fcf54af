"""Where the active grid layer, gazetteer and worker table live, and how an import replaces them.

The package ships defaults in ``geo/data/``. An import validates the centre's file and writes it to
``<data_dir>/geo/`` (``grids.geojson``, ``places.csv``, ``roads.geojson``): first to a temporary file in
the same folder,
flushed to disk, then ``os.replace`` — atomic on POSIX, so a reader sees the old file or the new one,
never half of one. A running :class:`geo.service.GeoService` notices the new modification time and
reloads. A rejected file leaves everything as it was.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry import shape

from geo.errors import ImportRejected
from geo.layer import GridLayer
from geo.validation import Report, validate_layer, validate_places, validate_roads

PACKAGE_DATA = Path(__file__).resolve().parent / "data"
GRIDS_FILE = "grids.geojson"
PLACES_FILE = "places.csv"
WORKERS_FILE = "grid_workers.csv"
ALIASES_FILE = "place_aliases.csv"
ROADS_FILE = "roads.geojson"
BOUNDARY_FILE = "district_boundary.json"
Signature = tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class Sources:
    """The files the service reads: the imported ones where present, else the packaged defaults."""

    grids: Path
    places: Path
    workers: Path
    aliases: Path
    roads: Path

    def signature(self) -> Signature:
        """(path, mtime_ns, size) of each file: changes when an import replaces one."""
        result = []
        for path in (self.grids, self.places, self.workers, self.aliases, self.roads):
            try:
                stat = path.stat()
                result.append((str(path), stat.st_mtime_ns, stat.st_size))
            except FileNotFoundError:
                result.append((str(path), 0, 0))
        return tuple(result)


def geo_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "geo"


def active_sources(data_dir: Path | None) -> Sources:
    def pick(name: str) -> Path:
        if data_dir is not None:
            candidate = geo_dir(data_dir) / name
            if candidate.is_file():
                return candidate
        return PACKAGE_DATA / name

    return Sources(pick(GRIDS_FILE), pick(PLACES_FILE), pick(WORKERS_FILE), pick(ALIASES_FILE), pick(ROADS_FILE))


def load_boundary() -> Any:
    """The district outline (GCJ-02) the importers check layers against."""
    data = json.loads((PACKAGE_DATA / BOUNDARY_FILE).read_text(encoding="utf-8"))
    features = data if isinstance(data, list) else data.get("features", [data])
    return shape(features[0]["geometry"])


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step (temporary file in the same folder + os.replace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
            temp.flush()
            os.fsync(temp.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


def _read_text(file: Path, what: str) -> str:
    try:
        return file.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ImportRejected(what, [f"no such file: {file}"]) from None
    except UnicodeDecodeError as exc:
        raise ImportRejected(what, [f"not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None


def import_grids(file: Path, data_dir: Path, *, allow_gaps: bool = False) -> Report:
    """Validate a grid layer and make it the active one; ImportRejected (nothing changed) when broken."""
    what = f"grid layer {file}"
    text = _read_text(file, what)
    report, layer = validate_layer(text, load_boundary(), allow_gaps=allow_gaps)
    if not report.ok or layer is None:
        raise ImportRejected(what, report.errors)
    places = active_sources(data_dir).places
    places_report = validate_places(places.read_text(encoding="utf-8-sig"), layer)
    report.warnings.extend(f"active gazetteer: {line}" for line in places_report.errors)
    write_atomic(geo_dir(data_dir) / GRIDS_FILE, text.encode("utf-8"))
    return report


def import_places(file: Path, data_dir: Path) -> Report:
    """Validate a gazetteer against the active layer and make it the active one."""
    what = f"gazetteer {file}"
    text = _read_text(file, what)
    grids = active_sources(data_dir).grids
    layer = GridLayer.from_geojson(json.loads(grids.read_text(encoding="utf-8")))
    report = validate_places(text, layer)
    if not report.ok:
        raise ImportRejected(what, report.errors)
    write_atomic(geo_dir(data_dir) / PLACES_FILE, text.encode("utf-8"))
    return report


def import_roads(file: Path, data_dir: Path) -> Report:
    """Validate a road layer (the gazetteer's lines) against the active grid layer and make it active."""
    what = f"road layer {file}"
    text = _read_text(file, what)
    grids = active_sources(data_dir).grids
    layer = GridLayer.from_geojson(json.loads(grids.read_text(encoding="utf-8")))
    report = validate_roads(text, layer)
    if not report.ok:
        raise ImportRejected(what, report.errors)
    write_atomic(geo_dir(data_dir) / ROADS_FILE, text.encode("utf-8"))
    return report
