"""Errors raised by the nlu package; everything derives from NLUError."""

from __future__ import annotations


class NLUError(Exception):
    """Base class of every error the nlu package raises."""


class TaxonomyError(NLUError):
    """The taxonomy file is missing, malformed or inconsistent; the message names the culprit."""


class ModelCacheError(NLUError):
    """A cached model file could not be read or written."""
