"""When a person can answer: the centre's office hours ("工作日 8:30-17:30") read against the clock.

The hand-over reply must be honest: inside office hours staff will answer soon; outside them, the
resident is told when the next working period starts. Hours that cannot be read give ``None`` and
the reply falls back to quoting them as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from dialogs.words import CHINA

_SPAN = re.compile(r"(\d{1,2})[:：](\d{2})\s*[-–—~～至到]\s*(\d{1,2})[:：](\d{2})")
_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclass(frozen=True)
class Window:
    open_now: bool
    next_open: str  # "今天 8:30", "明天 8:30", "周一 8:30"; "" while open


def office_window(office_hours: str, now: datetime) -> Window | None:
    """Whether ``now`` is inside the office hours, and when they next open; None when unreadable."""
    spans = [(time(int(a), int(b)), time(int(c), int(d))) for a, b, c, d in _SPAN.findall(office_hours)]
    if not spans:
        return None
    spans.sort()
    workdays_only = "工作日" in office_hours or "周一至周五" in office_hours
    local = now.astimezone(CHINA)

    def working(day: datetime) -> bool:
        return not workdays_only or day.weekday() < 5

    if working(local) and any(start <= local.time() < end for start, end in spans):
        return Window(True, "")
    for ahead in range(0, 8):
        day = local + timedelta(days=ahead)
        if not working(day):
            continue
        for start, _ in spans:
            if ahead == 0 and local.time() >= start:
                continue
            when = "今天" if ahead == 0 else "明天" if ahead == 1 else _WEEKDAYS[day.weekday()]
            return Window(False, f"{when} {start.hour}:{start.minute:02d}")
    return None
