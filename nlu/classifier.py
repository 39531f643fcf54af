"""Ranking majors and minors: linear model scores plus keyword evidence, softmax-calibrated.

score(major) = softmax(TEMPERATURE * (major model + MINOR_WEIGHT * best minor of that major
                                      + KEYWORD_WEIGHT * best keyword evidence of that major))
The top major is "confident" when its probability reaches CONFIDENCE_THRESHOLD; below that the dialog
asks the resident to pick from the top three. See docs/nlu.md for how these constants were chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nlu.features import analyze
from nlu.keywords import KeywordIndex
from nlu.model import LinearModel
from nlu.normalize import for_matching
from nlu.taxonomy import Taxonomy

KEYWORD_WEIGHT = 0.2
MINOR_WEIGHT = 1.0
TEMPERATURE = 3.0
CONFIDENCE_THRESHOLD = 0.7


@dataclass(frozen=True)
class CategoryScore:
    code: str
    name: str
    score: float


@dataclass(frozen=True)
class Classification:
    """Majors ranked best first (all of them), the best minors, and whether to trust the first."""

    majors: list[CategoryScore]
    minors: list[CategoryScore]
    confident: bool
    keyword_hit: bool

    @property
    def major(self) -> CategoryScore:
        return self.majors[0]

    @property
    def minor(self) -> CategoryScore | None:
        return self.minors[0] if self.minors else None


class Classifier:
    def __init__(
        self, taxonomy: Taxonomy, model: LinearModel, words_of: Callable[[str], list[str]]
    ) -> None:
        self.taxonomy = taxonomy
        self.model = model
        self.words_of = words_of
        self.keywords = KeywordIndex(taxonomy, model.minor_codes)
        major_pos = {code: i for i, code in enumerate(model.major_codes)}
        self._major_of_minor = np.array([major_pos[c[:2]] for c in model.minor_codes], dtype=np.int64)
        self._minor_names = [taxonomy.name_of(c) for c in model.minor_codes]
        self._major_names = [taxonomy.name_of(c) for c in model.major_codes]

    def _per_major_max(self, values: np.ndarray) -> np.ndarray:
        out = np.full(len(self.model.major_codes), -np.inf, dtype=np.float32)
        np.maximum.at(out, self._major_of_minor, values)
        return out

    def scores(self, text: str) -> tuple[np.ndarray, np.ndarray, bool]:
        """(major probabilities, minor scores, keyword hit) for raw text."""
        cleaned = for_matching(text)
        minor_logit, major_logit = self.model.logits(analyze(cleaned, self.words_of(cleaned)))
        evidence, hit = self.keywords.evidence(cleaned)
        minor_score = minor_logit + KEYWORD_WEIGHT * evidence
        combined = (
            major_logit
            + MINOR_WEIGHT * self._per_major_max(minor_logit)
            + KEYWORD_WEIGHT * self._per_major_max(evidence)
        )
        z = TEMPERATURE * (combined - combined.max())
        probs = np.exp(z)
        probs /= probs.sum()
        return probs, minor_score, hit

    def classify(self, text: str, top_minors: int = 5) -> Classification:
        probs, minor_score, hit = self.scores(text)
        order = np.argsort(-probs)
        majors = [
            CategoryScore(self.model.major_codes[i], self._major_names[i], round(float(probs[i]), 4))
            for i in order
        ]
        best_major = int(order[0])
        in_major = np.flatnonzero(self._major_of_minor == best_major)
        ranked = in_major[np.argsort(-minor_score[in_major])][:top_minors]
        # a minor's score: its major's probability times its softmax share within the major
        shares = np.exp(TEMPERATURE * (minor_score[ranked] - minor_score[ranked].max()))
        shares /= np.exp(TEMPERATURE * (minor_score[in_major] - minor_score[ranked].max())).sum()
        minors = [
            CategoryScore(
                self.model.minor_codes[i], self._minor_names[i], round(float(probs[best_major] * s), 4)
            )
            for i, s in zip(ranked, shares, strict=True)
        ]
        confident = float(probs[best_major]) >= CONFIDENCE_THRESHOLD
        return Classification(majors=majors, minors=minors, confident=confident, keyword_hit=hit)
