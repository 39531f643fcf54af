"""Features and the trained linear model as plain numpy arrays, with its on-disk cache.

Features are character 1-3 grams (plus jieba words when WORD_CHARS > 0). Inference re-implements scikit-learn's
TfidfVectorizer(sublinear_tf=True, norm="l2") with a dict and numpy, so sklearn is imported only when a
model is (re)trained. The cache file name carries the taxonomy's hash and MODEL_VERSION, so editing the
taxonomy (or the feature code, with a version bump) retrains once; later starts just load the arrays.
"""

from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from nlu.errors import ModelCacheError

_LONG_NUMBER_RE = re.compile(r"\d{5,}")
FEATURE_KINDS = "cbtw"  # the prefixes `analyze` gives characters, bigrams, trigrams and words


def analyze(text: str, words: list[str]) -> list[str]:
    """Feature strings of a matching-normalised text and its words."""
    text = _LONG_NUMBER_RE.sub("#", text)
    feats = [f"c{ch}" for ch in text]
    feats.extend(f"b{text[i:i + 2]}" for i in range(len(text) - 1))
    feats.extend(f"t{text[i:i + 3]}" for i in range(len(text) - 2))
    feats.extend(f"w{w}" for w in words if len(w) >= 2)
    return feats


class Vectorizer:
    """Sparse TF-IDF vector of one text as (indices, values), l2-normalised.

    The vocabulary is held as one dict per kind of feature (characters, bigrams, trigrams, words), keyed
    without the kind's prefix: a text's n-grams are looked up as slices, without building the prefixed
    feature strings `analyze` makes (a third of the time), and no second, prefixed copy is kept (5 MB).
    """

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.idf = idf
        self._by_kind: tuple[dict[str, int], ...] = tuple(
            {f[1:]: i for f, i in vocabulary.items() if f[0] == kind} for kind in FEATURE_KINDS
        )

    @property
    def vocabulary(self) -> dict[str, int]:
        """Feature strings (kind prefix and text) and their columns, made anew: to save a model."""
        return {kind + term: i for kind, terms in zip(FEATURE_KINDS, self._by_kind, strict=True)
                for term, i in terms.items()}

    def transform(self, features: list[str]) -> tuple[np.ndarray, np.ndarray]:
        by_kind = self._by_kind
        ids = [by_kind[FEATURE_KINDS.index(f[0])].get(f[1:]) for f in features]
        return self._weigh([i for i in ids if i is not None])

    def transform_text(self, text: str, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """`transform(analyze(text, words))`, the same figures, computed without the feature strings."""
        text = _LONG_NUMBER_RE.sub("#", text)
        uni, bi, tri, known_words = self._by_kind
        n = len(text)
        ids = [
            *map(uni.get, text),
            *map(bi.get, [text[i : i + 2] for i in range(n - 1)]),
            *map(tri.get, [text[i : i + 3] for i in range(n - 2)]),
            *map(known_words.get, [w for w in words if len(w) >= 2]),
        ]
        return self._weigh([i for i in ids if i is not None])

    def _weigh(self, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        if not ids:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        idx, counts = _counted(np.array(ids, dtype=np.int64))
        tf = (1.0 + np.log(counts)).astype(np.float32)
        values = tf * self.idf[idx]
        norm = float(np.sqrt(np.dot(values, values)))
        return idx, values / norm if norm > 0 else values


def _counted(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(ids, return_counts=True)`` without its fixed cost (half the time for a short message)."""
    ids.sort()
    first = np.empty(ids.size, dtype=bool)
    first[0] = True
    np.not_equal(ids[1:], ids[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return ids[starts], np.diff(starts, append=ids.size)


MODEL_VERSION = 8


class LinearModel:
    """TF-IDF vocabulary and one linear layer over minors then majors, weights quantised to int8.

    Each class's column keeps its own scale (largest weight / 127), which changed no figure against
    float32 while taking a quarter of the memory; a text's rows are gathered and converted at once,
    which is ten times faster than float16 arithmetic in numpy.
    """

    def __init__(
        self,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        minor_codes: list[str],
        major_codes: list[str],
        weights: np.ndarray,  # int8 (features, minors + majors)
        scales: np.ndarray,  # float32 (minors + majors,)
        bias: np.ndarray,  # float32 (minors + majors,)
    ) -> None:
        self.vectorizer = Vectorizer(vocabulary, idf)
        self.idf = idf
        self.minor_codes = minor_codes
        self.major_codes = major_codes
        self.weights = weights
        self.scales = scales
        self.bias = bias
        self._split = len(minor_codes)

    @property
    def vocabulary(self) -> dict[str, int]:
        return self.vectorizer.vocabulary

    @classmethod
    def from_float(
        cls,
        vocabulary: dict[str, int],
        idf: np.ndarray,
        minor_codes: list[str],
        major_codes: list[str],
        w_minor: np.ndarray,
        b_minor: np.ndarray,
        w_major: np.ndarray,
        b_major: np.ndarray,
    ) -> LinearModel:
        w = np.hstack([w_minor, w_major]).astype(np.float32)
        scales = np.maximum(np.abs(w).max(axis=0), 1e-12) / 127.0
        weights = np.ascontiguousarray(np.rint(w / scales), dtype=np.int8)
        bias = np.concatenate([b_minor, b_major]).astype(np.float32)
        return cls(vocabulary, idf.astype(np.float32), minor_codes, major_codes, weights,
                   scales.astype(np.float32), bias)

    def logits(self, features: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Raw (minor, major) decision values of one text's features."""
        return self._logits(*self.vectorizer.transform(features))

    def text_logits(self, text: str, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """`logits(analyze(text, words))` for a matching-normalised text, faster."""
        return self._logits(*self.vectorizer.transform_text(text, words))

    def _logits(self, idx: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if idx.size == 0:
            both = self.bias.copy()
        else:
            both = (values @ self.weights[idx].astype(np.float32)) * self.scales + self.bias
        return both[: self._split], both[self._split :]

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.idf, self.weights, self.scales, self.bias))

    def save(self, path: Path) -> None:
        vocabulary = self.vocabulary  # made anew on each access
        terms = sorted(vocabulary, key=vocabulary.__getitem__)
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
                    weights=self.weights,
                    scales=self.scales,
                    bias=self.bias,
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
                    weights=data["weights"],
                    scales=data["scales"],
                    bias=data["bias"],
                )
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
            raise ModelCacheError(f"cannot read model cache {path}: {exc}") from exc


def model_path(cache_dir: Path, taxonomy_digest: str) -> Path:
    return cache_dir / f"nlu-model-v{MODEL_VERSION}-{taxonomy_digest[:16]}.npz"
