"""Time helpers: moments are aware UTC datetimes; the centre works in China Standard Time (UTC+8)."""

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated

from pydantic import PlainSerializer

CHINA = timezone(timedelta(hours=8), "CST")


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (naive input is taken to be UTC already)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    """``moment`` in the centre's time zone (UTC+8), aware."""
    return utc(moment).astimezone(CHINA)


def local_day(moment: datetime) -> date:
    return local(moment).date()


def shown(moment: datetime | None) -> str | None:
    """A moment as staff read it: the centre's time zone to the second, ``2026-11-27T09:30:00+08:00``."""
    return local(moment).isoformat(timespec="seconds") if moment else None


# A moment that views show as :func:`shown` writes it, whoever serialises them (the staff API returns views whole).
LocalTime = Annotated[datetime, PlainSerializer(shown, return_type=str)]
