"""Cases that need attention: overdue and due soon (with the periodic reminders), flagged, repeat
reporters (一人多诉) and duplicate clusters (多人一诉)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, or_, select

from cases.clock import utc
from cases.models import FINAL_STATUSES, OPEN_STATUSES, Case, CaseEvent, Resident, row_id
from cases.rules import DEFAULT_RULES, CaseRules


def overdue(session: Session, now: datetime, *, limit: int = 500) -> list[Case]:
    """Open cases past their due time, most overdue first."""
    return list(
        session.exec(
            select(Case)
            .where(col(Case.status).in_(OPEN_STATUSES))
            .where(col(Case.due_at) < utc(now))
            .order_by(col(Case.due_at))
            .limit(limit)
        ).all()
    )


def due_soon(session: Session, now: datetime, *, within_hours: float = 24.0, limit: int = 500) -> list[Case]:
    """Open cases not yet overdue that fall due within ``within_hours``, soonest first."""
    moment = utc(now)
    return list(
        session.exec(
            select(Case)
            .where(col(Case.status).in_(OPEN_STATUSES))
            .where(col(Case.due_at) >= moment)
            .where(col(Case.due_at) < moment + timedelta(hours=within_hours))
            .order_by(col(Case.due_at))
            .limit(limit)
        ).all()
    )


def add_reminders(session: Session, now: datetime, rules: CaseRules = DEFAULT_RULES) -> list[CaseEvent]:
    """The periodic 智能提醒: one "due soon" and one "overdue" reminder event per open case. Commits."""
    moment = utc(now)
    events: list[CaseEvent] = []
    soon = moment + timedelta(hours=rules.due_soon_hours)
    candidates = session.exec(
        select(Case)
        .where(col(Case.status).in_(OPEN_STATUSES))
        .where(col(Case.due_at) < soon)
        .where(col(Case.reminder_level) < 2)
    ).all()
    for case in candidates:
        level = 2 if utc(case.due_at) <= moment else 1
        if level <= case.reminder_level:
            continue
        hours = abs(utc(case.due_at) - moment).total_seconds() / 3600
        note = f"已超期 {hours:.1f} 小时，请尽快办理" if level == 2 else f"将于 {hours:.1f} 小时后到期，请及时办理"
        event = CaseEvent(
            case_id=row_id(case),
            kind="reminder",
            actor="system",
            note=note,
            created_at=moment,
        )
        case.reminder_level = level
        session.add(case)
        session.add(event)
        events.append(event)
    session.commit()
    return events


def flagged_cases(session: Session, *, limit: int = 500) -> list[Case]:
    """Cases needing a call-back (回访) or filed by a repeat reporter, newest first."""
    return list(
        session.exec(
            select(Case)
            .where(or_(col(Case.callback_needed), col(Case.repeat_reporter)))
            .order_by(col(Case.created_at).desc())
            .limit(limit)
        ).all()
    )


@dataclass(frozen=True)
class RepeatReporter:
    resident: Resident
    minor_code: str
    minor_name: str
    count: int
    numbers: list[str]


def repeat_reporters(session: Session, now: datetime, rules: CaseRules = DEFAULT_RULES) -> list[RepeatReporter]:
    """Residents with ``repeat_count`` or more cases on one topic within ``repeat_days`` (一人多诉)."""
    since = utc(now) - timedelta(days=rules.repeat_days)
    groups = session.exec(
        select(col(Case.resident_id), col(Case.minor_code), func.count())
        .where(col(Case.created_at) >= since)
        .group_by(col(Case.resident_id), col(Case.minor_code))
        .having(func.count() >= rules.repeat_count)
    ).all()
    found: list[RepeatReporter] = []
    for resident_id, minor_code, count in groups:
        cases = session.exec(
            select(Case)
            .where(Case.resident_id == resident_id)
            .where(Case.minor_code == minor_code)
            .where(col(Case.created_at) >= since)
            .order_by(col(Case.id))
        ).all()
        resident = session.get(Resident, resident_id)
        assert resident is not None
        found.append(RepeatReporter(resident, minor_code, cases[-1].minor_name, int(count), [c.number for c in cases]))
    return sorted(found, key=lambda r: -r.count)


@dataclass(frozen=True)
class Cluster:
    first: Case
    members: list[Case]
    residents: int


def clusters(session: Session, *, open_only: bool = True, limit: int = 200) -> list[Cluster]:
    """Duplicate clusters (多人一诉), largest first."""
    query = (
        select(col(Case.cluster_id), func.count())
        .where(col(Case.cluster_id).is_not(None))
        .group_by(col(Case.cluster_id))
    )
    sizes = session.exec(query).all()
    found: list[Cluster] = []
    for cluster_id, _size in sizes:
        members = list(session.exec(select(Case).where(Case.cluster_id == cluster_id).order_by(col(Case.id))).all())
        first = members[0]
        if open_only and first.status in FINAL_STATUSES:
            continue
        found.append(Cluster(first, members, len({m.resident_id for m in members})))
    found.sort(key=lambda c: (-len(c.members), -(c.first.id or 0)))
    return found[:limit]
