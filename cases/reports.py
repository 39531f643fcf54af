"""The centre's weekly report (staff read it as JSON or CSV).

A week is an ISO week in the centre's time zone (UTC+8), Monday 00:00 to the next Monday 00:00. Counted:

* cases filed in the week, by category (minor), by grid, by intake channel and by appeal type (诉求类型);
  hot grids are the ten with the most;
* repeat reporters (一人多诉): residents with ``repeat_count`` or more cases on one topic within
  ``repeat_days`` up to the week's end, at least one of them filed in the week;
* clusters (多人一诉): duplicate clusters with a member filed in the week;
* satisfaction: ratings given in the week, (满意 + 基本满意) / all rated with a score;
* overdue: cases that were open past their due time at some moment of the week (up to now for the current
  week): due before the week's end (or now), and not closed or rejected before ``max(due, week start)``.
"""

import csv
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field
from sqlmodel import Session, col, or_, select

from cases.attention import repeat_reporters
from cases.channels import UNSTATED_APPEAL, AppealType, IntakeChannel
from cases.clock import CHINA, utc
from cases.errors import InvalidWeek
from cases.models import Case, CaseEvent, Resident
from cases.ratings import satisfaction
from cases.rules import DEFAULT_RULES, CaseRules
from cases.vocabulary import FINAL_STATUSES, OPEN_STATUSES, CaseStatus, mask_phone

WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")
HOT_GRIDS = 10


class Totals(BaseModel):
    filed: int = Field(description="本周新增工单")
    closed: int = Field(description="本周办结")
    rejected: int = Field(description="本周不予受理")
    urgent: int = Field(description="本周新增的紧急工单")
    open_now: int = Field(description="本周新增、目前仍在办理中")


class CategoryCount(BaseModel):
    major_code: str
    major_name: str
    minor_code: str
    minor_name: str
    count: int


class GridCount(BaseModel):
    grid_id: str
    grid_name: str
    community: str
    street: str
    count: int


class RepeatReporterOut(BaseModel):
    resident: str = Field(description="居民（电话已遮盖；保密居民不显示身份）")
    minor_code: str
    minor_name: str
    count: int
    numbers: list[str]


class ClusterOut(BaseModel):
    first_number: str
    minor_name: str
    grid_name: str
    status: str
    status_label: str
    size: int
    residents: int
    numbers: list[str]


class Satisfaction(BaseModel):
    rated: int = Field(description="本周给出满意度评分的工单数")
    satisfied: int = Field(description="满意")
    basically_satisfied: int = Field(description="基本满意")
    rate: float | None = Field(description="(满意 + 基本满意) / 已评分；无人评分时为空")


class OverdueCase(BaseModel):
    number: str
    status: str
    status_label: str
    minor_name: str
    grid_name: str
    due_at: datetime
    finished_at: datetime | None
    overdue_hours: float = Field(description="超期小时数（到办结时，未办结则到本周末或现在）")


class ChannelCount(BaseModel):
    channel: str
    channel_text: str
    count: int


class AppealCount(BaseModel):
    appeal_type: str | None = Field(description="诉求类型代码；空为未注明（较早的工单）")
    appeal_text: str
    count: int


class WeeklyReport(BaseModel):
    week: str
    start_date: date
    end_date: date
    generated_at: datetime
    totals: Totals
    by_category: list[CategoryCount]
    by_grid: list[GridCount]
    by_channel: list[ChannelCount]
    by_appeal: list[AppealCount]
    hot_grids: list[GridCount]
    repeat_reporters: list[RepeatReporterOut]
    clusters: list[ClusterOut]
    satisfaction: Satisfaction
    overdue: list[OverdueCase]


@dataclass(frozen=True)
class Week:
    year: int
    number: int

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.number:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.number, 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC: Monday 00:00 to the next Monday 00:00, China time."""
        start = datetime.combine(self.monday, datetime.min.time(), tzinfo=CHINA)
        return utc(start), utc(start + timedelta(days=7))


def parse_week(text: str | None, now: datetime) -> Week:
    if not text:
        year, number, _ = now.astimezone(CHINA).isocalendar()
        return Week(year, number)
    found = WEEK.match(text.strip().upper())
    if not found:
        raise InvalidWeek("周的格式应为 2026-W48（年-W周数）")
    week = Week(int(found.group(1)), int(found.group(2)))
    if not 2000 <= week.year < 2100:
        raise InvalidWeek("周报只能查 2000 年到 2099 年的周")
    try:
        week.monday  # noqa: B018 - validates the week number for that year
    except ValueError:
        raise InvalidWeek(f"{week.year} 年没有第 {week.number} 周") from None
    return week


def resident_label(resident: Resident, *, admin: bool) -> str:
    if resident.confidential and not admin:
        return f"保密居民 #{resident.id}"
    return f"居民 #{resident.id}" + (f"（{mask_phone(resident.phone)}）" if resident.phone else "")


def build_report(session: Session, week: Week, *, now: datetime, rules: CaseRules = DEFAULT_RULES,
                 admin: bool = False) -> WeeklyReport:
    start, end = week.bounds()
    cutoff = min(utc(now), end)
    filed = list(session.exec(
        select(Case).where(col(Case.created_at) >= start, col(Case.created_at) < end).order_by(col(Case.id))
    ).all())
    filed_ids = {c.id for c in filed}

    categories: Counter[tuple[str, str, str, str]] = Counter(
        (c.major_code, c.major_name, c.minor_code, c.minor_name) for c in filed
    )
    by_category = [CategoryCount(major_code=a, major_name=b, minor_code=m, minor_name=n, count=k)
                   for (a, b, m, n), k in sorted(categories.items(), key=lambda item: (-item[1], item[0][2]))]
    grids: Counter[tuple[str, str, str, str]] = Counter((c.grid_id, c.grid_name, c.community, c.street) for c in filed)
    by_grid = [GridCount(grid_id=g, grid_name=n, community=cm, street=s, count=k)
               for (g, n, cm, s), k in sorted(grids.items(), key=lambda item: (-item[1], item[0][0]))]

    channels: Counter[str] = Counter(c.intake_channel for c in filed)
    by_channel = [ChannelCount(channel=ch.value, channel_text=ch.label, count=channels[ch.value])
                  for ch in IntakeChannel if channels[ch.value]]
    appeals: Counter[str | None] = Counter(c.appeal_type for c in filed)
    by_appeal = [AppealCount(appeal_type=kind.value, appeal_text=kind.label, count=appeals[kind.value])
                 for kind in AppealType if appeals[kind.value]]
    if appeals[None]:
        by_appeal.append(AppealCount(appeal_type=None, appeal_text=UNSTATED_APPEAL, count=appeals[None]))

    moves = session.exec(
        select(CaseEvent.case_id, CaseEvent.to_status).where(CaseEvent.kind == "transition")
        .where(col(CaseEvent.to_status).in_(FINAL_STATUSES))
        .where(col(CaseEvent.created_at) >= start, col(CaseEvent.created_at) < end)
    ).all()
    totals = Totals(
        filed=len(filed),
        closed=len({case_id for case_id, to in moves if to == "closed"}),
        rejected=len({case_id for case_id, to in moves if to == "rejected"}),
        urgent=sum(1 for c in filed if c.urgent),
        open_now=sum(1 for c in filed if c.status in OPEN_STATUSES),
    )

    repeats = []
    for found in repeat_reporters(session, cutoff, rules):
        numbers = set(found.numbers)
        if not any(c.number in numbers for c in filed):
            continue
        repeats.append(RepeatReporterOut(resident=resident_label(found.resident, admin=admin),
                                         minor_code=found.minor_code, minor_name=found.minor_name,
                                         count=found.count, numbers=found.numbers))

    return WeeklyReport(
        week=week.label, start_date=week.monday, end_date=week.monday + timedelta(days=6),
        generated_at=utc(now), totals=totals, by_category=by_category, by_grid=by_grid,
        by_channel=by_channel, by_appeal=by_appeal, hot_grids=by_grid[:HOT_GRIDS], repeat_reporters=repeats,
        clusters=_clusters(session, filed, filed_ids), satisfaction=_satisfaction(session, start, end),
        overdue=_overdue(session, start, cutoff),
    )


def _clusters(session: Session, filed: list[Case], filed_ids: set[int | None]) -> list[ClusterOut]:
    cluster_ids = sorted({c.cluster_id for c in filed if c.cluster_id is not None})
    if not cluster_ids:
        return []
    members: dict[int, list[Case]] = defaultdict(list)
    for case in session.exec(select(Case).where(col(Case.cluster_id).in_(cluster_ids)).order_by(col(Case.id))).all():
        assert case.cluster_id is not None
        members[case.cluster_id].append(case)
    found = []
    for group in members.values():
        if len(group) < 2:
            continue
        first = group[0]
        found.append(ClusterOut(
            first_number=first.number, minor_name=first.minor_name, grid_name=first.grid_name,
            status=first.status, status_label=CaseStatus.label_of(first.status), size=len(group),
            residents=len({c.resident_id for c in group if c.resident_id is not None}),
            numbers=[c.number for c in group],
        ))
    return sorted(found, key=lambda c: (-c.size, c.first_number))


def _satisfaction(session: Session, start: datetime, end: datetime) -> Satisfaction:
    found = satisfaction(session, start, end)
    return Satisfaction(rated=found.rated, satisfied=found.satisfied, basically_satisfied=found.basically_satisfied,
                        rate=found.rate)


def _finished_at(case: Case) -> datetime | None:
    if case.status == "closed" and case.closed_at is not None:
        return utc(case.closed_at)
    if case.status == "rejected":
        return utc(case.updated_at)
    return None


def _overdue(session: Session, start: datetime, cutoff: datetime) -> list[OverdueCase]:
    candidates = session.exec(
        select(Case).where(col(Case.due_at) < cutoff).where(col(Case.created_at) < cutoff).where(or_(
            col(Case.status).in_(OPEN_STATUSES), col(Case.closed_at) >= start, col(Case.updated_at) >= start,
        )).order_by(col(Case.due_at))
    ).all()
    found = []
    for case in candidates:
        due = utc(case.due_at)
        finished = _finished_at(case)
        if finished is not None and finished <= max(due, start):
            continue
        until = min(finished, cutoff) if finished is not None else cutoff
        found.append(OverdueCase(
            number=case.number, status=case.status, status_label=CaseStatus.label_of(case.status),
            minor_name=case.minor_name, grid_name=case.grid_name, due_at=due, finished_at=finished,
            overdue_hours=round(max(0.0, (until - due).total_seconds() / 3600), 1),
        ))
    return found


def report_csv(report: WeeklyReport) -> str:
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    w = csv.writer(out)
    rate = "" if report.satisfaction.rate is None else f"{report.satisfaction.rate * 100:.1f}%"
    w.writerow(["周报", report.week, f"{report.start_date} 至 {report.end_date}"])
    w.writerow([])
    w.writerow(["汇总", "新增", "办结", "不予受理", "紧急", "仍在办理", "已评分", "满意", "基本满意", "满意率", "超期"])
    t = report.totals
    s = report.satisfaction
    w.writerow(["", t.filed, t.closed, t.rejected, t.urgent, t.open_now, s.rated, s.satisfied,
                s.basically_satisfied, rate, len(report.overdue)])
    w.writerow([])
    w.writerow(["按类别", "大类代码", "大类", "小类代码", "小类", "件数"])
    for c in report.by_category:
        w.writerow(["", c.major_code, c.major_name, c.minor_code, c.minor_name, c.count])
    w.writerow([])
    w.writerow(["按网格", "网格编号", "网格", "社区", "街道", "件数"])
    for g in report.by_grid:
        w.writerow(["", g.grid_id, g.grid_name, g.community, g.street, g.count])
    w.writerow([])
    w.writerow(["按渠道", "渠道", "件数"])
    for ch in report.by_channel:
        w.writerow(["", ch.channel_text, ch.count])
    w.writerow([])
    w.writerow(["按诉求类型", "诉求类型", "件数"])
    for a in report.by_appeal:
        w.writerow(["", a.appeal_text, a.count])
    w.writerow([])
    w.writerow(["一人多诉", "居民", "小类", "件数", "工单"])
    for r in report.repeat_reporters:
        w.writerow(["", r.resident, r.minor_name, r.count, " ".join(r.numbers)])
    w.writerow([])
    w.writerow(["多人一诉", "首件", "小类", "网格", "状态", "件数", "居民数", "工单"])
    for cl in report.clusters:
        w.writerow(["", cl.first_number, cl.minor_name, cl.grid_name, cl.status_label, cl.size, cl.residents,
                    " ".join(cl.numbers)])
    w.writerow([])
    w.writerow(["超期工单", "编号", "状态", "小类", "网格", "办理时限", "超期小时"])
    for o in report.overdue:
        w.writerow(["", o.number, o.status_label, o.minor_name, o.grid_name,
                    o.due_at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"), o.overdue_hours])
    return out.getvalue()
