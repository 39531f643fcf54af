"""The centre's configurable rules: due times, duplicate and repeat-reporter thresholds, rating window."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cases.clock import local, utc


@dataclass(frozen=True)
class CategoryRule:
    """Due time of one category (keyed by minor or major code in :attr:`CaseRules.per_category`)."""

    urgent_hours: float | None = None
    working_days: int | None = None


@dataclass(frozen=True)
class CaseRules:
    urgent_hours: float = 2.0
    working_days: int = 3
    per_category: Mapping[str, CategoryRule] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()  # weekdays that are not worked (法定节假日)
    extra_workdays: frozenset[date] = frozenset()  # weekend days that are worked (调休)
    due_soon_hours: float = 24.0
    duplicate_radius_m: float = 250.0
    duplicate_days: int = 7
    duplicate_similarity: float = 50.0  # rapidfuzz partial_ratio, 0–100
    repeat_count: int = 3
    repeat_days: int = 30
    rating_days: int = 14

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def due_at(self, *, created: datetime, urgent: bool, minor_code: str, major_code: str) -> datetime:
        """When a case filed at ``created`` must be closed (aware UTC)."""
        rule = self.per_category.get(minor_code) or self.per_category.get(major_code) or CategoryRule()
        if urgent:
            hours = rule.urgent_hours if rule.urgent_hours is not None else self.urgent_hours
            return utc(created) + timedelta(hours=hours)
        days = rule.working_days if rule.working_days is not None else self.working_days
        return utc(self.add_working_days(local(created), days))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """``start`` moved forward by ``days`` working days, keeping the time of day."""
        moment = start
        counted = 0
        while counted < days:
            moment += timedelta(days=1)
            if self.is_workday(moment.date()):
                counted += 1
        return moment


DEFAULT_RULES = CaseRules()
