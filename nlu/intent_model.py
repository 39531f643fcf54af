"""A small learned intent model: character n-grams and naive Bayes over phrases written for it.

The rules in `intents.py` read explicit forms well ("转人工", "5分") but every phrasing they do not list
falls through to a guess. This model reads what a message is like as a whole: character 1- to 3-grams of
the normalised text (with its start and end marked, so that a bare "好" differs from "好" inside a
sentence), multinomial naive Bayes with add-α smoothing, trained on `data/intent_phrases.yaml` at load
(~500 phrases: about 0.1 s, nothing cached). `intent_reading.py` combines its probabilities with the rules.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import yaml

from nlu.errors import NLUError
from nlu.vocabulary import Intent
from nlu.yamlio import safe_load

PHRASES_PATH = Path(__file__).parent / "data" / "intent_phrases.yaml"
ALPHA = 0.3
SHARPNESS = 1.0  # naive Bayes sums are overconfident: scaled by SHARPNESS / n-grams ** LENGTH_POWER
LENGTH_POWER = 0.5


def ngrams(t: str) -> set[str]:
    """Character 1-, 2- and 3-grams of normalised text, the start and end marked with ^ and $."""
    marked = f"^{t}$"
    grams = {marked[i : i + n] for n in (2, 3) for i in range(len(marked) - n + 1)}
    grams.update(t)
    return grams


def load_phrases(path: Path = PHRASES_PATH) -> dict[Intent, list[str]]:
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
        return {Intent(name): [str(p) for p in phrases] for name, phrases in data.items() if name != "version"}
    except (OSError, yaml.YAMLError, ValueError, AttributeError, TypeError) as exc:
        raise NLUError(f"intent phrases {path}: {exc}") from exc


class IntentModel:
    """P(intent | text) for the intents the phrases cover."""

    def __init__(self, phrases: dict[Intent, list[str]]) -> None:
        self.intents = list(phrases)
        counts = {intent: Counter(g for p in texts for g in ngrams(p)) for intent, texts in phrases.items()}
        vocabulary = set().union(*counts.values())
        totals = [sum(counts[i].values()) + ALPHA * (len(vocabulary) + 1) for i in self.intents]
        self._unseen = [math.log(ALPHA / total) for total in totals]
        grams = sorted(vocabulary)
        self._row = {gram: r for r, gram in enumerate(grams)}
        # log P(gram | intent), one row per n-gram: a text's rows are summed at once, in row order (the
        # same sum whatever order a set of n-grams iterates in).
        self._log = np.array(
            [[math.log((counts[i][gram] + ALPHA) / total) for i, total in zip(self.intents, totals, strict=True)]
             for gram in grams],
            dtype=np.float64,
        ).reshape(len(grams), len(self.intents))

    def probabilities(self, t: str) -> dict[Intent, float]:
        """Probabilities over the known intents for normalised text `t` (known n-grams only)."""
        rows = sorted(r for r in map(self._row.get, ngrams(t)) if r is not None)
        known = len(rows)
        sums = self._log[rows].sum(axis=0).tolist() if rows else [0.0] * len(self.intents)
        scores = [s / max(known, 1) ** LENGTH_POWER for s in sums]
        top = max(scores)
        weights = [math.exp(SHARPNESS * (s - top)) for s in scores]
        total = sum(weights)
        return {intent: w / total for intent, w in zip(self.intents, weights, strict=True)}
