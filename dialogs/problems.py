"""Several problems in one message: "垃圾没人收，路灯也坏了，还有井盖丢了" → three cases, one confirmation.

The text is cut into clauses; each is classified on its own. A clause the classifier is unsure of
("晚上一片黑", "在星河雅居门口") belongs to the problem before it (or after it, at the start); after the
first problem, a clause opens another only when it names its subject outright (a taxonomy keyword:
"很危险" is no second problem). Clauses
of one subcategory are one problem. Two or more distinct problems are offered as separate cases.
"""

from __future__ import annotations

import re
from typing import Any

from dialogs.draft import appeal_code
from nlu import NLU, appeal_type

_CLAUSE = re.compile(r"[。；;！!？?\n，,、]+|(?:还有|另外|以及|再就是|除此之外)")
MIN_CLAUSE = 3
MAX_PROBLEMS = 5


def split_problems(text: str, nlu: NLU) -> list[dict[str, Any]]:
    """The distinct problems of a text (``text``, ``category`` and ``appeal`` each), or [] when it raises one."""
    clauses = [c.strip() for c in _CLAUSE.split(text) if len(c.strip()) >= MIN_CLAUSE]
    if len(clauses) < 2:
        return []
    groups: list[dict[str, Any]] = []
    pending: list[str] = []
    for clause in clauses:
        reading = nlu.classify(clause)
        minor = reading.minor
        # after the first problem, only a clause naming its subject outright (a keyword) opens another
        opens = reading.confident and minor is not None and (not groups or reading.keyword_hit)
        if not opens or minor is None or getattr(reading, "unknown", False):
            if groups:
                groups[-1]["parts"].append(clause)
            else:
                pending.append(clause)
            continue
        same = next((g for g in groups if g["minor"].code == minor.code), None)
        if same is not None:
            same["parts"].append(clause)
            continue
        groups.append({"minor": minor, "major": reading.majors[0], "parts": [*pending, clause]})
        pending = []
    if len(groups) < 2:
        return []
    found = []
    for group in groups[:MAX_PROBLEMS]:
        words = "，".join(group["parts"])
        found.append({"text": words, "category": _category(group, nlu),
                      "appeal": appeal_code(appeal_type(words, has_subject=True))})
    return found


def _category(group: dict[str, Any], nlu: NLU) -> dict[str, Any]:
    minor = group["minor"]
    major_code = minor.code[:2]
    return {"major_code": major_code, "major_name": nlu.taxonomy.major(major_code).name,
            "minor_code": minor.code, "minor_name": minor.name,
            "confidence": round(float(group["major"].score), 3), "source": "auto", "confident": True}
