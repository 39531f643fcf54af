"""Reading cases: for a resident's dialog, and for staff lists, due times and reminders."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case as when
from sqlalchemy import func
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, or_, select

from cases.clock import utc
from cases.models import (
    FINAL_STATUSES,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    MpSubscription,
    OutboxMessage,
    Photo,
    Rating,
    Resident,
    StaffNotification,
    StaffUser,
    row_id,
)
from cases.rules import DEFAULT_RULES, CaseRules

PUBLIC_EVENTS = ("filed", "transition")  # what a resident may read of the timeline


# ---- for residents ---------------------------------------------------------------------------------


def cases_of_resident(session: Session, openid: str, open_only: bool = False) -> list[Case]:
    """The resident's cases, newest first."""
    query = select(Case).join(Resident, col(Resident.id) == col(Case.resident_id)).where(Resident.openid == openid)
    if open_only:
        query = query.where(col(Case.status).in_(OPEN_STATUSES))
    return list(session.exec(query.order_by(col(Case.created_at).desc(), col(Case.id).desc())).all())


def get_case_for_resident(session: Session, openid: str, number: str) -> Case | None:
    """The case ``number`` if it belongs to ``openid``; someone else's number gives None."""
    return session.exec(
        select(Case)
        .join(Resident, col(Resident.id) == col(Case.resident_id))
        .where(Resident.openid == openid)
        .where(Case.number == number.strip().upper())
    ).first()


# ---- one case --------------------------------------------------------------------------------------


def timeline(session: Session, case_id: int) -> list[CaseEvent]:
    return list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))).all())


def photos_of(session: Session, case_id: int) -> list[Photo]:
    return list(session.exec(select(Photo).where(Photo.case_id == case_id).order_by(col(Photo.id))).all())


def rating_of(session: Session, case_id: int) -> Rating | None:
    return session.exec(select(Rating).where(Rating.case_id == case_id)).first()


def cluster_of(session: Session, case: Case) -> list[Case]:
    """Every case of ``case``'s duplicate cluster (first case first); empty when it stands alone."""
    if case.cluster_id is None:
        return []
    return list(session.exec(select(Case).where(Case.cluster_id == case.cluster_id).order_by(col(Case.id))).all())


# ---- staff lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilter:
    status: str | None = None
    grid_id: str | None = None
    street: str | None = None
    category: str | None = None  # major or minor code
    openid: str | None = None
    created_from: datetime | None = None
    created_until: datetime | None = None
    overdue: bool | None = None
    flagged: bool | None = None  # call-back needed or repeat reporter
    urgent: bool | None = None
    text: str | None = None  # number or words in the description
    channel: str | None = None  # intake channel (cases.channels.IntakeChannel)
    # False for agents: ?openid= must not link a confidential resident to their cases.
    confidential_visible: bool = True
    community: str | None = None
    department: str | None = None
    minor_codes: tuple[str, ...] = ()  # any of these categories (major or minor codes)
    sort: str = "-created"  # created | due | updated | status, "-" for descending


SORTS = {"created": col(Case.created_at), "due": col(Case.due_at), "updated": col(Case.updated_at),
         "status": col(Case.status), "number": col(Case.number)}


LIKE_ESCAPE = "\\"


def like_pattern(text: str) -> str:
    """``%text%`` with the text's own ``%``, ``_`` and escape characters matched literally."""
    for special in (LIKE_ESCAPE, "%", "_"):
        text = text.replace(special, LIKE_ESCAPE + special)
    return f"%{text}%"


def search_cases(
    session: Session,
    flt: CaseFilter,
    *,
    now: datetime,
    offset: int = 0,
    limit: int = 50,
    scope: ColumnElement[bool] | None = None,
) -> tuple[list[tuple[Case, Resident | None]], int]:
    """A page of cases (newest first unless ``flt.sort`` says otherwise) with their residents, and the
    number of all matching cases; ``scope`` limits them to what a department or grid worker may see."""
    query = select(Case, Resident).outerjoin(Resident, col(Resident.id) == col(Case.resident_id))
    conditions: list[ColumnElement[bool]] = [] if scope is None else [scope]
    if flt.community:
        conditions.append(col(Case.community) == flt.community)
    if flt.department:
        conditions.append(col(Case.department) == flt.department)
    if flt.minor_codes:
        codes = list(flt.minor_codes)
        conditions.append(or_(col(Case.minor_code).in_(codes), col(Case.major_code).in_(codes)))
    if flt.status:
        conditions.append(col(Case.status) == flt.status)
    if flt.grid_id:
        conditions.append(col(Case.grid_id) == flt.grid_id)
    if flt.street:
        conditions.append(col(Case.street) == flt.street)
    if flt.category:
        conditions.append(or_(col(Case.minor_code) == flt.category, col(Case.major_code) == flt.category))
    if flt.openid:
        conditions.append(col(Resident.openid) == flt.openid)
        if not flt.confidential_visible:
            conditions.append(col(Resident.confidential).is_(False))
    if flt.created_from:
        conditions.append(col(Case.created_at) >= utc(flt.created_from))
    if flt.created_until:
        conditions.append(col(Case.created_at) < utc(flt.created_until))
    if flt.overdue is not None:
        late = (col(Case.status).in_(OPEN_STATUSES)) & (col(Case.due_at) < utc(now))
        conditions.append(late if flt.overdue else ~late)
    if flt.flagged is not None:
        flagged = col(Case.callback_needed) | col(Case.repeat_reporter)
        conditions.append(flagged if flt.flagged else ~flagged)
    if flt.urgent is not None:
        conditions.append(col(Case.urgent) == flt.urgent)
    if flt.channel:
        conditions.append(col(Case.intake_channel) == flt.channel)
    if flt.text:
        like = like_pattern(flt.text.strip())
        conditions.append(or_(col(Case.number).like(like, escape=LIKE_ESCAPE),
                              col(Case.description).like(like, escape=LIKE_ESCAPE)))
    query = query.where(*conditions)
    total = session.exec(
        select(func.count())
        .select_from(Case)
        .outerjoin(Resident, col(Resident.id) == col(Case.resident_id))
        .where(*conditions)
    ).one()
    # open urgent cases (danger to people) on top, then in the chosen order (newest first by default)
    urgent_open = when((col(Case.urgent) & col(Case.status).in_(OPEN_STATUSES), 0), else_=1)
    key = SORTS.get(flt.sort.lstrip("-"), SORTS["created"])
    order = key.desc() if flt.sort.startswith("-") else key.asc()
    rows = session.exec(
        query.order_by(urgent_open, order, col(Case.id).desc()).offset(offset).limit(limit)
    ).all()
    return [(case, resident) for case, resident in rows], int(total)


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


def residents_by_id(session: Session, ids: Sequence[int | None]) -> dict[int, Resident]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(Resident).where(col(Resident.id).in_(list(wanted)))).all()
    return {r.id: r for r in rows if r.id is not None}


# ---- what the staff console and the mini-program read besides cases --------------------------------


def case_by_number(session: Session, number: str) -> Case | None:
    return session.exec(select(Case).where(Case.number == number)).first()


def cluster_numbers(session: Session, rows: Sequence[Case]) -> dict[int, str]:
    """The number of each cluster's first case, by cluster id, for the clusters of ``rows``."""
    ids = {c.cluster_id for c in rows if c.cluster_id is not None}
    return numbers_by_id(session, ids)


def numbers_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    found = session.exec(select(Case.id, Case.number).where(col(Case.id).in_(wanted))).all()
    return {case_id: number for case_id, number in found if case_id is not None}


def rated_case_ids(session: Session, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.exec(select(Rating.case_id).where(col(Rating.case_id).in_(list(ids)))).all())


def pushes_of(session: Session, case_id: int) -> list[OutboxMessage]:
    return list(session.exec(
        select(OutboxMessage).where(OutboxMessage.case_id == case_id).order_by(col(OutboxMessage.id))
    ).all())


def held_pushes(session: Session, case_id: int, openid: str) -> list[OutboxMessage]:
    """Mini-program pushes to ``openid`` about the case that no subscription could carry (held or dead)."""
    return list(session.exec(
        select(OutboxMessage).where(OutboxMessage.case_id == case_id)
        .where(OutboxMessage.recipient_openid == openid).where(col(OutboxMessage.channel) == "mp")
        .where(col(OutboxMessage.state).in_(("held", "dead"))).order_by(col(OutboxMessage.id))
    ).all())


def photo_by_sha256(session: Session, sha256: str, *, scope: ColumnElement[bool] | None = None) -> Photo | None:
    """The stored photo with this hash; ``scope`` limits it to photos of cases matching the condition."""
    query = select(Photo).where(Photo.sha256 == sha256)
    if scope is not None:
        query = query.join(Case, col(Case.id) == col(Photo.case_id)).where(scope)
    return session.exec(query).first()


def recent_events(session: Session, *, limit: int) -> list[CaseEvent]:
    """The latest timeline entries across all cases, newest first."""
    return list(session.exec(select(CaseEvent).order_by(col(CaseEvent.id).desc()).limit(limit)).all())


def notifications(
    session: Session, *, unread_only: bool, limit: int = 500
) -> list[tuple[StaffNotification, str | None]]:
    """Staff notifications, newest first, with the number of the case each is about."""
    query = select(StaffNotification, Case.number).join(
        Case, col(Case.id) == col(StaffNotification.case_id), isouter=True
    )
    if unread_only:
        query = query.where(col(StaffNotification.read_at).is_(None))
    return [(note, number) for note, number in session.exec(query.order_by(col(StaffNotification.id).desc())
                                                             .limit(limit)).all()]


def mark_read(session: Session, notification_id: int, *, now: datetime) -> bool:
    """Mark a notification read (commits); False when there is no such notification."""
    note = session.get(StaffNotification, notification_id)
    if note is None:
        return False
    note.read_at = utc(now)
    session.add(note)
    session.commit()
    return True


def staff_accounts(session: Session) -> list[StaffUser]:
    return list(session.exec(select(StaffUser).order_by(col(StaffUser.name))).all())


def subscriptions_of(session: Session, openid: str) -> list[MpSubscription]:
    return list(session.exec(select(MpSubscription).where(MpSubscription.openid == openid)).all())
