"""Fixtures for the geo tests: one service over the packaged data, shared by the whole session."""

from __future__ import annotations

import pytest

from geo import GeoService


@pytest.fixture(scope="session")
def geo() -> GeoService:
    return GeoService.load()
