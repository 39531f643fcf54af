"""Features and the trained linear model as plain numpy arrays, with its on-disk cache.

Features are character 1-3 grams plus jieba words. Inference re-implements scikit-learn's
TfidfVectorizer(sublinear_tf=True, norm="l2") with a dict and numpy, so sklearn is imported only when a
model is (re)trained. The cache file name carries the taxonomy's hash and MODEL_VERSION, so editing the
taxonomy (or the feature code, with a version bump) retrains once; later starts just load the arrays.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nlu.errors import ModelCacheError

_LONG_NUMBER_RE = re.compile(r"\d{5,}")


def analyze(text: str, words: list[str]) -> list[str]:
    """Feature strings of a matching-normalised text and its words."""
    text = _LONG_NUMBER_RE.sub("#", text)
    feats = [f"c{ch}" for ch in text]
    feats.extend(f"b{text[i:i + 2]}" for i in range(len(text) - 1))
    feats.extend(f"t{text[i:i + 3]}" for i in range(len(text) - 2))
    feats.extend(f"w{w}" for w in words if len(w) >= 2)
    return feats


class Vectorizer:
    """Sparse TF-IDF vector of one text as (indices, values), l2-normalised."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf

    def transform(self, features: list[str]) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(i for f in features if (i := self.vocabulary.get(f)) is not None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = np.fromiter((1.0 + math.log(c) for c in counts.values()), dtype=np.float32, count=len(counts))
        values = tf * self.idf[idx]
        norm = float(np.sqrt(np.dot(values, values)))
        return idx, values / norm if norm > 0 else values


MODEL_VERSION = 5


@dataclass
class LinearModel:
    """TF-IDF vocabulary and one linear layer for minors and one for majors."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    minor_codes: list[str]
    major_codes: list[str]
    w_minor: np.ndarray  # (features, minors), float16: half the memory, no measurable accuracy change
    b_minor: np.ndarray
    w_major: np.ndarray  # (features, majors)
    b_major: np.ndarray

    def __post_init__(self) -> None:
        self.vectorizer = Vectorizer(self.vocabulary, self.idf)

    def logits(self, features: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Raw (minor, major) decision values of one text's features."""
        idx, values = self.vectorizer.transform(features)
        if idx.size == 0:
            return self.b_minor.copy(), self.b_major.copy()
        return values @ self.w_minor[idx] + self.b_minor, values @ self.w_major[idx] + self.b_major

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.idf, self.w_minor, self.b_minor, self.w_major, self.b_major))

    def save(self, path: Path) -> None:
        terms = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".nlu-model-", suffix=".npz")
            with os.fdopen(fd, "wb") as out:
                np.savez(
                    out,
                    terms=np.array(terms),
                    idf=self.idf,
                    minor_codes=np.array(self.minor_codes),
                    major_codes=np.array(self.major_codes),
                    w_minor=self.w_minor,
                    b_minor=self.b_minor,
                    w_major=self.w_major,
                    b_major=self.b_major,
                )
            os.replace(tmp, path)
        except OSError as exc:
            raise ModelCacheError(f"cannot write model cache {path}: {exc}") from exc

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        try:
            with np.load(path, allow_pickle=False) as data:
                terms: list[str] = data["terms"].tolist()
                return cls(
                    vocabulary={t: i for i, t in enumerate(terms)},
                    idf=data["idf"],
                    minor_codes=data["minor_codes"].tolist(),
                    major_codes=data["major_codes"].tolist(),
                    w_minor=data["w_minor"],
                    b_minor=data["b_minor"],
                    w_major=data["w_major"],
                    b_major=data["b_major"],
                )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ModelCacheError(f"cannot read model cache {path}: {exc}") from exc


def model_path(cache_dir: Path, taxonomy_digest: str) -> Path:
    return cache_dir / f"nlu-model-v{MODEL_VERSION}-{taxonomy_digest[:16]}.npz"
