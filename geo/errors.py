"""Errors raised by the geo package; every one derives from :class:`GeoError`."""

from __future__ import annotations


class GeoError(Exception):
    """Base class of every error the geo package raises."""


class UnknownCrsError(GeoError, ValueError):
    """A coordinate system name that is not one of ``wgs84``, ``gcj02``, ``bd09``."""


class UnknownGridError(GeoError, KeyError):
    """A grid id that the active layer does not hold."""


class ImportRejected(GeoError):
    """An import file failed validation; the active data was left as it was.

    ``problems`` holds one readable line per problem (already capped to a useful number).
    """

    def __init__(self, what: str, problems: list[str]) -> None:
        self.what = what
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(
            f"{what} rejected ({len(problems)} problem(s)); the active data is unchanged:\n{lines}")
