"""Accuracy figures on a labelled file, shared by `intake nlu eval`, the benchmark and the tests.

Each line of the file is a JSON object with "text" and any of: "major" (2-digit code, or null for a
non-report message), "minor", "intent", "phone" (normalised number, or null when none must be found).
A field that is absent is not scored.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from nlu.classifier import Classification
from nlu.errors import NLUError
from nlu.numbers import extract_phone
from nlu.vocabulary import Context, IntentReading


class Understands(Protocol):
    def classify(self, text: str) -> Classification: ...

    def intent(self, text: str, context: Context = Context.IDLE) -> IntentReading: ...


def intent_matches(reading: IntentReading, gold: str) -> bool:
    """Whether a reading has the labelled intent; "rate_good"/"rate_bad" also check the polarity."""
    if gold.startswith("rate_"):
        return reading.label == gold
    return reading.intent.value == gold


@dataclass
class Report:
    """Counts behind the figures; `ratio` helpers turn them into percentages."""

    majors: int = 0
    top1: int = 0
    top3: int = 0
    minors: int = 0
    minor_hits: int = 0
    intents: int = 0
    intent_hits: int = 0
    scores: int = 0
    score_hits: int = 0
    phones: int = 0
    phone_hits: int = 0
    confident: int = 0
    confident_hits: int = 0
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    misses: list[dict[str, Any]] = field(default_factory=list)

    @staticmethod
    def ratio(hits: int, total: int) -> float:
        return hits / total if total else float("nan")

    def macro_f1(self) -> float:
        labels = {gold for gold, _ in self.pairs}
        scores = []
        for label in labels:
            tp = sum(1 for g, p in self.pairs if g == label and p == label)
            fp = sum(1 for g, p in self.pairs if g != label and p == label)
            fn = sum(1 for g, p in self.pairs if g == label and p != label)
            scores.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
        return sum(scores) / len(scores) if scores else float("nan")

    def summary(self) -> dict[str, float]:
        return {
            "top1_major": self.ratio(self.top1, self.majors),
            "top3_major": self.ratio(self.top3, self.majors),
            "minor": self.ratio(self.minor_hits, self.minors),
            "macro_f1_major": self.macro_f1(),
            "intent": self.ratio(self.intent_hits, self.intents),
            "rating_score": self.ratio(self.score_hits, self.scores),
            "phone_exact": self.ratio(self.phone_hits, self.phones),
            "confident_share": self.ratio(self.confident, self.majors),
            "confident_precision": self.ratio(self.confident_hits, self.confident),
        }


def read_labelled(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise NLUError(f"cannot read {path}: {exc}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise NLUError(f"{path}:{number}: not JSON: {exc}") from exc
        if not isinstance(row, dict) or not isinstance(row.get("text"), str):
            raise NLUError(f"{path}:{number}: needs an object with a 'text' string")
        rows.append(row)
    return rows


def evaluate(nlu: Understands, rows: Iterable[dict[str, Any]]) -> Report:
    report = Report()
    for row in rows:
        text = row["text"]
        if row.get("major"):
            result = nlu.classify(text)
            gold, codes = str(row["major"]), [m.code for m in result.majors[:3]]
            report.majors += 1
            report.top1 += codes[0] == gold
            report.top3 += gold in codes
            report.pairs.append((gold, codes[0]))
            if result.confident:
                report.confident += 1
                report.confident_hits += codes[0] == gold
            if codes[0] != gold:
                report.confusions[(gold, codes[0])] += 1
                report.misses.append({"text": text, "gold": gold, "got": codes})
            if row.get("minor"):
                report.minors += 1
                report.minor_hits += result.minor is not None and result.minor.code == row["minor"]
        if row.get("intent"):
            reading = nlu.intent(text, Context(row.get("context") or Context.IDLE))
            hit = intent_matches(reading, str(row["intent"]))
            report.intents += 1
            report.intent_hits += hit
            if not hit:
                report.misses.append({"text": text, "gold": row["intent"], "got": reading.label})
            if row.get("score") is not None:
                report.scores += 1
                report.score_hits += reading.rating is not None and reading.rating.score == int(row["score"])
        if "phone" in row:
            report.phones += 1
            report.phone_hits += extract_phone(text) == row["phone"]
    return report
