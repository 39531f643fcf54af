"""The finer part of an address residents add after a place name: "5栋", "3号楼2单元", "东门", "二期".

It does not change where the report is (the grid comes from the place), but the people who go there
need it, so it stays in the address text: 海棠花园 + 5栋 → "海棠花园5栋".
"""

from __future__ import annotations

import re

_NUMBER = r"(?:\d{1,4}|[一二三四五六七八九十两]{1,3})"
_PIECES = (
    rf"{_NUMBER}期",
    rf"{_NUMBER}(?:号楼|栋|幢|座|号)",
    rf"{_NUMBER}单元",
    r"\d{1,4}室",
    r"[东南西北]{1,2}(?:门|大门|侧门)",
    r"(?:大门|正门|后门|侧门|门口)",
)
_DETAIL = re.compile(rf"^的?((?:{'|'.join(_PIECES)}){{1,4}})")
_SPLIT = re.compile("|".join(f"(?:{piece})" for piece in _PIECES))


def detail_after(cleaned_tail: str) -> str:
    """The building / unit / gate words at the start of ``cleaned_tail`` (text after a place name), or ""."""
    found = _DETAIL.match(cleaned_tail)
    if found is None:
        return ""
    detail = found.group(1)
    # 门口 alone after a name says little more than the name; keep it only behind a building or gate.
    return "" if detail == "门口" else detail


def parts(detail: str) -> list[str]:
    """The pieces of a detail ("3号楼2单元" → ["3号楼", "2单元"]), for the tests and the console."""
    return _SPLIT.findall(detail)
