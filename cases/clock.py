"""Time helpers: moments are aware UTC datetimes; the centre works in China Standard Time (UTC+8)."""

from datetime import UTC, date, datetime, timedelta, timezone

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
