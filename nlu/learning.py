"""Learning from the centre's labelled history: read it, train a candidate, compare, keep it only if better.

The centre's history uses its own category names ("城管-占道经营", "住建局"); a crosswalk file maps
each of them to a code of the taxonomy (a minor, or a major when the name is coarser). Staff
reclassifications (the category a person chose for a case) come in the same form from the caller.

    rows, problems = read_history(Path("history.csv"), Path("crosswalk.csv"), nlu.taxonomy)
    outcome = learn(nlu, rows, store)          # trains, evaluates on a held-out part, switches if better
    outcome.current_top1, outcome.candidate_top1, outcome.switched

The held-out part is every fifth row by a hash of its text, so it never changes between runs and a row
is never both trained on and tested on. The candidate is trained on the rest, compared with the model in
use on the held-out part, and, when it is better (or forced), trained again on all rows and stored as a
new version that every process picks up.
"""

from __future__ import annotations

import csv
import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from nlu.errors import NLUError
from nlu.store import ModelStore
from nlu.taxonomy import Taxonomy

if TYPE_CHECKING:
    from nlu.engine import NLU

TEXT_COLUMNS = ("text", "content", "内容", "诉求内容", "description")
CATEGORY_COLUMNS = ("category", "类别", "分类", "code", "major", "minor")
HELD_OUT_EVERY = 5


class HistoryError(NLUError):
    """The history or crosswalk file cannot be used (named in the message, nothing is changed)."""


@dataclass(frozen=True)
class LabelledText:
    text: str
    code: str  # a taxonomy major (2 digits) or minor (4 digits)

    @property
    def major(self) -> str:
        return self.code[:2]


@dataclass
class Outcome:
    trained_on: int
    held_out: int
    current_top1: float
    candidate_top1: float
    switched: bool
    version: str | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            return [dict(row) for row in csv.DictReader(f)]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise HistoryError(f"cannot read {path}: {exc}") from exc


def _column(rows: list[dict[str, str]], names: Sequence[str], path: Path, what: str) -> str:
    header = list(rows[0]) if rows else []
    for name in names:
        if name in header:
            return name
    raise HistoryError(f"{path}: no {what} column (one of {', '.join(names)}; found {', '.join(header) or 'none'})")


def read_crosswalk(path: Path, taxonomy: Taxonomy) -> dict[str, str]:
    """The centre's category names -> taxonomy codes, from a CSV with columns category,code."""
    rows = _read_csv(path)
    if not rows:
        raise HistoryError(f"{path}: empty crosswalk")
    name_col = _column(rows, ("category", "类别", "name"), path, "category")
    code_col = _column(rows, ("code", "taxonomy", "编码"), path, "code")
    mapping: dict[str, str] = {}
    for number, row in enumerate(rows, 2):
        name, code = (row.get(name_col) or "").strip(), (row.get(code_col) or "").strip()
        if not name:
            continue
        if not _known(code, taxonomy):
            raise HistoryError(f"{path}:{number}: {name!r} maps to {code!r}, which is not a code of the taxonomy")
        mapping[name] = code
    return mapping


def _known(code: str, taxonomy: Taxonomy) -> bool:
    known = {m.code for m in taxonomy.majors} | {m.code for m in taxonomy.minors}
    return code in known


def read_history(
    path: Path, crosswalk: Path | None, taxonomy: Taxonomy
) -> tuple[list[LabelledText], list[str]]:
    """Labelled rows of a history CSV (text + the centre's category), and one line per row left out.

    Without a crosswalk the category column must hold taxonomy codes or names.
    """
    rows = _read_csv(path)
    if not rows:
        raise HistoryError(f"{path}: no rows")
    text_col = _column(rows, TEXT_COLUMNS, path, "text")
    cat_col = _column(rows, CATEGORY_COLUMNS, path, "category")
    mapping = read_crosswalk(crosswalk, taxonomy) if crosswalk else {}
    by_name = {m.name: m.code for m in taxonomy.majors} | {m.name: m.code for m in taxonomy.minors}
    labelled: list[LabelledText] = []
    problems: list[str] = []
    for number, row in enumerate(rows, 2):
        text, category = (row.get(text_col) or "").strip(), (row.get(cat_col) or "").strip()
        if not text:
            problems.append(f"line {number}: empty text")
            continue
        code = mapping.get(category) or by_name.get(category) or (category if _known(category, taxonomy) else "")
        if not code:
            problems.append(f"line {number}: category {category!r} is not in the crosswalk")
            continue
        labelled.append(LabelledText(text, code))
    return labelled, problems


def held_out(row: LabelledText) -> bool:
    return hashlib.sha256(row.text.encode("utf-8")).digest()[0] % HELD_OUT_EVERY == 0


def top1(nlu: NLU, rows: Iterable[LabelledText]) -> float:
    rows = list(rows)
    if not rows:
        return float("nan")
    return sum(nlu.classifier.classify(r.text).major.code == r.major for r in rows) / len(rows)


def train_candidate(nlu: NLU, rows: Sequence[LabelledText]) -> NLU:
    """An NLU like `nlu` whose model is trained on the taxonomy plus `rows` (imports scikit-learn)."""
    from nlu.training import train

    model = train(nlu.taxonomy, nlu.tokenizer.words, [(r.text, _minor_for(nlu, r)) for r in rows])
    return nlu.with_model(model)


def _minor_for(nlu: NLU, row: LabelledText) -> str:
    """A major-only label gets the minor of that major the current model finds likeliest, so that the
    minor model learns from the row too (the major stays the centre's)."""
    if len(row.code) == 4:
        return row.code
    scores = nlu.classifier.minor_scores(row.text)
    inside = [(score, code) for code, score in scores.items() if code[:2] == row.code]
    return max(inside)[1] if inside else row.code


def learn(nlu: NLU, rows: Sequence[LabelledText], store: ModelStore, *, force: bool = False) -> Outcome:
    """Train, compare on the held-out part, and switch every process to the new version when better."""
    started = time.perf_counter()
    train_rows = [r for r in rows if not held_out(r)]
    test_rows = [r for r in rows if held_out(r)]
    if not train_rows or not test_rows:
        raise HistoryError(f"{len(rows)} labelled rows are too few to train and test (need at least ~10)")
    candidate = train_candidate(nlu, train_rows)
    outcome = Outcome(
        trained_on=len(train_rows),
        held_out=len(test_rows),
        current_top1=top1(nlu, test_rows),
        candidate_top1=top1(candidate, test_rows),
        switched=False,
    )
    if outcome.candidate_top1 > outcome.current_top1 or force:
        final = train_candidate(nlu, rows)
        outcome.version = store.save(final.model, {
            "taxonomy": nlu.taxonomy.digest,
            "rows": len(rows),
            "held_out_top1_candidate": round(outcome.candidate_top1, 4),
            "held_out_top1_previous": round(outcome.current_top1, 4),
            "previous": nlu.version,
            "forced": force and outcome.candidate_top1 <= outcome.current_top1,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        })
        store.switch(outcome.version)
        outcome.switched = True
    outcome.seconds = time.perf_counter() - started
    return outcome
