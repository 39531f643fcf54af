"""The batch CLI, the import commands and the GeoJSON route, each driven for real."""

from __future__ import annotations

import io
import json
from pathlib import Path

import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli_geo import geo_app, grids_app, places_app, run_locate
from api.leaves import Leaves
from api.settings import Settings
from cases.rules import CaseRules
from geo import GeoService, gcj02_to_wgs84
from geo.store import PACKAGE_DATA
from nlu import NLU

runner = CliRunner()


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(geo_app, name="geo")
    app.add_typer(grids_app, name="grids")
    app.add_typer(places_app, name="places")
    return app


def test_locate_turns_json_lines_into_json_lines(geo: GeoService) -> None:
    wlat, wlng = gcj02_to_wgs84(31.851386, 117.281476)
    lines = [
        {"id": "a", "lat": wlat, "lng": wlng, "crs": "wgs84"},
        {"id": "b", "lat": 31.80, "lng": 117.50},
        {"id": "c", "text": "春晖苑3栋楼下有垃圾"},
        {"id": "d", "text": "路灯坏了"},
        {"id": "e", "text": "住碧水"},
    ]
    source = io.StringIO("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\nnot json\n")
    sink = io.StringIO()
    assert run_locate(geo, source, sink) == 1
    out = [json.loads(line) for line in sink.getvalue().splitlines()]
    assert out[0]["grid_id"] == "34011100300101" and out[0]["street"] == "芜湖路街道"
    assert out[0]["approximate"] is False and out[0]["candidates"] == []
    assert out[1]["grid_id"] is None and out[1]["outside"] is True
    assert out[2]["grid_id"] == "34011100702705" and out[2]["candidates"][0]["name"] == "春晖苑"
    assert out[3]["grid_id"] is None and out[3]["candidates"] == []
    assert out[4]["approximate"] is True and len(out[4]["candidates"]) > 1
    assert out[5] == {"id": None, "line": 6, "error": "Expecting value: line 1 column 1 (char 0)"}


def test_the_locate_command_reads_stdin(tmp_path: Path) -> None:
    result = runner.invoke(cli(), ["geo", "locate", "--data-dir", str(tmp_path)],
                           input='{"id": 7, "lat": 31.851386, "lng": 117.281476, "crs": "gcj02"}\n')
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["grid_name"] == "兰亭第1网格"


def test_import_commands_switch_the_layer_or_explain_the_rejection(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    good = runner.invoke(cli(), ["grids", "import", str(PACKAGE_DATA / "grids.geojson"),
                                 "--data-dir", str(data_dir)])
    assert good.exit_code == 0, good.output
    assert "imported: 779 grids, 136 communities" in good.stdout
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    bad = runner.invoke(cli(), ["grids", "import", str(broken), "--data-dir", str(data_dir)])
    assert bad.exit_code == 1
    assert "non-empty \"features\" list" in bad.stderr and "the active data is unchanged" in bad.stderr
    places = runner.invoke(cli(), ["places", "import", str(PACKAGE_DATA / "places.csv"),
                                   "--data-dir", str(data_dir)])
    assert places.exit_code == 0 and "imported: 1396 places" in places.stdout


def test_the_console_map_gets_the_running_layer_as_geojson(geo: GeoService, nlu: NLU, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/geo.db", media_dir=tmp_path / "media",
                        data_dir=tmp_path / "data")
    app = create_app(settings, leaves=Leaves(nlu=nlu, geo=geo, rules=CaseRules()))
    with TestClient(app) as client:
        response = client.get("/api/geo/grids.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 779
    assert body["features"][0]["properties"]["grid_name"] == "兰亭第1网格"
