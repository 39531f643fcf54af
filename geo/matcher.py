"""Finding gazetteer places named in free text (春晖苑3栋楼下有垃圾 → 春晖佳苑).

Pipeline, cheapest step first:

1. The text is cleaned (punctuation and spaces dropped) and *folded* (homophones → one character,
   see :mod:`geo.chars`).
2. **Narrowing.** Every key (name, alias, core name) is indexed by its character bigrams. Each bigram of
   the text votes for the keys that hold it, at an alignment (where the key would start in the text).
   No segmentation is needed, so an unknown word next to a name does not hide it.
3. **Scoring** only the voted keys, only at their alignments, with rapidfuzz's ``Indel.distance``
   (the edit count behind ``fuzz.ratio``: an inserted or dropped character costs 1, a replaced one 2)
   against windows of the key's length ±1. On a 3–10 character window it costs a fraction of a
   microsecond; ``WRatio`` over the whole gazetteer costs milliseconds and its token logic means
   nothing for unsegmented Chinese, and ``partial_ratio`` cannot see an inserted or dropped
   character. Edit counts, unlike percentages, treat a slip in a long name (天鹅区卫生服务中心) and in
   a short one alike.

Scores (0–100) are 100 minus penalties: after folding homophones 10 per missing character, 8 per
extra one, 18 per replaced one; 4 per character typed with a same-sounding one; 1 for an alias. A name may
lack or gain one character (not its first), or have one replaced when it has 4+ characters and its
distinctive part (碧水 in 碧水花园) is intact. A bare core name (碧水) scores 80–88: 88 minus the edits
between the full name and the characters as typed (文华苑… fits 文华佳苑 better than 文华花园); it
counts only typed exactly and followed by a place cue (楼, 栋, 门口…, a digit) or ending the text
(碧水, 住碧水).

Places within :data:`MARGIN` of the best and above :data:`MIN_SCORE` are returned, best first, except
a weaker reading of words a better candidate already explains (碧水 inside 碧水花园); nothing plausible
gives an empty list.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from geo.chars import clean, fold
from geo.gazetteer import NameKey, core_name

MIN_SCORE = 76.0
MARGIN = 7.0
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
            # A weaker reading inside the words of a better one (碧水 in 碧水花园) is no second candidate.
            if any(other.score > match.score + 1 and other.start <= match.start and match.end <= other.end
                   and other.end - other.start > match.end - match.start for other in kept):
                continue
            kept.append(match)
        return kept[:MAX_CANDIDATES]

    def _score(self, key: _Key, raw: str, folded: str, start: int) -> Match | None:
        size = len(key.folded)
        if key.kind == "core":
            if start >= 0 and folded[start:start + size] == key.folded:
                return self._score_core(key, raw, start)
            return None
        if size < 3:
            return None
        # The alignment comes from a shared bigram, so a window within 2 edits is at most one
        # character off it: an aligned window more than 3 edits away needs no neighbours tried.
        aligned = int(Indel.distance(key.folded, folded[max(0, start):start + size], score_cutoff=4))
        if aligned > 3:
            return None
        if aligned == 0 and start >= 0:
            cost, lo, hi = 0.0, start, start + size
        else:
            cost, lo, hi = _best_window(key.folded, folded, start)
        window = folded[lo:hi]
        edits = int(Indel.distance(key.folded, window))
        if edits > 2 or hi - lo < max(3, size - 1):
            return None  # a name shortened further is a core name: _score_core's rules apply
        if edits == 2 and (size < 4 or key.distinctive not in window):
            return None  # a wrong character in the distinctive part would be a guess (人民公园 ≠ 人和公园)
        if hi - lo < size and window[0] != key.folded[0]:
            return None  # a dropped first character leaves a generic fragment (园小区 is not 梅园小区)
        typed = raw[lo:hi]
        slips = max(0, int(Indel.distance(key.raw, typed)) - edits)  # homophones: 2 per character
        score = 100.0 - cost - 2.0 * slips - (0.0 if key.kind == "name" else 1.0)
        return Match(key.place, score, typed, lo, hi)

    def _score_core(self, key: _Key, raw: str, start: int) -> Match | None:
        end = start + len(key.folded)
        if raw[start:end] != key.raw:
            return None
        if end == len(raw):
            if start > 0 and raw[start - 1] not in _CORE_LEADS:
                return None
        elif not (raw[end].isdigit() or raw[end] in _CORE_CUES):
            return None
        # how the characters as typed fit the full name: 文华苑 fits 文华佳苑 better than 文华花园
        fit = int(Indel.distance(key.full, raw[start:start + len(key.full)], score_cutoff=8))
        return Match(key.place, 88.0 - fit, raw[start:end], start, end)


def _best_window(needle: str, haystack: str, start: int) -> tuple[float, int, int]:
    """The cheapest window near ``start`` of length len(needle) ± 1, and its cost.

    A character of the needle missing from the window costs 10, an extra one in the window 8 (a
    reading that covers every character of the name is the stronger one), a replaced one both.
    Ties go to the window aligned at ``start`` and of the needle's own length.
    """
    size = len(needle)
    limit = len(haystack)
    best_cost, best_lo, best_hi = 1e9, 0, 0
    for lo in (start, start - 1, start + 1):
        if lo < 0 or lo >= limit:
            continue
        for hi in (lo + size, lo + size - 1, lo + size + 1):
            if hi <= lo + 1 or hi > limit:
                continue
            edits = Indel.distance(needle, haystack[lo:hi], score_cutoff=6)
            extra = (edits + hi - lo - size) // 2
            cost = 10.0 * edits - 2.0 * extra
            if cost < best_cost:
                best_cost, best_lo, best_hi = cost, lo, hi
    return best_cost, best_lo, best_hi
