"""jieba word segmentation with a trimmed general dictionary plus our domain words.

jieba's full dictionary (~350k words) takes ~0.5 s to load even from its marshal cache. We write a
dictionary file holding the frequent general words (freq >= MIN_FREQ) plus the taxonomy's keywords and
the gazetteer's place names, keyed by a hash of its content, and let jieba cache its prefix table next to
it: a warm start then loads in well under 100 ms.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from collections.abc import Iterable
from pathlib import Path

with warnings.catch_warnings():
    # jieba 0.42 imports pkg_resources (deprecated) when it is available; that is not ours to fix.
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", UserWarning)
    import jieba

from nlu.errors import ModelCacheError

MIN_FREQ = 20
DOMAIN_FREQ = 2000
_JIEBA_DICT = Path(jieba.__file__).parent / "dict.txt"

logging.getLogger("jieba").setLevel(logging.WARNING)


class Tokenizer:
    """Segments normalised text into words; one instance per process is enough."""

    def __init__(self, domain_words: Iterable[str], cache_dir: Path) -> None:
        words = sorted({w.strip() for w in domain_words if 2 <= len(w.strip()) <= 12 and " " not in w})
        digest = hashlib.sha256(
            ("\n".join(words) + f"|{MIN_FREQ}|{_JIEBA_DICT.stat().st_size}").encode("utf-8")
        ).hexdigest()[:16]
        dict_path = cache_dir / f"jieba-dict-{digest}.txt"
        if not dict_path.exists():
            _write_dictionary(dict_path, words)
        self._jieba = jieba.Tokenizer(dictionary=str(dict_path))
        self._jieba.tmp_dir = str(cache_dir)
        self._jieba.initialize()
        self.dictionary_path = dict_path

    def words(self, text: str) -> list[str]:
        """Words of `text` (HMM off: unknown words fall apart into characters, which n-grams cover)."""
        return [w for w in self._jieba.lcut(text, HMM=False) if w.strip()]


def _write_dictionary(path: Path, domain_words: list[str]) -> None:
    lines: list[str] = []
    seen: set[str] = set()
    with _JIEBA_DICT.open(encoding="utf-8") as general:
        for line in general:
            parts = line.split()
            if len(parts) >= 2 and int(parts[1]) >= MIN_FREQ:
                lines.append(f"{parts[0]} {parts[1]}")
                seen.add(parts[0])
    lines.extend(f"{w} {DOMAIN_FREQ}" for w in domain_words if w not in seen)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".jieba-dict-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise ModelCacheError(f"cannot write tokenizer dictionary {path}: {exc}") from exc
