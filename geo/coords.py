"""Coordinate systems used in China: WGS-84 (GPS), GCJ-02 (WeChat, Tencent, AMap) and BD-09 (Baidu).

Every function takes and returns ``(lat, lng)`` in degrees. GCJ-02 is the system of the grid layer and
the gazetteer; :func:`to_gcj02` converts any input to it. The formulas are the published ones
(coordtransform, eviltransform, gcoord); GCJ-02 → WGS-84 has no closed form and is solved by
fixed-point iteration until the step is below 1e-7°. Outside mainland China the offset is not
applied, as in every reference implementation.

The ``*_array`` variants do the same on numpy arrays for batches.
"""

from __future__ import annotations

import math
from typing import Literal, cast

import numpy as np
import numpy.typing as npt

from geo.errors import UnknownCrsError

Crs = Literal["wgs84", "gcj02", "bd09"]
CRS_NAMES: tuple[Crs, ...] = ("wgs84", "gcj02", "bd09")
_ALIASES: dict[str, Crs] = {
    "wgs84": "wgs84", "wgs-84": "wgs84", "wgs": "wgs84", "gps": "wgs84", "epsg:4326": "wgs84",
    "gcj02": "gcj02", "gcj-02": "gcj02", "gcj": "gcj02", "mars": "gcj02",
    "bd09": "bd09", "bd-09": "bd09", "bd09ll": "bd09", "baidu": "bd09",
}

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
_ITERATION_TOLERANCE = 1e-7
_MAX_ITERATIONS = 30

FloatArray = npt.NDArray[np.float64]


def parse_crs(name: str) -> Crs:
    """The canonical name of a coordinate system (``"WGS-84"`` → ``"wgs84"``), or UnknownCrsError."""
    crs = _ALIASES.get(name.strip().lower())
    if crs is None:
        raise UnknownCrsError(f"unknown coordinate system {name!r}; use one of {', '.join(CRS_NAMES)}")
    return crs


def out_of_china(lat: float, lng: float) -> bool:
    """The coarse box outside which GCJ-02 applies no offset (as coordtransform does)."""
    return not (73.66 < lng < 135.05 and 3.86 < lat < 53.55)


def _gcj_offset(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 105.0, lat - 35.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    dlat += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlat += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    dlat += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    dlng += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    dlng += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    dlng += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    rad = lat / 180.0 * math.pi
    magic = 1.0 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return dlat, dlng


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    if out_of_china(lat, lng):
        return lat, lng
    dlat, dlng = _gcj_offset(lat, lng)
    return lat + dlat, lng + dlng


def gcj02_to_wgs84(lat: float, lng: float) -> tuple[float, float]:
    """The WGS-84 point whose GCJ-02 image is (lat, lng), found by iteration to < 1e-7°."""
    if out_of_china(lat, lng):
        return lat, lng
    wlat, wlng = lat, lng
    for _ in range(_MAX_ITERATIONS):
        glat, glng = wgs84_to_gcj02(wlat, wlng)
        step_lat, step_lng = glat - lat, glng - lng
        wlat, wlng = wlat - step_lat, wlng - step_lng
        if abs(step_lat) < _ITERATION_TOLERANCE and abs(step_lng) < _ITERATION_TOLERANCE:
            break
    return wlat, wlng


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def bd09_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    x, y = lng - 0.0065, lat - 0.006
    z = math.sqrt(x * x + y * y) - 0.00002 * math.sin(y * _X_PI)
    theta = math.atan2(y, x) - 0.000003 * math.cos(x * _X_PI)
    return z * math.sin(theta), z * math.cos(theta)


def to_gcj02(lat: float, lng: float, crs: str = "gcj02") -> tuple[float, float]:
    """(lat, lng) in ``crs`` converted to GCJ-02, the system of the grid layer."""
    system = crs if crs in CRS_NAMES else parse_crs(crs)
    if system == "gcj02":
        return lat, lng
    if system == "wgs84":
        return wgs84_to_gcj02(lat, lng)
    return bd09_to_gcj02(lat, lng)


def from_gcj02(lat: float, lng: float, crs: str) -> tuple[float, float]:
    """(lat, lng) in GCJ-02 converted to ``crs``."""
    system = parse_crs(crs)
    if system == "gcj02":
        return lat, lng
    if system == "wgs84":
        return gcj02_to_wgs84(lat, lng)
    return gcj02_to_bd09(lat, lng)


def wgs84_to_gcj02_array(lat: FloatArray, lng: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`wgs84_to_gcj02` (same formula, numpy)."""
    lat = np.asarray(lat, dtype=np.float64)
    lng = np.asarray(lng, dtype=np.float64)
    x, y = lng - 105.0, lat - 35.0
    pi = math.pi
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlat += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlat += (20.0 * np.sin(y * pi) + 40.0 * np.sin(y / 3.0 * pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * pi) + 320.0 * np.sin(y * pi / 30.0)) * 2.0 / 3.0
    dlng = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    dlng += (20.0 * np.sin(6.0 * x * pi) + 20.0 * np.sin(2.0 * x * pi)) * 2.0 / 3.0
    dlng += (20.0 * np.sin(x * pi) + 40.0 * np.sin(x / 3.0 * pi)) * 2.0 / 3.0
    dlng += (150.0 * np.sin(x / 12.0 * pi) + 300.0 * np.sin(x / 30.0 * pi)) * 2.0 / 3.0
    rad = lat / 180.0 * pi
    magic = 1.0 - _EE * np.sin(rad) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1.0 - _EE)) / (magic * sqrt_magic) * pi)
    dlng = (dlng * 180.0) / (_A / sqrt_magic * np.cos(rad) * pi)
    outside = ~((lng > 73.66) & (lng < 135.05) & (lat > 3.86) & (lat < 53.55))
    return (
        cast(FloatArray, np.where(outside, lat, lat + dlat)),
        cast(FloatArray, np.where(outside, lng, lng + dlng)),
    )


def bd09_to_gcj02_array(lat: FloatArray, lng: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`bd09_to_gcj02`."""
    x = np.asarray(lng, dtype=np.float64) - 0.0065
    y = np.asarray(lat, dtype=np.float64) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.sin(theta), z * np.cos(theta)


def gcj02_to_bd09_array(lat: FloatArray, lng: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`gcj02_to_bd09`."""
    lat = np.asarray(lat, dtype=np.float64)
    lng = np.asarray(lng, dtype=np.float64)
    z = np.sqrt(lng * lng + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lng) + 0.000003 * np.cos(lng * _X_PI)
    return z * np.sin(theta) + 0.006, z * np.cos(theta) + 0.0065


def to_gcj02_array(lat: FloatArray, lng: FloatArray, crs: str = "gcj02") -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`to_gcj02` for one coordinate system."""
    system = parse_crs(crs)
    if system == "wgs84":
        return wgs84_to_gcj02_array(lat, lng)
    if system == "bd09":
        return bd09_to_gcj02_array(lat, lng)
    return np.asarray(lat, dtype=np.float64), np.asarray(lng, dtype=np.float64)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(math.sqrt(min(1.0, h)))


def square_metres_per_square_degree(lat: float) -> float:
    """Area of one square degree near latitude ``lat`` (for reporting small areas in m²)."""
    return 111320.0 * math.cos(math.radians(lat)) * 110574.0
