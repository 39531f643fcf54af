"""Importing the centre's own layer and gazetteer: checks, useful messages, atomic switch, hot reload."""

from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import mapping, shape

from geo import GeoService, ImportRejected, gcj02_to_bd09, gcj02_to_wgs84
from geo.store import PACKAGE_DATA, import_grids, import_places

LAYER: dict[str, Any] = json.loads((PACKAGE_DATA / "grids.geojson").read_text(encoding="utf-8"))
PLACES_CSV = (PACKAGE_DATA / "places.csv").read_text(encoding="utf-8")
POINT = (31.851386, 117.281476)  # inside grid 34011100300101 (兰亭第1网格)


def write_layer(tmp_path: Path, layer: dict[str, Any], name: str = "layer.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(layer, ensure_ascii=False), encoding="utf-8")
    return path


def layer_copy() -> dict[str, Any]:
    return copy.deepcopy(LAYER)


def shift_coordinates(layer: dict[str, Any], convert: Any) -> dict[str, Any]:
    for feature in layer["features"]:
        polygon = feature["geometry"]["coordinates"]
        feature["geometry"]["coordinates"] = [
            [list(reversed(convert(lat, lng))) for lng, lat in ring] for ring in polygon]
    return layer


def rejected(file: Path, data_dir: Path, **kwargs: Any) -> str:
    with pytest.raises(ImportRejected) as info:
        import_grids(file, data_dir, **kwargs)
    return str(info.value)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir holding an imported copy of the packaged layer: the 'old layer' of each test."""
    target = tmp_path / "data"
    layer = layer_copy()
    layer["features"][0]["properties"]["grid_name"] = "旧图层第1网格"
    import_grids(write_layer(tmp_path, layer, "old.geojson"), target)
    return target


def active_bytes(data_dir: Path) -> bytes:
    return (data_dir / "geo" / "grids.geojson").read_bytes()


def test_an_imported_layer_is_used_by_a_running_service_without_restart(tmp_path: Path, data_dir: Path) -> None:
    geo = GeoService(data_dir, refresh_interval=0.0)
    assert geo.locate_point(*POINT).grid_name == "旧图层第1网格"
    layer = layer_copy()
    layer["features"][0]["properties"]["grid_name"] = "新图层第1网格"
    report = import_grids(write_layer(tmp_path, layer), data_dir)
    assert report.errors == [] and "779 grids" in report.summary
    assert geo.locate_point(*POINT).grid_name == "新图层第1网格"
    assert geo.geojson()["features"][0]["properties"]["grid_name"] == "新图层第1网格"
    assert list((data_dir / "geo").glob("*.tmp")) == []


def test_a_layer_missing_properties_is_rejected_and_the_old_layer_kept(tmp_path: Path, data_dir: Path) -> None:
    before = active_bytes(data_dir)
    geo = GeoService(data_dir, refresh_interval=0.0)
    layer = layer_copy()
    del layer["features"][4]["properties"]["street"]
    layer["features"][9]["properties"]["grid_name"] = ""
    message = rejected(write_layer(tmp_path, layer), data_dir)
    assert "feature 5 (grid_id 34011100300105): missing property street" in message
    assert "feature 10 (grid_id 34011100300203): missing property grid_name" in message
    assert "the active data is unchanged" in message
    assert active_bytes(data_dir) == before
    assert geo.locate_point(*POINT).grid_name == "旧图层第1网格"


def test_a_self_intersecting_polygon_is_rejected_with_its_position(tmp_path: Path, data_dir: Path) -> None:
    layer = layer_copy()
    ring = layer["features"][2]["geometry"]["coordinates"][0]
    ring[1], ring[2] = ring[2], ring[1]  # a bow-tie
    message = rejected(write_layer(tmp_path, layer), data_dir)
    assert "feature 3 (grid_id 34011100300103): invalid polygon: Self-intersection[117." in message


def test_duplicate_grid_ids_are_rejected(tmp_path: Path, data_dir: Path) -> None:
    layer = layer_copy()
    layer["features"][1]["properties"]["grid_id"] = layer["features"][0]["properties"]["grid_id"]
    message = rejected(write_layer(tmp_path, layer), data_dir)
    assert "feature 2 (grid_id 34011100300101): duplicate grid_id 34011100300101 (also feature 1)" in message


def test_overlapping_grids_are_reported_with_area_and_position(tmp_path: Path, data_dir: Path) -> None:
    layer = layer_copy()
    grown = shape(layer["features"][0]["geometry"]).buffer(0.0005)  # ~50 m all round
    layer["features"][0]["geometry"] = mapping(grown)
    message = rejected(write_layer(tmp_path, layer), data_dir)
    assert "overlap of " in message and " m² between grids 34011100300101 and " in message
    assert ", near lat 31.8" in message and ", lng 117.2" in message


def test_a_gap_is_reported_with_area_and_position_and_may_be_allowed(tmp_path: Path, data_dir: Path) -> None:
    layer = layer_copy()
    removed = layer["features"].pop(0)
    area = shape(removed["geometry"]).area * 111320 * 0.8494 * 110574  # cos(31.85°) ≈ 0.8494
    message = rejected(write_layer(tmp_path, layer), data_dir)
    reported = float(message.split("gap of ")[1].split(" m²")[0].replace(",", ""))
    assert reported == pytest.approx(area, rel=0.001)
    assert "m² covered by no grid, near lat 31.85" in message
    report = import_grids(write_layer(tmp_path, layer), data_dir, allow_gaps=True)
    assert any(line.startswith("gap of ") for line in report.warnings)
    assert GeoService(data_dir).locate_point(*POINT).grid_id != "34011100300101"


@pytest.mark.parametrize(("convert", "system"), [(gcj02_to_wgs84, "WGS-84"), (gcj02_to_bd09, "BD-09")])
def test_a_layer_in_the_wrong_coordinate_system_is_rejected(
        tmp_path: Path, data_dir: Path, convert: Any, system: str) -> None:
    before = active_bytes(data_dir)
    message = rejected(write_layer(tmp_path, shift_coordinates(layer_copy(), convert)), data_dir)
    assert f"coordinates look like {system}" in message and "Convert to GCJ-02 first" in message
    assert active_bytes(data_dir) == before


def test_swapped_lat_lng_and_broken_json_are_explained(tmp_path: Path, data_dir: Path) -> None:
    layer = layer_copy()
    for feature in layer["features"]:
        feature["geometry"]["coordinates"] = [[[y, x] for x, y in ring]
                                              for ring in feature["geometry"]["coordinates"]]
    assert "look like [lat, lng]" in rejected(write_layer(tmp_path, layer), data_dir)
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    assert "not valid JSON" in rejected(broken, data_dir)
    assert "no such file" in rejected(tmp_path / "missing.geojson", data_dir)


def places_with(rows: list[dict[str, str]] | None = None, edit: Any = None) -> str:
    reader = list(csv.DictReader(io.StringIO(PLACES_CSV)))
    if edit is not None:
        edit(reader)
    reader.extend(rows or [])
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["place_id", "name", "kind", "lng", "lat", "grid_id"])
    writer.writeheader()
    writer.writerows(reader)
    return out.getvalue()


def test_an_imported_gazetteer_is_searched_without_restart(tmp_path: Path, data_dir: Path) -> None:
    geo = GeoService(data_dir, refresh_interval=0.0)
    assert geo.locate_text("翠湖天地门口垃圾") == []
    file = tmp_path / "places.csv"
    file.write_text(places_with([{"place_id": "X1", "name": "翠湖天地", "kind": "compound",
                                  "lng": str(POINT[1]), "lat": str(POINT[0]), "grid_id": ""}]))
    import_places(file, data_dir)
    found = geo.locate_text("翠湖天地门口垃圾")
    assert [(c.name, c.grid_id) for c in found] == [("翠湖天地", "34011100300101")]


def test_a_broken_gazetteer_is_rejected_with_row_numbers(tmp_path: Path, data_dir: Path) -> None:
    file = tmp_path / "places.csv"
    file.write_text("place_id,name,lat\nP1,某小区,31.8\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="missing column\\(s\\): lng"):
        import_places(file, data_dir)

    def duplicate(rows: list[dict[str, str]]) -> None:
        rows[1]["place_id"] = rows[0]["place_id"]
        rows[5]["lng"], rows[5]["lat"] = "117.60", "31.80"  # ~16 km east of the district

    file.write_text(places_with(edit=duplicate), encoding="utf-8")
    with pytest.raises(ImportRejected) as info:
        import_places(file, data_dir)
    assert "row 3: duplicate place_id P00001 (also row 2)" in str(info.value)
    assert "row 7: 嘉园大院 at lat 31.8, lng 117.6 is outside the district (" in str(info.value)
    assert not (data_dir / "geo" / "places.csv").exists()


def test_a_gazetteer_in_baidu_coordinates_is_rejected(tmp_path: Path, data_dir: Path) -> None:
    def to_baidu(rows: list[dict[str, str]]) -> None:
        for row in rows:
            lat, lng = gcj02_to_bd09(float(row["lat"]), float(row["lng"]))
            row["lat"], row["lng"] = f"{lat:.6f}", f"{lng:.6f}"

    file = tmp_path / "places.csv"
    file.write_text(places_with(edit=to_baidu), encoding="utf-8")
    with pytest.raises(ImportRejected, match="coordinates look like BD-09"):
        import_places(file, data_dir)
