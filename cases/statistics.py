"""Statistics and 考核 for any date range: per department, street or grid, with a daily trend.

For a range [since, until) of local days:

* 受理量 (received): cases filed in the range;
* 办结量 (closed): cases closed in the range (and still closed);
* 按时办结率: closed in the range no later than their due time / closed;
* 满意率: ratings given in the range with 非常满意, 满意 or 基本满意 (5–3) / ratings with a score;
* 回访率: cases closed in the range that heard back from the resident (a rating) or were called back
  (回访 recorded) / closed;
* 重办率 (reopen rate): cases reopened (重新办理) in the range / closed in the range.

A group is the case's department (未派遣 when none), street, grid, appeal type (诉求类型) or intake channel
(来源渠道).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, or_, select

from cases.channels import UNSTATED_APPEAL, AppealType, IntakeChannel
from cases.clock import CHINA, local, utc
from cases.errors import CaseError
from cases.models import Case, CaseEvent, Rating
from cases.ratings import is_satisfied

GROUPINGS = {"department": "承办单位", "street": "街道", "grid": "网格", "appeal": "诉求类型", "channel": "来源渠道"}
MAX_DAYS = 400  # the longest range one request may ask for


@dataclass
class Row:
    group: str
    received: int = 0
    closed: int = 0
    on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    revisited: int = 0
    reopened: int = 0
    numbers: list[str] = field(default_factory=list)  # received cases (for click-through), at most 50

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.on_time, self.closed)

    @property
    def satisfaction_rate(self) -> float | None:
        return self._rate(self.satisfied, self.rated)

    @property
    def revisit_rate(self) -> float | None:
        return self._rate(self.revisited, self.closed)

    @property
    def reopen_rate(self) -> float | None:
        return self._rate(self.reopened, self.closed)


@dataclass
class Statistics:
    since: date
    until: date  # exclusive
    grouping: str
    rows: list[Row]
    total: Row
    trend: list[tuple[date, int, int]]  # (day, received, closed)


def _bounds(since: date, until: date) -> tuple[datetime, datetime]:
    start = datetime(since.year, since.month, since.day, tzinfo=CHINA)
    end = datetime(until.year, until.month, until.day, tzinfo=CHINA)
    return utc(start), utc(end)


def _group(case: Case, grouping: str) -> str:
    if grouping == "department":
        return case.department or "未派遣"
    if grouping == "street":
        return case.street or "未知街道"
    if grouping == "appeal":
        return AppealType(case.appeal_type).label if case.appeal_type else UNSTATED_APPEAL
    if grouping == "channel":
        return IntakeChannel(case.intake_channel).label
    return case.grid_name or case.grid_id or "未知网格"


def month_range(month: str) -> tuple[date, date]:
    """``2026-11`` → (2026-11-01, 2026-12-01); ValueError for anything else."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return first, following


def compute(session: Session, *, since: date, until: date, grouping: str = "department") -> Statistics:
    """The figures of [since, until) (local days) per ``grouping`` (department, street, grid, appeal or channel)."""
    if grouping not in GROUPINGS:
        raise ValueError(f"grouping must be one of {', '.join(GROUPINGS)}")
    if until <= since:
        raise ValueError("until must be after since")
    start, end = _bounds(since, until)
    in_range = (col(Case.created_at) >= start) & (col(Case.created_at) < end)
    closed_in_range = (col(Case.closed_at) >= start) & (col(Case.closed_at) < end)
    reopened_ids = set(session.exec(
        select(CaseEvent.case_id)
        .where(CaseEvent.kind == "transition", CaseEvent.from_status == "closed")
        .where(col(CaseEvent.created_at) >= start, col(CaseEvent.created_at) < end)
    ).all())
    ratings = session.exec(
        select(Rating).where(col(Rating.created_at) >= start, col(Rating.created_at) < end)
    ).all()
    rated_ids = {r.case_id for r in ratings}
    cases = session.exec(
        select(Case).where(or_(in_range, closed_in_range, col(Case.id).in_(reopened_ids | rated_ids or {-1})))
    ).all()
    ids = [c.id for c in cases] or [-1]
    ever_rated = set(session.exec(select(Rating.case_id).where(col(Rating.case_id).in_(ids))).all())
    called_back = set(session.exec(
        select(CaseEvent.case_id).where(CaseEvent.kind == "called_back").where(col(CaseEvent.case_id).in_(ids))
    ).all())
    rows: dict[str, Row] = {}
    total = Row("合计")
    received_by_day: dict[date, int] = defaultdict(int)
    closed_by_day: dict[date, int] = defaultdict(int)
    by_id = {c.id: c for c in cases}

    def bump(case: Case, **counts: int) -> None:
        row = rows.setdefault(_group(case, grouping), Row(_group(case, grouping)))
        for target in (row, total):
            for name, value in counts.items():
                setattr(target, name, getattr(target, name) + value)

    for case in cases:
        created = utc(case.created_at)
        if start <= created < end:
            bump(case, received=1)
            row = rows[_group(case, grouping)]
            if len(row.numbers) < 50:
                row.numbers.append(case.number)
            received_by_day[local(created).date()] += 1
        if case.status == "closed" and case.closed_at is not None and start <= utc(case.closed_at) < end:
            closed_at = utc(case.closed_at)
            bump(case, closed=1, on_time=int(closed_at <= utc(case.due_at)),
                 revisited=int(case.id in ever_rated or case.id in called_back))
            closed_by_day[local(closed_at).date()] += 1
        if case.id in reopened_ids:
            bump(case, reopened=1)
    for rating in ratings:
        rated_case = by_id.get(rating.case_id)
        if rated_case is not None and rating.score is not None:
            bump(rated_case, rated=1, satisfied=int(is_satisfied(rating.score)))
    days = [since + timedelta(days=i) for i in range((until - since).days)]
    trend = [(day, received_by_day.get(day, 0), closed_by_day.get(day, 0)) for day in days]
    ordered = sorted(rows.values(), key=lambda r: (-r.received, -r.closed, r.group))
    return Statistics(since, until, grouping, ordered, total, trend)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def table(stats: Statistics) -> Iterable[list[str]]:
    """The figures as rows of text (header first), for CSV and XLSX."""
    yield [GROUPINGS[stats.grouping], "受理量", "办结量", "按时办结率", "满意率", "回访率", "重办率"]
    for row in [*stats.rows, stats.total]:
        yield [row.group, str(row.received), str(row.closed), percent(row.on_time_rate),
               percent(row.satisfaction_rate), percent(row.revisit_rate), percent(row.reopen_rate)]


class RangeRefused(CaseError):
    """A date range statistics cannot be asked for; ``field`` names the parameter at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def date_range(now: datetime, *, since: date | None, until: date | None, month: str | None,
               max_days: int = MAX_DAYS) -> tuple[date, date]:
    """[since, until) from a month (``2026-11``) or two days (``until`` inclusive); by default this month."""
    if month:
        try:
            return month_range(month)
        except ValueError:
            raise RangeRefused(f"月份“{month}”的格式不正确，应为 2026-11 这样", "month") from None
    if since is None and until is None:
        return month_range(local(now).strftime("%Y-%m"))
    first = since or (until or local(now).date()) - timedelta(days=29)
    last = until or local(now).date()
    if last < first:
        raise RangeRefused("结束日期不能早于开始日期", "until")
    if (last - first).days >= max_days:
        raise RangeRefused(f"时间范围最长 {max_days} 天", "since")
    return first, last + timedelta(days=1)


@dataclass(frozen=True)
class RowView:
    group: str
    received: int
    closed: int
    on_time: int
    on_time_rate: float | None
    rated: int
    satisfaction_rate: float | None
    revisited: int
    revisit_rate: float | None
    reopened: int
    reopen_rate: float | None
    numbers: list[str]


def row_view(row: Row) -> RowView:
    return RowView(group=row.group, received=row.received, closed=row.closed, on_time=row.on_time,
                   on_time_rate=row.on_time_rate, rated=row.rated, satisfaction_rate=row.satisfaction_rate,
                   revisited=row.revisited, revisit_rate=row.revisit_rate, reopened=row.reopened,
                   reopen_rate=row.reopen_rate, numbers=row.numbers)


@dataclass(frozen=True)
class TrendDay:
    day: date
    received: int
    closed: int


@dataclass(frozen=True)
class StatisticsView:
    since: date
    until: date  # exclusive
    last_day: date
    grouping: str
    grouping_text: str
    rows: list[RowView]
    total: RowView
    trend: list[TrendDay]


def statistics_view(stats: Statistics) -> StatisticsView:
    """The figures as the console shows them, each rate beside its counts."""
    return StatisticsView(since=stats.since, until=stats.until, last_day=stats.until - timedelta(days=1),
                          grouping=stats.grouping, grouping_text=GROUPINGS[stats.grouping],
                          rows=[row_view(r) for r in stats.rows], total=row_view(stats.total),
                          trend=[TrendDay(day=d, received=r, closed=c) for d, r, c in stats.trend])
