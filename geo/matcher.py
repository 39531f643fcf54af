"""Finding gazetteer places named in free text (春晖苑3栋楼下有垃圾 → 春晖佳苑).

Pipeline, cheapest step first:

1. The text is cleaned (punctuation and spaces dropped) and *folded* (homophones → one character,
   see :mod:`geo.chars`).
2. **Narrowing.** Every key (name, alias, core name) is indexed by its character bigrams. Each bigram of
   the text votes for the keys that hold it, at an alignment (where the key would start in the text).
   No segmentation is needed, so an unknown word next to a name does not hide it.
3. **Scoring** only the voted keys, only at their alignments, with ``rapidfuzz.fuzz.ratio`` (normalised
   Indel similarity) on windows of the key's length ±1. ``ratio`` on a 3–8 character window costs a
   fraction of a microsecond; ``WRatio`` would cost ~20× more and its token logic means nothing for
   unsegmented Chinese, and ``partial_ratio`` alone cannot see an inserted or dropped character.

Scores (0–100):

* a name typed exactly 100, an alias 99; the same after folding homophones 90 / 89 plus up to 6 for
  the characters typed as written (壁水家园 prefers 碧水家园 to 碧水佳苑);
* a fuzzy name 0.9 × ratio, accepted only when the distinctive part of the name (碧水 in 碧水花园) is
  there after folding and ratio ≥ 75, or when ratio ≥ 85 (one character added or dropped);
* a bare core name (碧水) 84 plus a tenth of how well the following characters fit the full name,
  accepted only typed exactly and followed by a place cue (楼, 栋, 门口…, a digit) or ending a text
  (碧水, 住碧水).

Places within :data:`MARGIN` of the best and above :data:`MIN_SCORE` are returned, best first, except
a weaker reading of words a better candidate already explains (碧水 inside 碧水花园); nothing plausible
gives an empty list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz.fuzz import ratio

from geo.chars import clean, fold
from geo.gazetteer import NameKey, core_name

MIN_SCORE = 65.0
MARGIN = 6.0
MAX_CANDIDATES = 5
MAX_SCORED_KEYS = 80
_INSTITUTION_TAILS = (
    "社区卫生服务中心", "卫生服务中心", "社区医院", "卫生院", "农贸市场", "菜市场", "菜场", "商业街",
    "停车场", "停车库", "幼儿园", "小学", "中学", "学校", "公园", "广场", "医院", "市场",
)
# What may follow a bare core name for it to count as a place (春晖3栋, 碧水门口, 观澜那边).
_CORE_CUES = frozenset("苑园府郡湾里城居邸院区村寓馆小栋幢号楼单元期门口那这边旁附近对面内外前后")
# What may precede a bare core name that ends the text (住碧水, 在观澜).
_CORE_LEADS = frozenset("在住到是去近靠从")


@dataclass(frozen=True, slots=True)
class Match:
    place: int
    score: float
    matched: str
    start: int  # span of the match in the cleaned text
    end: int


@dataclass(frozen=True, slots=True)
class _Key:
    raw: str
    folded: str
    distinctive: str  # folded
    place: int
    kind: str
    full: str  # full name of the place as written (for core keys)


def distinctive_part(name: str) -> str:
    """The part of a name that tells it apart: 碧水花园 → 碧水, 幸福小学 → 幸福, 观澜府 → 观澜."""
    for tail in _INSTITUTION_TAILS:
        if name.endswith(tail) and len(name) - len(tail) >= 2:
            return name[: -len(tail)]
    return core_name(name) or name


class PlaceMatcher:
    """A bigram index over every key of every place, and the scorer described above."""

    def __init__(self, keys: list[NameKey], place_names: list[str]) -> None:
        cleaned_names = [clean(name) for name in place_names]
        self._keys: list[_Key] = [
            _Key(raw=key.text, folded=fold(key.text), distinctive=fold(distinctive_part(key.text)),
                 place=key.place, kind=key.kind, full=cleaned_names[key.place])
            for key in keys
        ]
        index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for number, key in enumerate(self._keys):
            for offset in range(len(key.folded) - 1):
                index[key.folded[offset:offset + 2]].append((number, offset))
        self._index: dict[str, tuple[tuple[int, int], ...]] = {bg: tuple(v) for bg, v in index.items()}

    @property
    def key_count(self) -> int:
        return len(self._keys)

    def match(self, text: str) -> list[Match]:
        raw = clean(text)
        if len(raw) < 2:
            return []
        folded = fold(raw)
        alignments: dict[int, set[int]] = defaultdict(set)
        votes: dict[int, int] = defaultdict(int)
        index = self._index
        for pos in range(len(folded) - 1):
            for number, offset in index.get(folded[pos:pos + 2], ()):
                alignments[number].add(pos - offset)
                votes[number] += 1
        if not votes:
            return []
        keys = self._keys
        ranked = sorted(votes, key=lambda n: votes[n] / max(1, len(keys[n].folded) - 1), reverse=True)
        best: dict[int, Match] = {}
        for number in ranked[:MAX_SCORED_KEYS]:
            key = keys[number]
            for start in alignments[number]:
                found = self._score(key, raw, folded, start)
                if found is not None and (key.place not in best or found.score > best[key.place].score):
                    best[key.place] = found
        if not best:
            return []
        top = max(match.score for match in best.values())
        ranked_matches = sorted(best.values(), key=lambda m: (-m.score, m.place))
        kept: list[Match] = []
        for match in ranked_matches:
            if match.score < MIN_SCORE or match.score < top - MARGIN:
                break
            # A weaker reading of the same words (碧水 inside 碧水花园) is not a second candidate.
            if any(other.score > match.score + 1 and other.start < match.end and match.start < other.end
                   for other in kept):
                continue
            kept.append(match)
        return kept[:MAX_CANDIDATES]

    def _score(self, key: _Key, raw: str, folded: str, start: int) -> Match | None:
        size = len(key.folded)
        if start >= 0 and start + size <= len(folded) and folded[start:start + size] == key.folded:
            exact_raw = raw[start:start + size] == key.raw
            if key.kind == "core":
                return self._score_core(key, raw, folded, start, exact_raw)
            typed = raw[start:start + size]
            if exact_raw:
                score = 100.0 if key.kind == "name" else 99.0
            else:  # homophones folded: the more characters typed as written, the better (壁水家园)
                score = round((90.0 if key.kind == "name" else 89.0) + 0.06 * ratio(typed, key.raw), 2)
            return Match(key.place, score, typed, start, start + size)
        if key.kind == "core" or size < 3:
            return None
        similarity, lo, hi = _best_window(key.folded, folded, start)
        if hi - lo < max(3, size - 1):
            return None  # a shortened name is a core name: _score_core's rules apply
        if similarity >= 85.0 or (similarity >= 75.0 and key.distinctive in folded[lo:hi]):
            return Match(key.place, round(0.9 * similarity, 2), raw[lo:hi], lo, hi)
        return None

    def _score_core(self, key: _Key, raw: str, folded: str, start: int, exact_raw: bool) -> Match | None:
        end = start + len(key.folded)
        if not exact_raw:
            return None
        if end == len(raw):
            if start > 0 and raw[start - 1] not in _CORE_LEADS:
                return None
        elif not (raw[end].isdigit() or raw[end] in _CORE_CUES):
            return None
        fit, _, _ = _best_window(key.full, raw, start)  # as typed: 文华苑 fits 文华佳苑 over 文华花园
        return Match(key.place, round(84.0 + 0.1 * fit, 2), raw[start:end], start, end)


def _best_window(needle: str, haystack: str, start: int) -> tuple[float, int, int]:
    """Best ``ratio`` of ``needle`` against windows starting near ``start`` of length len(needle) ± 1."""
    size = len(needle)
    best, best_lo, best_hi = 0.0, 0, 0
    limit = len(haystack)
    for lo in (start - 1, start, start + 1):
        if lo < 0 or lo >= limit:
            continue
        for hi in (lo + size - 1, lo + size, lo + size + 1):
            if hi <= lo + 1 or hi > limit:
                continue
            similarity = ratio(needle, haystack[lo:hi])
            if similarity > best:
                best, best_lo, best_hi = similarity, lo, hi
    return best, best_lo, best_hi
