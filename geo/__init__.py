"""Where: coordinate systems, the grid layer with its point index, and the place gazetteer (text → grid).

A leaf package: it imports nothing of the project's other packages and reads no settings.
"""

from geo.coords import (
    Crs,
    bd09_to_gcj02,
    from_gcj02,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    parse_crs,
    to_gcj02,
    wgs84_to_gcj02,
)
from geo.errors import GeoError, ImportRejected, UnknownCrsError, UnknownGridError
from geo.models import GridFacts, PointLocation, TextCandidate
from geo.service import GeoService, InvalidCoordinate

__all__ = [
    "Crs",
    "GeoError",
    "GeoService",
    "GridFacts",
    "ImportRejected",
    "InvalidCoordinate",
    "PointLocation",
    "TextCandidate",
    "UnknownCrsError",
    "UnknownGridError",
    "bd09_to_gcj02",
    "from_gcj02",
    "gcj02_to_bd09",
    "gcj02_to_wgs84",
    "parse_crs",
    "to_gcj02",
    "wgs84_to_gcj02",
]
