"""Keyword evidence: exact and fuzzy (typo-tolerant) hits of taxonomy keywords and synonyms.

Exact hits come from looking up every substring of the text in a dict (texts are short, so this is
a few hundred lookups). Fuzzy hits use rapidfuzz's partial_ratio on the few keywords of four or more
characters that share all but one character with the text, which catches one-character voice-input
slips the correction table does not know ("井盖丢失" heard as "井改丢失").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz

from nlu.normalize import for_matching
from nlu.taxonomy import Taxonomy

FUZZY_MIN_LEN = 4
FUZZY_CUTOFF = 74.0
FUZZY_DISCOUNT = 0.6


class KeywordIndex:
    """Maps keyword strings to the minors that list them; scores texts against them."""

    def __init__(self, taxonomy: Taxonomy, minor_codes: Sequence[str]) -> None:
        position = {code: i for i, code in enumerate(minor_codes)}
        owners: dict[str, set[int]] = defaultdict(set)
        for minor in taxonomy.minors:
            for term in (minor.name, *minor.keywords, *minor.synonyms):
                cleaned = for_matching(term)
                if cleaned:
                    owners[cleaned].add(position[minor.code])
        self.size = len(minor_codes)
        self.terms: dict[str, tuple[np.ndarray, float]] = {}
        for term, minors in owners.items():
            weight = min(len(term), 4) / 4.0 / len(minors) ** 0.5
            self.terms[term] = (np.fromiter(sorted(minors), dtype=np.int64), weight)
        self.max_len = max(len(t) for t in self.terms)
        self._fuzzy_terms = [t for t in self.terms if len(t) >= FUZZY_MIN_LEN]
        self._by_char: dict[str, list[int]] = defaultdict(list)
        for tid, term in enumerate(self._fuzzy_terms):
            for ch in set(term):
                self._by_char[ch].append(tid)

    def exact_hits(self, text: str) -> list[str]:
        """Keywords found verbatim in matching-normalised text, longest first, without nested ones."""
        found: list[tuple[int, int, str]] = []
        n = len(text)
        for i in range(n):
            for j in range(min(n, i + self.max_len), i, -1):
                piece = text[i:j]
                if piece in self.terms:
                    found.append((i, j, piece))
        found.sort(key=lambda f: f[0] - f[1])
        kept: list[tuple[int, int, str]] = []
        for start, end, term in found:
            if not any(s <= start and end <= e for s, e, _ in kept):
                kept.append((start, end, term))
        return [term for _, _, term in kept]

    def fuzzy_hits(self, text: str, exclude: Sequence[str] = ()) -> list[tuple[str, float]]:
        """(keyword, similarity 0-1) for near-misses of long keywords not already found exactly."""
        shared: Counter[int] = Counter()
        for ch in set(text):
            shared.update(self._by_char.get(ch, ()))
        hits: list[tuple[str, float]] = []
        for tid, count in shared.items():
            term = self._fuzzy_terms[tid]
            if count < len(set(term)) - 1 or term in exclude:
                continue
            score = fuzz.partial_ratio(term, text, score_cutoff=FUZZY_CUTOFF)
            if score and score < 100:
                hits.append((term, score / 100.0))
        return hits

    def evidence(self, text: str) -> tuple[np.ndarray, bool]:
        """Per-minor evidence vector and whether any keyword matched exactly."""
        scores = np.zeros(self.size, dtype=np.float32)
        exact = self.exact_hits(text)
        for term in exact:
            minors, weight = self.terms[term]
            scores[minors] += weight
        for term, similarity in self.fuzzy_hits(text, exact):
            minors, weight = self.terms[term]
            scores[minors] += weight * similarity * FUZZY_DISCOUNT
        return scores, bool(exact)
