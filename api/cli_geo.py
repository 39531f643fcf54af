"""``intake geo locate``, ``intake grids import`` and ``intake places import`` (points or road lines).

Imports validate the centre's file and switch the active copy in ``INTAKE_DATA_DIR`` (default
``./var/data``) atomically; a running server picks it up within a second. ``geo locate`` turns JSON
lines into JSON lines:

    {"id": 1, "lat": 31.8514, "lng": 117.2815, "crs": "wgs84"}   → the grid holding the point
    {"id": 2, "text": "春晖苑3栋楼下有垃圾"}                        → the places the text names
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from api.cli_support import settings_or_exit
from geo import GeoError, GeoService, ImportRejected
from geo.store import import_grids, import_places, import_roads

geo_app = typer.Typer(help="Where: point and text lookups against the grid layer.", no_args_is_help=True)
grids_app = typer.Typer(help="The management-grid layer (GeoJSON, GCJ-02).", no_args_is_help=True)
places_app = typer.Typer(help="The place gazetteer (CSV, GCJ-02).", no_args_is_help=True)

DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Where imported layers live (default INTAKE_DATA_DIR)")]


def _data_dir(explicit: Path | None) -> Path:
    if explicit is not None:
        return explicit
    return settings_or_exit().data_dir


def locate_record(geo: GeoService, record: dict[str, Any]) -> dict[str, Any]:
    """One output line for one input line (point or text); raises GeoError/ValueError when malformed."""
    out: dict[str, Any] = {"id": record.get("id")}
    if "text" in record:
        candidates = geo.locate_text(str(record["text"]))
        top = candidates[0] if candidates else None
        out.update(
            grid_id=top.grid_id if top else None, grid_name=top.grid_name if top else None,
            community=top.community if top else None, street=top.street if top else None,
            approximate=len(candidates) > 1, candidates=[c.to_dict() for c in candidates])
        return out
    if "lat" not in record or "lng" not in record:
        raise ValueError('each line needs "lat" and "lng" (and "crs"), or "text"')
    found = geo.locate_point(float(record["lat"]), float(record["lng"]), crs=str(record.get("crs", "gcj02")))
    out.update(
        grid_id=found.grid_id, grid_name=found.grid_name or None, community=found.community or None,
        street=found.street or None, approximate=found.approximate, outside=found.outside,
        distance_m=found.distance_m, candidates=[])
    return out


def run_locate(geo: GeoService, source: TextIO, sink: TextIO) -> int:
    """Process JSON lines; returns the number of lines that could not be answered."""
    failures = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        record: Any = None
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("each line must be a JSON object")
            out = locate_record(geo, record)
        except (ValueError, TypeError, GeoError) as exc:  # JSONDecodeError is a ValueError
            failures += 1
            ident = record.get("id") if isinstance(record, dict) else None
            out = {"id": ident, "line": number, "error": str(exc)}
        sink.write(json.dumps(out, ensure_ascii=False) + "\n")
    sink.flush()
    return failures


@geo_app.command("locate")
def locate(data_dir: DataDirOption = None) -> None:
    """Read JSON lines on stdin, write one JSON line per input on stdout (exit 1 if any line failed)."""
    geo = GeoService.load(_data_dir(data_dir))
    failures = run_locate(geo, sys.stdin, sys.stdout)
    if failures:
        typer.echo(f"{failures} line(s) could not be answered", err=True)
        raise typer.Exit(1)


def _report(summary: str, warnings: list[str]) -> None:
    typer.echo(f"imported: {summary}")
    for line in warnings:
        typer.echo(f"warning: {line}")


@grids_app.command("import")
def grids_import(
    file: Annotated[Path, typer.Argument(help="GeoJSON FeatureCollection of grid polygons, GCJ-02")],
    allow_gaps: Annotated[bool, typer.Option(help="Accept district area covered by no grid")] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Validate a grid layer and make it the active one (the old one stays if anything is wrong)."""
    try:
        report = import_grids(file, _data_dir(data_dir), allow_gaps=allow_gaps)
    except ImportRejected as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    _report(report.summary, report.warnings)


@places_app.command("import")
def places_import(
    file: Annotated[Path, typer.Argument(
        help="CSV of points: place_id,name,lng,lat[,kind,grid_id,aliases]; "
             "or GeoJSON of roads (lines): road_id,name[,aliases,orientation]")],
    data_dir: DataDirOption = None,
) -> None:
    """Validate a gazetteer (points as CSV, roads as GeoJSON lines) and make it the active one."""
    importer = import_roads if file.suffix.lower() in (".geojson", ".json") else import_places
    try:
        report = importer(file, _data_dir(data_dir))
    except ImportRejected as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    _report(report.summary, report.warnings)
