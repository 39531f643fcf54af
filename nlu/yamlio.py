"""YAML parsing with libyaml when PyYAML was built with it.

PyYAML's pure-Python parser takes ~0.2-0.4 s for the shipped taxonomy, most of a warm start; libyaml's
`CSafeLoader` builds the same data (the same safe tags) in ~20 ms. Without libyaml the Python loader is used.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """`yaml.safe_load(text)`, through libyaml when available; raises yaml.YAMLError like it."""
    return yaml.load(text, Loader=_LOADER)  # a safe loader, C or Python
