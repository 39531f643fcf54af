"""Grid facts, the worker table, and a service that keeps working when a data file goes bad."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from geo import GeoService, UnknownGridError
from geo.store import PACKAGE_DATA, import_grids

POINT = (31.851386, 117.281476)


def test_grid_facts_name_the_grid_its_community_street_and_worker(geo: GeoService) -> None:
    facts = geo.grid("34011100300101")
    assert (facts.name, facts.community, facts.street) == ("兰亭第1网格", "兰亭社区居民委员会", "芜湖路街道")
    assert (facts.community_code, facts.street_code) == ("340111003001", "340111003")
    assert facts.worker_name and facts.worker_phone.startswith("0551-")


def test_an_unknown_grid_id_is_an_error_not_an_empty_answer(geo: GeoService) -> None:
    with pytest.raises(UnknownGridError, match="no grid '99999'"):
        geo.grid("99999")


def test_the_worker_table_in_the_data_dir_replaces_the_demo_values(tmp_path: Path) -> None:
    (tmp_path / "geo").mkdir()
    (tmp_path / "geo" / "grid_workers.csv").write_text(
        "grid_id,worker_name,worker_phone\n34011100300101,张网格,13800000000\n", encoding="utf-8")
    geo = GeoService.load(tmp_path)
    facts = geo.grid("34011100300101")
    assert (facts.worker_name, facts.worker_phone) == ("张网格", "13800000000")
    assert geo.grid("34011100300102").worker_name == ""


def test_a_file_damaged_behind_the_importers_back_leaves_the_running_data_in_place(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import_grids(PACKAGE_DATA / "grids.geojson", tmp_path)
    geo = GeoService(tmp_path, refresh_interval=0.0)
    assert geo.locate_point(*POINT).grid_id == "34011100300101"
    (tmp_path / "geo" / "grids.geojson").write_text("{broken", encoding="utf-8")
    with caplog.at_level(logging.ERROR, logger="geo.service"):
        assert geo.refresh_if_changed() is False
    assert "keeping the old data" in caplog.text
    assert geo.locate_point(*POINT).grid_id == "34011100300101"


def test_changes_are_looked_for_at_most_once_per_interval(tmp_path: Path) -> None:
    geo = GeoService(tmp_path, refresh_interval=3600.0)
    import_grids(PACKAGE_DATA / "grids.geojson", tmp_path)
    assert geo.refresh_if_changed() is False  # checked too recently
    assert geo.refresh_if_changed(force=True) is True
    assert geo.info()["sources"][0] == str(tmp_path / "geo" / "grids.geojson")
