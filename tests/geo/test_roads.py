"""Places residents name: crossroads, parts of a road, buildings and gates, and a pin's nearest place."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app as cli_app
from geo import GeoService, ImportRejected, gcj02_to_bd09
from geo.address import detail_after, parts
from geo.store import PACKAGE_DATA, import_roads

ROADS: dict[str, Any] = json.loads((PACKAGE_DATA / "roads.geojson").read_text(encoding="utf-8"))


def _roads_named(*names: str) -> list[Any]:
    return [f for f in ROADS["features"] if f["properties"]["name"] in names]


@pytest.mark.parametrize("text", ["包河大道和繁华大道交口的路灯坏了", "包河大道与繁华大道路口红绿灯不亮",
                                  "繁华大道包河大道交叉口有个大坑"])
def test_a_crossroads_is_the_point_where_the_two_roads_cross(geo: GeoService, text: str) -> None:
    [top, *_] = geo.locate_text(text)
    assert top.kind == "crossing" and top.name in ("包河大道与繁华大道交口", "繁华大道与包河大道交口")
    a, b = _roads_named("包河大道", "繁华大道")
    from shapely.geometry import shape

    crossing = shape(a["geometry"]).intersection(shape(b["geometry"]))
    assert abs(top.lat - crossing.y) < 1e-9 and abs(top.lng - crossing.x) < 1e-9
    assert top.grid_id == geo.locate_point(top.lat, top.lng).grid_id


def test_an_alias_names_the_road(geo: GeoService) -> None:
    [top, *_] = geo.locate_text("马鞍山路和望江路路口红绿灯坏了")
    assert top.name == "马鞍山路与望江东路交口" and top.grid_id


def test_a_part_of_a_road_is_a_point_in_that_part(geo: GeoService) -> None:
    north = geo.locate_text("马鞍山路北段有个坑")[0]
    south = geo.locate_text("马鞍山路南段有个坑")[0]
    assert north.kind == south.kind == "section" and north.name == "马鞍山路北段"
    assert north.lat > south.lat
    east = geo.locate_text("望江东路东头垃圾没人收")[0]
    west = geo.locate_text("望江东路西头垃圾没人收")[0]
    assert east.name == "望江东路东头" and east.lng > west.lng
    # 北段 of an east-west road means nothing: the road alone, flagged imprecise
    assert geo.locate_text("望江东路北段")[0].kind == "road"


def test_a_road_alone_is_imprecise_and_a_compound_named_with_it_wins(geo: GeoService) -> None:
    [road] = geo.locate_text("徽州大道上有个坑")
    assert road.kind == "road" and not road.precise
    both = geo.locate_text("徽州大道旁边的星河雅居门口垃圾成堆")
    assert both[0].name == "星河雅居" and both[-1].kind == "road"


def test_a_road_name_is_not_read_as_a_compound(geo: GeoService) -> None:
    names = [c.name for c in geo.locate_text("繁华大道和包河大道交口")]
    assert names[0] == "繁华大道与包河大道交口"  # in the resident's order
    assert not any("繁华" in n and "交口" not in n for n in names)


@pytest.mark.parametrize(("text", "address"), [
    ("海棠花园5栋楼下垃圾", "海棠花园5栋"),
    ("星河雅居3号楼2单元漏水", "星河雅居3号楼2单元"),
    ("星河雅居东门有人摆摊", "星河雅居东门"),
    ("星河雅居的二期12幢门口", "星河雅居二期12幢门口"),
    ("星河雅居有人摆摊", "星河雅居"),
])
def test_buildings_units_and_gates_stay_in_the_address(geo: GeoService, text: str, address: str) -> None:
    assert geo.locate_text(text)[0].address == address


def test_detail_pieces() -> None:
    assert parts(detail_after("3号楼2单元501室楼道灯")) == ["3号楼", "2单元", "501室"]
    assert detail_after("门口有垃圾") == ""
    assert detail_after("有垃圾") == ""


def test_a_pin_is_described_by_the_nearest_named_place(geo: GeoService) -> None:
    assert geo.describe_point(31.851386, 117.281476) == "星河雅居"
    near = geo.describe_point(31.851386 + 0.001, 117.281476)  # ~110 m north
    assert near.endswith("附近") and len(near) > 2
    assert geo.describe_point(31.4, 117.9) == ""  # far from anything named


def write(tmp_path: Path, data: Any, name: str = "roads.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_an_imported_road_layer_is_used_without_restart(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    service = GeoService(data_dir, refresh_interval=0)
    assert service.locate_text("幸福大街和包河大道交口")[0].name != "幸福大街与包河大道交口"
    layer = copy.deepcopy(ROADS)
    new = copy.deepcopy(_roads_named("繁华大道")[0])
    new["properties"].update(road_id="R900", name="幸福大街", aliases=[])
    layer["features"].append(new)
    import_roads(write(tmp_path, layer), data_dir)
    # the new street runs where 繁华大道 runs, so it crosses 包河大道 there
    assert service.locate_text("幸福大街和包河大道交口")[0].name == "幸福大街与包河大道交口"


def test_a_broken_road_layer_is_rejected_and_nothing_changes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    points = copy.deepcopy(ROADS)
    points["features"][0]["geometry"] = {"type": "Point", "coordinates": [117.28, 31.85]}
    with pytest.raises(ImportRejected, match=r"R001.*LineString or MultiLineString, not Point"):
        import_roads(write(tmp_path, points), data_dir)
    twice = copy.deepcopy(ROADS)
    twice["features"][1]["properties"]["road_id"] = "R001"
    with pytest.raises(ImportRejected, match="duplicate road_id R001"):
        import_roads(write(tmp_path, twice), data_dir)
    nameless = copy.deepcopy(ROADS)
    nameless["features"][2]["properties"]["name"] = ""
    with pytest.raises(ImportRejected, match="feature 3: road_id and name are required"):
        import_roads(write(tmp_path, nameless), data_dir)
    baidu = copy.deepcopy(ROADS)
    for feature in baidu["features"]:
        geometry = feature["geometry"]
        lines = geometry["coordinates"] if geometry["type"] == "MultiLineString" else [geometry["coordinates"]]
        moved = [[list(reversed(gcj02_to_bd09(lat, lng))) for lng, lat in line] for line in lines]
        geometry["coordinates"] = moved if geometry["type"] == "MultiLineString" else moved[0]
    with pytest.raises(ImportRejected, match="BD-09"):
        import_roads(write(tmp_path, baidu), data_dir)
    assert not (data_dir / "geo" / "roads.geojson").exists()


def test_places_import_takes_road_lines_as_geojson(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli_app, ["places", "import", str(PACKAGE_DATA / "roads.geojson"),
                                          "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert "imported: 22 roads" in result.stdout
