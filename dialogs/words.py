"""Fixed menu words residents use to answer the bot's questions, and small formatting helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from nlu import EMERGENCY_NUMBERS

RATE_WORDS = frozenset({"评价", "我要评价", "评分"})

CHINA = timezone(timedelta(hours=8))


def urgent_hotline(kind: str | None) -> str:
    """Which number to call first for this kind of danger; 119/110/120 when unsure."""
    return EMERGENCY_NUMBERS.get(kind or "", "119/110/120")


def local_date(moment: datetime) -> str:
    """"11月30日" in the centre's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(CHINA)
    return f"{local.month}月{local.day}日"


def local_time(moment: datetime) -> str:
    """"11月30日 17:00" in the centre's time zone (stored times are UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(CHINA)
    return f"{local.month}月{local.day}日 {local:%H:%M}"
