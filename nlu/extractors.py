"""Time expressions and place fragments in a resident's message.

Places: the longest gazetteer name found in the text (plus a building/unit/room tail such as
"3栋2单元"), else a road, crossing or compound-like phrase ("望江路与马鞍山路交叉口", "幸福里小区"). The
fragment goes to the gazetteer for geocoding; this module only finds it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from nlu.normalize import normalize

_NUM = r"[0-9一二两三四五六七八九十百几半]"
_TIME_RE = re.compile(
    r"(?:(?:今|昨|前|大前|明)天|今早|昨早|今晚|昨晚|昨夜|刚才|刚刚|最近|近来|这(?:几|两)天|前(?:几|两)天|这段时间"
    r"|上(?:个)?(?:周|星期|礼拜|月)|这(?:个)?(?:周|星期|礼拜|月)|周末|每天|天天|每晚|每(?:个)?(?:星期|礼拜|周)|去年|今年"
    r"|(?:周|星期|礼拜)[一二三四五六日天])?"
    r"(?:早上|上午|中午|下午|傍晚|晚上|夜里|半夜|凌晨|深夜|白天|夜间|早晨|清早)?"
    r"(?:" + _NUM + r"{1,3}(?:点|时)(?:半|" + _NUM + r"{1,3}分?|多)?(?:钟)?(?:左右|多)?)?"
    r"(?:(?:到|至|-)" + _NUM + r"{1,3}(?:点|时)(?:半|多)?)?"
    r"(?:" + _NUM + r"{1,3}(?:个)?(?:多)?(?:天|周|星期|礼拜|月|年|小时|钟头|分钟)(?:多)?(?:了|以来|都|左右)?)?"
)
_DURATION_ONLY = re.compile("^" + _NUM + "+$")
_NOT_TIMES = frozenset({"一点", "半点", "几点", "一点多", "一年", "一月", "一天"})

_PLACE_TAIL = re.compile(
    r"^(?:\s*[0-9一二三四五六七八九十]+(?:号楼|栋|幢|号|单元|楼|层|室|期|区|座|号院|排))+"
)
_ROAD_RE = re.compile(
    r"([\u4e00-\u9fa5]{1,8}?(?:路|大道|大街|街|巷|弄)(?:[0-9]+号)?"
    r"(?:(?:与|和|跟|交)[\u4e00-\u9fa5]{1,8}?(?:路|大道|大街|街)(?:交叉口|交口|路口|口)?|交叉口|路口|口)?)"
)
_COMPOUND_RE = re.compile(
    r"([\u4e00-\u9fa5]{2,8}?(?:小区|花园|新村|家园|公寓|佳苑|雅苑|华府|名邸|公馆|大院|社区|广场|市场|菜市场|公园"
    r"|中学|小学|幼儿园|医院|村))"
)
_LEADING_NOISE = re.compile(
    r"^(?:.*?(?:我们|我家|咱们|俺们|这个|那个|住在|位于|就在|靠近|旁边|附近|门口|家住|在|到|去|从|是|的|了|说|和))+"
)


def extract_time(text: str) -> str | None:
    """Time expressions ("昨天晚上", "三天了", "凌晨两点") joined by a space, or None."""
    t = normalize(text)
    parts = [m.group(0) for m in _TIME_RE.finditer(t) if m.group(0) and not _DURATION_ONLY.match(m.group(0))]
    parts = [p for p in parts if len(p) >= 2 and p not in _NOT_TIMES]
    return " ".join(parts) if parts else None


class PlaceFinder:
    """Finds place fragments, preferring names from the gazetteer word list."""

    def __init__(self, names: Iterable[str]) -> None:
        self._by_prefix: dict[str, list[str]] = defaultdict(list)
        for name in {n.strip() for n in names if len(n.strip()) >= 2}:
            self._by_prefix[name[:2]].append(name)
        for bucket in self._by_prefix.values():
            bucket.sort(key=len, reverse=True)

    def find(self, text: str) -> str | None:
        t = normalize(text)
        best: tuple[int, int] | None = None
        for i in range(len(t) - 1):
            for name in self._by_prefix.get(t[i : i + 2], ()):
                if t.startswith(name, i) and (best is None or len(name) > best[1] - best[0]):
                    best = (i, i + len(name))
                    break
        if best is not None:
            tail = _PLACE_TAIL.match(t[best[1] :])
            return t[best[0] : best[1] + (tail.end() if tail else 0)].replace(" ", "")
        return self._by_pattern(t)

    @staticmethod
    def _by_pattern(t: str) -> str | None:
        for pattern in (_ROAD_RE, _COMPOUND_RE):
            match = pattern.search(t)
            if match:
                fragment = _LEADING_NOISE.sub("", match.group(1))
                if len(fragment) >= 3 or (pattern is _ROAD_RE and len(fragment) >= 2):
                    tail = _PLACE_TAIL.match(t[match.end() :])
                    return fragment + (tail.group(0).replace(" ", "") if tail else "")
        return None
