"""Feature extraction shared by training and inference: character 1-3 grams plus jieba words.

Inference re-implements scikit-learn's TfidfVectorizer(sublinear_tf=True, norm="l2") over these
features with a plain dict and numpy, so that sklearn is needed only when a model is (re)trained.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

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
