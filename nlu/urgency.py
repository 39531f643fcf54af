"""Danger to people right now: fire, gas leak, electricity, injury, someone trapped or in the water.

A hit preceded by a hypothetical or past marker ("万一着火", "有火灾隐患", "上次着火") does not count:
those are reports about a risk, handled by the normal flow. EMERGENCY_NUMBERS tells the dialog whom
to send the resident to first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nlu.normalize import normalize

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("gas", re.compile(
        r"(煤气|燃气|天然气|液化气)(管|罐|瓶)?(泄漏|泄露|漏了|在漏|漏气|漏出)|漏气了|(煤气|燃气|天然气|液化气)味"
        r"|(煤气|燃气)(管|罐).{0,4}(嘶嘶|呲呲)"
    )),
    ("fire", re.compile(
        r"着火|起火|失火|火灾|烧起来|烧着了|火烧|火苗|明火|大火|火势|(?<!烟囱)(?<!排气管)冒(黑|白)?烟|火很大|火好大"
    )),
    ("electric", re.compile(
        r"触电|电到(人|了)|被电(到|击|了)|漏电|(电线|高压线|电缆)(掉|断|落|垂)(下来|在地|到地)|打火花|冒火花|电火花"
    )),
    ("trapped", re.compile(r"被困|困在|困住|关在电梯|卡在电梯|电梯里.{0,6}(有人|出不来)|出不来了|被压在|压在下面")),
    ("drowning", re.compile(r"落水|溺水|掉(进|到)?(河|水|塘|湖|井)里|掉进(河|塘|湖|井)|有人跳(河|湖)")),
    ("injury", re.compile(
        r"受伤|流血|出血|摔伤|摔倒.{0,4}起不来|晕倒|昏倒|昏迷|撞伤|被(车)?撞(了|倒)|砸伤|砸到(人|了人|头)|骨折"
        r"|不省人事|没(有)?(了)?呼吸|抽搐|倒在地上"
    )),
    ("violence", re.compile(r"持刀|拿刀|砍人|捅人|打起来了|正在打人|在打人|要杀")),
)
_NOT_NOW = re.compile(
    r"(万一|如果|要是|假如|怕|担心|害怕|容易|会不会|可能会|隐患|以防|预防|防止|防范|避免|上次|以前|之前|去年|曾经|差点|险些)"
    r"[^。！？!?]{0,8}$"
)
_NOT_NOW_AFTER = re.compile(r"^[^。！？!?]{0,3}(隐患|风险|的危险|的可能)")

EMERGENCY_NUMBERS: dict[str, str] = {
    "fire": "119", "gas": "119", "electric": "119", "trapped": "119",
    "drowning": "110", "injury": "120", "violence": "110",
}


@dataclass(frozen=True)
class Urgency:
    urgent: bool
    kind: str | None

    @property
    def call(self) -> str | None:
        """The emergency number to tell the resident to call, if urgent."""
        return EMERGENCY_NUMBERS.get(self.kind) if self.kind else None


def detect_urgency(text: str) -> Urgency:
    """Whether `text` describes danger to people now, and of which kind."""
    t = normalize(text)
    for kind, pattern in _KINDS:
        for match in pattern.finditer(t):
            before, after = t[max(0, match.start() - 12) : match.start()], t[match.end() :]
            if _NOT_NOW.search(before) or _NOT_NOW_AFTER.match(after):
                continue
            return Urgency(True, kind)
    return Urgency(False, None)
