"""What a server needs on disk before it serves, done in a child process: migrations and the NLU model.

Migrating imports Alembic; training the NLU model (first start on a fresh data folder, or after a taxonomy
edit) imports scikit-learn and SciPy and leaves the training's garbage behind. Done inside the serving
process, all of that stays in its memory for its whole life (about 70 MB on a fresh data folder). A child
process does the work, writes the model cache and exits; the server then only reads the cached arrays.

The child reads its job (JSON) on stdin, so the database URL never shows in a process listing.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

from geo import GeoService


class PrepareError(RuntimeError):
    """The child process failed; its own error is on the server's stderr."""


def nlu_cache_dir(data_dir: Path) -> Path:
    return data_dir / "nlu-cache"


def place_names(geo: GeoService) -> list[str]:
    """The gazetteer's names: words for the NLU tokenizer, in the server and in the child alike."""
    return [place.name for place in geo.snapshot.places]


def model_cached(data_dir: Path) -> bool:
    """True when the NLU model for the shipped taxonomy is in the data folder's cache."""
    from nlu import load_taxonomy
    from nlu.model import model_path

    return model_path(nlu_cache_dir(data_dir), load_taxonomy().digest).is_file()


def prepare_in_child(*, data_dir: Path, database_url: str) -> None:
    """Migrate ``database_url`` and cache the NLU model of ``data_dir``, in a child process."""
    job = json.dumps({"data_dir": str(data_dir), "database_url": database_url})
    result = subprocess.run([sys.executable, "-m", "api.prepare"], input=job, text=True, check=False)
    if result.returncode != 0:
        raise PrepareError("migrating the database and caching the NLU model failed in a child process "
                           f"(exit status {result.returncode})")


def prepare(data_dir: Path, database_url: str) -> None:
    """The child's work; the NLU is loaded exactly as the server loads it, so it trains on a cache miss."""
    from api.migrate import upgrade
    from nlu import NLU

    upgrade(database_url)
    if not model_cached(data_dir):
        NLU.load(extra_words=place_names(GeoService.load(data_dir)), cache_dir=nlu_cache_dir(data_dir))


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    job = json.loads(sys.stdin.read())
    prepare(Path(job["data_dir"]), job["database_url"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
