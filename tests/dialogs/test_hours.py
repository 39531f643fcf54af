"""Office hours read against the clock, for an honest answer to 人工."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dialogs.hours import office_window

HOURS = "工作日 8:30–12:00、14:00–17:30"


@pytest.mark.parametrize(("utc", "open_now", "next_open"), [
    ("2026-12-03T02:00", True, ""),  # Thursday 10:00
    ("2026-12-03T05:00", False, "今天 14:00"),  # Thursday 13:00, lunch break
    ("2026-12-03T10:00", False, "明天 8:30"),  # Thursday 18:00
    ("2026-12-04T10:00", False, "周一 8:30"),  # Friday 18:00
    ("2026-12-05T03:00", False, "周一 8:30"),  # Saturday
    ("2026-12-02T23:00", False, "今天 8:30"),  # Thursday 7:00
])
def test_open_or_when_it_opens(utc: str, open_now: bool, next_open: str) -> None:
    window = office_window(HOURS, datetime.fromisoformat(utc).replace(tzinfo=UTC))
    assert window is not None and (window.open_now, window.next_open) == (open_now, next_open)


def test_every_day_and_unreadable_hours() -> None:
    saturday = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    window = office_window("每天 9:00-21:00", saturday)
    assert window is not None and window.open_now
    assert office_window("请咨询前台", saturday) is None
