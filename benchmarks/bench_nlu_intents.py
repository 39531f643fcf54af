"""Intents on independently written sets: a development set and a blind set.

Run with ``python -m benchmarks nlu_intents``. Both sets (README beside them) are for evaluation only and
never train anything. ``intents_independent.jsonl`` is the development set: its misses may be studied for
kinds of error (``python -m benchmarks.bench_nlu_intents dev`` lists them), never copied into rules or
tests. ``intents_fresh.jsonl`` is the blind set, written later by another person: only its totals are printed,
never a line of it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
DEV = DATA / "intents_independent.jsonl"
BLIND = DATA / "intents_fresh.jsonl"
GOAL = 0.95


def load(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def score(nlu: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
    from nlu import Context, Intent

    per_intent: Counter[str] = Counter()
    per_intent_hits: Counter[str] = Counter()
    hits = scores = score_hits = 0
    misses: list[tuple[str, str, str, str]] = []
    for row in rows:
        reading = nlu.intent(row["text"], Context(row.get("context") or "idle"))
        gold = row["intent"]
        ok = reading.intent.value == gold
        per_intent[gold] += 1
        per_intent_hits[gold] += ok
        hits += ok
        got = reading.intent.value
        if row.get("score") is not None:
            scores += 1
            good_score = reading.intent is Intent.RATING and reading.rating is not None \
                and reading.rating.score == row["score"]
            score_hits += good_score
            got += f" {reading.rating.score}" if reading.rating else ""
            if ok and not good_score:
                misses.append((row["text"], row.get("context", "idle"), f"{gold} {row['score']}", got))
        if not ok:
            misses.append((row["text"], row.get("context", "idle"), gold, got))
    return {"n": len(rows), "hits": hits, "per_intent": per_intent, "per_intent_hits": per_intent_hits,
            "scores": scores, "score_hits": score_hits, "misses": misses}


def _print(name: str, r: dict[str, Any]) -> None:
    accuracy = r["hits"] / r["n"] if r["n"] else 0.0
    mark = "ok" if accuracy >= GOAL else "MISSED"
    per = ", ".join(f"{k} {r['per_intent_hits'][k]}/{v}" for k, v in sorted(r["per_intent"].items()))
    print(f"{name:<6} intent {accuracy:.1%} ({r['hits']}/{r['n']})   (goal >= {GOAL:.0%}: {mark})")
    print(f"       per intent: {per}")
    print(f"       rating score exact {r['score_hits']}/{r['scores']}")


def main() -> None:
    from nlu import NLU, shipped_place_names

    nlu = NLU.load(extra_words=shipped_place_names())
    dev = load(DEV)
    print(f"development set: {len(dev)} messages (misses studied; {DEV.name})")
    _print("dev", score(nlu, dev))
    path = BLIND
    if not path.exists():
        print(f"blind set: {path.name} not present, skipped")
        return
    blind = load(path)
    print(f"blind set: {len(blind)} messages written by another person, never studied ({path.name})")
    _print("blind", score(nlu, blind))


def list_dev_misses() -> None:
    from nlu import NLU

    for text, context, gold, got in score(NLU.load(), load(DEV))["misses"]:
        print(f"{context:<13} {gold:<10} -> {got:<10} {text}")


if __name__ == "__main__":
    if sys.argv[1:] == ["dev"]:
        list_dev_misses()
    else:
        main()
