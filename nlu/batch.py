"""Batch classification: JSON lines in, one understanding per line out (``intake nlu classify``).

    {"id": 7, "text": "望江路路灯晚上黑灯瞎火的 电话13855123456"}
    → {"id": 7, "majors": [{"code": "04", "name": "市政设施", "score": 0.98}, …×3], "minor": {…},
       "intent": "report", "rating": null, "appeal": "投诉", "unknown": false, "others": [],
       "phone": "13855123456", "address": "望江路", "urgent": false, "confident": true}

A line that is not a JSON object with a "text" string yields ``{"id": …, "error": "…"}`` and the run goes on.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

from nlu.engine import NLU, Understanding


def _score(code: str, name: str, score: float) -> dict[str, Any]:
    return {"code": code, "name": name, "score": score}


def classify_record(nlu: NLU, record: Any) -> dict[str, Any]:
    """One output object for one parsed input line; raises ValueError when it has no text."""
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise ValueError('each line needs a JSON object with a "text" string')
    u: Understanding = nlu.understand(record["text"])
    return {
        "id": record.get("id"),
        "majors": [_score(m.code, m.name, m.score) for m in u.majors],
        "minor": _score(u.minor.code, u.minor.name, u.minor.score) if u.minor else None,
        "intent": u.intent.value,
        "rating": u.rating.score if u.rating else None,
        "appeal": u.appeal.value,
        "unknown": u.unknown,
        "others": [_score(m.code, m.name, m.score) for m in u.others],
        "phone": u.phone,
        "address": u.place,
        "urgent": u.urgent,
        "confident": u.confident,
    }


def classify_stream(nlu: NLU, source: TextIO, sink: TextIO) -> int:
    """Classify every line of `source` into `sink`; returns the number of lines in error."""
    errors = 0
    for line in source:
        if not line.strip():
            continue
        record: Any = None
        try:
            record = json.loads(line)
            out = classify_record(nlu, record)
        except (json.JSONDecodeError, ValueError) as exc:
            errors += 1
            out = {"id": record.get("id") if isinstance(record, dict) else None, "error": str(exc)}
        sink.write(json.dumps(out, ensure_ascii=False) + "\n")
    return errors
