"""Coordinate conversions against published reference pairs (tests/geo/data/coordinates.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from geo import (
    UnknownCrsError,
    bd09_to_gcj02,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    parse_crs,
    to_gcj02,
    wgs84_to_gcj02,
)
from geo.coords import from_gcj02, to_gcj02_array

VECTORS: dict[str, Any] = json.loads((Path(__file__).parent / "data" / "coordinates.json").read_text())


def lnglat(pair: list[float]) -> tuple[float, float]:
    """The vectors are [lng, lat]; our functions take and return (lat, lng)."""
    return pair[1], pair[0]


def test_coordtransform_vectors_are_reproduced_exactly() -> None:
    ct = VECTORS["coordtransform"]
    lat, lng = lnglat(ct["input_lnglat"])
    assert wgs84_to_gcj02(lat, lng) == pytest.approx(lnglat(ct["wgs84togcj02"]), abs=1e-9)
    assert bd09_to_gcj02(lat, lng) == pytest.approx(lnglat(ct["bd09togcj02"]), abs=1e-9)
    assert gcj02_to_bd09(lat, lng) == pytest.approx(lnglat(ct["gcj02tobd09"]), abs=1e-9)


def test_iterated_gcj02_to_wgs84_is_closer_than_the_one_step_approximation() -> None:
    ct = VECTORS["coordtransform"]
    lat, lng = lnglat(ct["input_lnglat"])
    back = gcj02_to_wgs84(lat, lng)
    assert back == pytest.approx(lnglat(ct["gcj02towgs84_approx"]), abs=2e-5)
    assert wgs84_to_gcj02(*back) == pytest.approx((lat, lng), abs=1e-7)


@pytest.mark.parametrize("vector", VECTORS["eviltransform_wgs_to_gcj_latlng"]["vectors"], ids=lambda v: v["name"])
def test_eviltransform_wgs_to_gcj_vectors(vector: dict[str, Any]) -> None:
    wgs, gcj = vector["wgs"], vector["gcj"]
    assert wgs84_to_gcj02(wgs[0], wgs[1]) == pytest.approx(tuple(gcj), abs=1e-9)
    assert gcj02_to_wgs84(gcj[0], gcj[1]) == pytest.approx(tuple(wgs), abs=1e-6)


def test_hefei_point_in_all_three_systems_with_gcoords_tolerances() -> None:
    coords = VECTORS["gcoord_hefei"]["coords"]
    wgs, gcj, bd = lnglat(coords["WGS84"]), lnglat(coords["GCJ02"]), lnglat(coords["BD09"])
    # gcoord checks WGS-84 <-> GCJ-02 to 4 decimals and GCJ-02 <-> BD-09 to 5 decimals.
    assert wgs84_to_gcj02(*wgs) == pytest.approx(gcj, abs=5e-5)
    assert gcj02_to_wgs84(*gcj) == pytest.approx(wgs, abs=5e-5)
    assert gcj02_to_bd09(*gcj) == pytest.approx(bd, abs=5e-6)
    assert bd09_to_gcj02(*bd) == pytest.approx(gcj, abs=5e-6)
    assert to_gcj02(*bd, crs="bd09") == pytest.approx(gcj, abs=5e-6)
    assert from_gcj02(*gcj, crs="wgs84") == pytest.approx(wgs, abs=5e-5)


def test_round_trips_across_the_district_come_back_to_the_same_point() -> None:
    rng = np.random.default_rng(7)
    for lat, lng in zip(rng.uniform(31.63, 31.87, 200), rng.uniform(117.21, 117.44, 200), strict=True):
        assert wgs84_to_gcj02(*gcj02_to_wgs84(lat, lng)) == pytest.approx((lat, lng), abs=1e-7)
        # The published BD-09 inverse is itself approximate: about 1e-6° (0.1 m) round trip.
        assert bd09_to_gcj02(*gcj02_to_bd09(lat, lng)) == pytest.approx((lat, lng), abs=2e-6)


def test_outside_china_no_offset_is_applied() -> None:
    assert wgs84_to_gcj02(48.8584, 2.2945) == (48.8584, 2.2945)
    assert gcj02_to_wgs84(48.8584, 2.2945) == (48.8584, 2.2945)


def test_vectorised_conversions_agree_with_the_scalar_ones() -> None:
    lat = np.array([31.8225875, 39.915, 48.8584])
    lng = np.array([117.221733, 116.404, 2.2945])
    for crs in ("wgs84", "bd09", "gcj02"):
        alat, alng = to_gcj02_array(lat, lng, crs)
        for i in range(3):
            assert (alat[i], alng[i]) == pytest.approx(to_gcj02(lat[i], lng[i], crs), abs=1e-12)


def test_coordinate_system_names_are_explicit_and_checked() -> None:
    assert parse_crs("WGS-84") == "wgs84"
    assert parse_crs("GCJ02") == "gcj02"
    assert parse_crs("bd09ll") == "bd09"
    with pytest.raises(UnknownCrsError, match="unknown coordinate system 'utm'"):
        to_gcj02(31.8, 117.3, crs="utm")
