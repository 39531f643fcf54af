"""One NLU per test session, trained into a temporary cache (a few seconds, then shared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nlu import NLU, shipped_place_names

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def nlu_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("nlu-cache")


@pytest.fixture(scope="session")
def nlu(nlu_cache: Path) -> NLU:
    return NLU.load(extra_words=shipped_place_names(), cache_dir=nlu_cache)


def load_jsonl(name: str) -> list[dict[str, Any]]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
