"""Intents on an independently written set, split into a dev half and a blind half.

Run with ``python -m benchmarks nlu_intents``. The set (``benchmarks/data/intents_independent.jsonl``,
README beside it) is for evaluation only. The split is by the SHA-256 of the text, so it never changes:
the dev half's misses may be studied for kinds of error (``python -m benchmarks.bench_nlu_intents dev``
lists them); the blind half's misses are never printed.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "intents_independent.jsonl"
GOAL = 0.95


def half_of(text: str) -> str:
    """"dev" or "blind", fixed by the text's hash."""
    return "dev" if hashlib.sha256(text.encode("utf-8")).digest()[0] % 2 == 0 else "blind"


def load() -> dict[str, list[dict[str, Any]]]:
    halves: dict[str, list[dict[str, Any]]] = {"dev": [], "blind": []}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            halves[half_of(row["text"])].append(row)
    return halves


def score_half(nlu: Any, rows: list[dict[str, Any]]) -> dict[str, Any]:
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


def main() -> None:
    from nlu import NLU, shipped_place_names

    nlu = NLU.load(extra_words=shipped_place_names())
    halves = load()
    print(f"independent intent set: {sum(len(v) for v in halves.values())} messages, "
          f"dev {len(halves['dev'])} / blind {len(halves['blind'])} (split by SHA-256 of the text)")
    for name in ("dev", "blind"):
        r = score_half(nlu, halves[name])
        accuracy = r["hits"] / r["n"]
        mark = "ok" if accuracy >= GOAL else "MISSED"
        per = ", ".join(f"{k} {r['per_intent_hits'][k]}/{v}" for k, v in sorted(r["per_intent"].items()))
        print(f"{name:<6} intent {accuracy:.1%} ({r['hits']}/{r['n']})   (goal >= {GOAL:.0%}: {mark})")
        print(f"       per intent: {per}")
        print(f"       rating score exact {r['score_hits']}/{r['scores']}")


def list_dev_misses() -> None:
    from nlu import NLU

    r = score_half(NLU.load(), load()["dev"])
    for text, context, gold, got in r["misses"]:
        print(f"{context:<13} {gold:<10} -> {got:<10} {text}")


if __name__ == "__main__":
    if sys.argv[1:] == ["dev"]:
        list_dev_misses()
    else:
        main()
