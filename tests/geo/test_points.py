"""Point → grid: deep inside, on shared edges and corners, just outside, far outside, any system."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import shapely

from geo import GeoService, InvalidCoordinate, gcj02_to_bd09, gcj02_to_wgs84
from geo.coords import distance_m


def brute_force(geo: GeoService, lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    """The reference answer: every grid whose polygon covers the point, the smallest grid_id wins."""
    geoms = geo.snapshot.layer.geometries
    expected = np.full(lat.shape[0], -1)
    for index, geom in enumerate(geoms):
        hit = shapely.intersects_xy(geom, lng, lat) & (expected < 0)
        expected[hit] = index
    return expected


def test_a_point_deep_inside_each_of_the_779_grids_lands_in_that_grid(geo: GeoService) -> None:
    layer = geo.snapshot.layer
    assert len(layer) == 779
    wrong = []
    for grid, geom in zip(layer.grids, layer.geometries, strict=True):
        point = geom.representative_point()
        found = geo.locate_point(point.y, point.x)
        if found.grid_id != grid.grid_id or found.approximate or found.outside:
            wrong.append((grid.grid_id, found.grid_id))
    assert wrong == []


def test_the_answer_names_grid_community_and_street(geo: GeoService) -> None:
    found = geo.locate_point(31.851386, 117.281476)  # 星河雅居, gazetteer position
    assert (found.grid_id, found.grid_name) == ("34011100300101", "兰亭第1网格")
    assert (found.community, found.street) == ("兰亭社区居民委员会", "芜湖路街道")
    assert found.distance_m == 0.0


@pytest.mark.parametrize("crs", ["wgs84", "bd09"])
def test_a_phone_gps_fix_or_a_baidu_point_lands_in_the_same_grid_after_conversion(
        geo: GeoService, crs: str) -> None:
    layer = geo.snapshot.layer
    convert = gcj02_to_wgs84 if crs == "wgs84" else gcj02_to_bd09
    for grid, geom in list(zip(layer.grids, layer.geometries, strict=True))[::7]:
        point = geom.representative_point()
        lat, lng = convert(point.y, point.x)
        assert geo.locate_point(lat, lng, crs=crs).grid_id == grid.grid_id


def test_a_wgs84_fix_read_as_gcj02_would_land_elsewhere(geo: GeoService) -> None:
    """Why the system must be explicit: GPS taken as GCJ-02 is ~500 m off in Hefei."""
    lat, lng = 31.851386, 117.281476
    wlat, wlng = gcj02_to_wgs84(lat, lng)
    assert distance_m(lat, lng, wlat, wlng) > 400
    assert geo.locate_point(wlat, wlng, crs="gcj02").grid_id != geo.locate_point(lat, lng).grid_id


def test_random_points_single_and_batch_agree_with_brute_force(geo: GeoService) -> None:
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = shapely.total_bounds(geo.snapshot.layer.geometries)
    lat, lng = rng.uniform(miny, maxy, 20_000), rng.uniform(minx, maxx, 20_000)
    expected = brute_force(geo, lat, lng)
    assert (expected >= 0).sum() > 10_000
    assert np.array_equal(geo.grid_indices(lat, lng), expected)
    single = [geo.snapshot.layer.index_at(a, b) for a, b in zip(lat.tolist(), lng.tolist(), strict=True)]
    assert np.array_equal(np.array(single), expected)


def shared_edge_points(geo: GeoService) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Midpoints of shared edges and corners shared by three or more grids (exact coordinates)."""
    layer = geo.snapshot.layer
    counts: dict[tuple[float, float], int] = {}
    edges: dict[tuple[tuple[float, float], tuple[float, float]], int] = {}
    for geom in layer.geometries:
        ring = list(geom.exterior.coords)
        for a, b in itertools.pairwise(ring):
            counts[a] = counts.get(a, 0) + 1
            key = (min(a, b), max(a, b))
            edges[key] = edges.get(key, 0) + 1
    corners = [(y, x) for (x, y), n in counts.items() if n >= 3][:200]
    mids = [((a[1] + b[1]) / 2, (a[0] + b[0]) / 2) for (a, b), n in edges.items() if n == 2][:400]
    return mids, corners


def test_points_on_shared_edges_and_corners_go_to_the_smallest_grid_id_every_time(geo: GeoService) -> None:
    mids, corners = shared_edge_points(geo)
    assert len(mids) > 100 and len(corners) > 50
    points = mids + corners
    lat = np.array([p[0] for p in points])
    lng = np.array([p[1] for p in points])
    expected = brute_force(geo, lat, lng)
    assert (expected >= 0).all()
    grids = geo.snapshot.layer.grids
    for (a, b), index in zip(points, expected.tolist(), strict=True):
        assert geo.locate_point(a, b).grid_id == grids[index].grid_id
        assert geo.locate_point(a, b).grid_id == grids[index].grid_id
    assert np.array_equal(geo.grid_indices(lat, lng), expected)


def test_a_point_just_outside_the_district_gets_the_nearest_grid_flagged_approximate(geo: GeoService) -> None:
    layer = geo.snapshot.layer
    outline = shapely.union_all(layer.geometries)
    west_lng, west_lat = min(outline.exterior.coords)  # the district's westernmost corner
    lat, lng = west_lat, west_lng - 0.0005  # ~47 m further west: nothing of the district is closer
    found = geo.locate_point(lat, lng)
    assert found.approximate and not found.outside
    assert found.distance_m == pytest.approx(distance_m(lat, lng, west_lat, west_lng), abs=1.0)
    covering = [g.grid_id for g, geom in zip(layer.grids, layer.geometries, strict=True)
                if geom.intersects(shapely.Point(west_lng, west_lat))]
    assert found.grid_id == min(covering)


def test_a_point_far_outside_is_outside_with_its_distance(geo: GeoService) -> None:
    found = geo.locate_point(31.80, 117.50)  # ~6 km east of the district (Feidong)
    assert found.outside and found.grid_id is None and not found.approximate
    assert 3_000 < (found.distance_m or 0) < 15_000
    beijing = geo.locate_point(39.915, 116.404)
    assert beijing.outside and (beijing.distance_m or 0) > 800_000


def test_batch_answers_match_single_answers_including_outside(geo: GeoService) -> None:
    lat = np.array([31.851386, 31.80, 39.915])
    lng = np.array([117.281476, 117.50, 116.404])
    batch = geo.locate_points(lat, lng)
    assert batch == [geo.locate_point(a, b) for a, b in zip(lat, lng, strict=True)]


@pytest.mark.parametrize(("lat", "lng"), [(float("nan"), 117.3), (31.8, float("inf")), (95.0, 117.3)])
def test_a_non_coordinate_is_refused(geo: GeoService, lat: float, lng: float) -> None:
    with pytest.raises(InvalidCoordinate):
        geo.locate_point(lat, lng)
