"""Departments (承办单位): the managed list, the suggestion of who should take a case, dispatch, notices.

A suggestion weighs what the department says it takes (its categories, minor over major, and its streets)
and what it has actually taken (cases of the same minor category in the same street dispatched to it
before); every suggestion says why, in words staff read.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from cases.clock import LocalTime, utc
from cases.errors import CaseNotFound, MissingField, StaffError, TransitionNotAllowed
from cases.lifecycle import get_case, transition
from cases.models import Case, StaffUser
from cases.outbox import enqueue
from cases.pushes import local_text
from cases.queries import numbers_by_id
from cases.vocabulary import CaseStatus
from cases.workflow_models import Department, DepartmentNotice

NOTICE_LABELS = {
    "dispatched": "新派工单",
    "urge": "催办",
    "supervise": "督办",
    "due_soon": "即将到期",
    "overdue": "已超期",
    "escalated": "超期升级",
    "extension": "延期审批",
}


def list_departments(session: Session, *, active_only: bool = False) -> list[Department]:
    query = select(Department)
    if active_only:
        query = query.where(col(Department.active))
    return list(session.exec(query.order_by(col(Department.name))).all())


def department_by_name(session: Session, name: str) -> Department | None:
    return session.exec(select(Department).where(Department.name == name.strip())).first()


def save_department(
    *,
    session: Session,
    now: datetime,
    department_id: int | None = None,
    name: str,
    contact_person: str = "",
    phone: str = "",
    notify_openid: str | None = None,
    categories: list[str] | None = None,
    streets: list[str] | None = None,
    active: bool = True,
) -> Department:
    """Create (no id) or update a department; a rename carries its cases along. Commits."""
    clean = name.strip()
    if not clean:
        raise MissingField("name")
    taken = department_by_name(session, clean)
    if taken is not None and taken.id != department_id:
        raise StaffError(f"承办单位“{clean}”已存在")
    moment = utc(now)
    if department_id is None:
        department = Department(name=clean, created_at=moment, updated_at=moment)
    else:
        found = session.get(Department, department_id)
        if found is None:
            raise StaffError(f"承办单位 {department_id} 不存在")
        department = found
        if department.name != clean:
            session.execute(update(Case).where(col(Case.department) == department.name).values(department=clean))
    department.name = clean
    department.contact_person = contact_person.strip()
    department.phone = phone.strip()
    department.notify_openid = (notify_openid or "").strip() or None
    department.categories = sorted({c.strip() for c in categories or [] if c.strip()})
    department.streets = sorted({s.strip() for s in streets or [] if s.strip()})
    department.active = active
    department.updated_at = moment
    session.add(department)
    session.commit()
    session.refresh(department)
    return department


@dataclass(frozen=True)
class Suggestion:
    department: Department
    score: float
    reasons: list[str]


def suggest_departments(session: Session, case: Case, *, limit: int = 3) -> list[Suggestion]:
    """The departments most likely to take ``case`` (best first), each with its reasons."""
    history = dict(
        session.exec(
            select(col(Case.department), func.count())
            .where(col(Case.minor_code) == case.minor_code)
            .where(col(Case.street) == case.street)
            .where(col(Case.department).is_not(None))
            .where(col(Case.id) != case.id)
            .group_by(col(Case.department))
        ).all()
    )
    found: list[Suggestion] = []
    for department in list_departments(session, active_only=True):
        score, reasons = 0.0, []
        if case.minor_code in department.categories:
            score += 3
            reasons.append(f"承办“{case.minor_name}”")
        elif case.major_code in department.categories:
            score += 2
            reasons.append(f"承办“{case.major_name}”类")
        if department.streets:
            if case.street in department.streets:
                score += 1
                reasons.append(f"负责{case.street}")
            else:
                score -= 2
        taken = history.get(department.name, 0)
        if taken:
            score += min(taken, 5) * 0.4
            reasons.append(f"此前办过 {taken} 件同类同街道工单")
        if score > 0:
            found.append(Suggestion(department, score, reasons))
    found.sort(key=lambda s: (-s.score, s.department.name))
    return found[:limit]


def notify_department(
    session: Session,
    *,
    department: Department,
    case: Case | None,
    kind: str,
    message: str,
    now: datetime,
    key: str,
) -> DepartmentNotice:
    """A notice in the department's console inbox and, when its contact follows the official account,
    a reminder through the outbox (template ``supervision.notice``). Not committed."""
    assert department.id is not None
    notice = DepartmentNotice(
        department_id=department.id,
        case_id=case.id if case is not None else None,
        kind=kind,
        message=message,
        created_at=utc(now),
    )
    session.add(notice)
    if department.notify_openid:
        variables: dict[str, Any] = {
            "kind_text": NOTICE_LABELS.get(kind, kind),
            "number": case.number if case is not None else "",
            "summary": (case.minor_name if case is not None else "") or "",
            "message": message,
            "due": local_text(case.due_at) if case is not None else "",
            "time": local_text(now),
            "department": department.name,
        }
        enqueue(
            session,
            case_id=case.id if case is not None else None,
            openid=department.notify_openid,
            channel="oa",
            template_key="supervision.notice",
            variables=variables,
            idempotency_key=f"dept:{department.id}:{key}",
            now=now,
        )
    return notice


def dispatch(
    *,
    session: Session,
    number: str,
    department_id: int,
    actor: str,
    note: str | None,
    now: datetime,
) -> Case:
    """派遣 to a managed department: the transition, the resident's push and the department's notice."""
    department = session.get(Department, department_id)
    if department is None or not department.active:
        raise StaffError("请选择在用的承办单位")
    case = transition(
        session=session,
        number=number,
        to="dispatched",
        actor=actor,
        note=note,
        department=department.name,
        now=now,
        commit=False,
    )
    announce_dispatch(session, case=case, department=department, note=note, now=now)
    session.commit()
    return get_case(session, number)


def announce_dispatch(
    session: Session, *, case: Case, department: Department | None = None, note: str | None, now: datetime
) -> None:
    """Tell the department a case was dispatched to it (when it is a managed one). Not committed."""
    department = department or (department_by_name(session, case.department) if case.department else None)
    if department is None:
        return
    notify_department(
        session,
        department=department,
        case=case,
        kind="dispatched",
        message=f"新派工单 {case.number}：{case.minor_name}，{case.address or case.grid_name}，"
        f"请于 {local_text(case.due_at)} 前办结" + (f"。{note.strip()}" if note and note.strip() else ""),
        now=now,
        key=f"{case.number}:dispatched:{int(utc(now).timestamp())}",
    )


def department_users(session: Session, department_id: int) -> list[StaffUser]:
    return list(
        session.exec(
            select(StaffUser).where(StaffUser.department_id == department_id).order_by(col(StaffUser.name))
        ).all()
    )


def notices(session: Session, department_id: int, *, unread_only: bool = False, limit: int = 200) -> list[
    DepartmentNotice
]:
    query = select(DepartmentNotice).where(DepartmentNotice.department_id == department_id)
    if unread_only:
        query = query.where(col(DepartmentNotice.read_at).is_(None))
    return list(session.exec(query.order_by(col(DepartmentNotice.id).desc()).limit(limit)).all())


@dataclass(frozen=True)
class NoticeView:
    id: int
    kind: str
    kind_text: str
    number: str | None
    message: str
    time: LocalTime | None
    read: bool


def notice_views(session: Session, department_id: int, *, unread_only: bool = False) -> list[NoticeView]:
    """A department's notices, newest first, with the number of the case each is about."""
    found = notices(session, department_id, unread_only=unread_only)
    numbers = numbers_by_id(session, [n.case_id for n in found])
    return [NoticeView(id=n.id or 0, kind=n.kind, kind_text=NOTICE_LABELS.get(n.kind, n.kind),
                       number=numbers.get(n.case_id) if n.case_id else None, message=n.message, time=n.created_at,
                       read=n.read_at is not None) for n in found]


def mark_notices_read(session: Session, department_id: int, *, now: datetime) -> None:
    """Every unread notice of the department read now. Commits."""
    for notice in notices(session, department_id, unread_only=True, limit=1000):
        notice.read_at = utc(now)
        session.add(notice)
    session.commit()


def open_case_counts(session: Session) -> dict[str, int]:
    """Cases each department holds (dispatched or in progress), by department name."""
    rows = session.exec(
        select(col(Case.department), func.count())
        .where(col(Case.status).in_((CaseStatus.DISPATCHED, CaseStatus.PROCESSING)))
        .group_by(col(Case.department))
    ).all()
    return {name: int(count) for name, count in rows if name is not None}


@dataclass(frozen=True)
class DepartmentView:
    id: int
    name: str
    contact_person: str
    phone: str
    notify_openid: str | None
    categories: list[str]
    category_names: list[str]
    streets: list[str]
    active: bool
    open_cases: int


def department_view(department: Department, open_cases: int, category_names: Mapping[str, str]) -> DepartmentView:
    """A department as the console lists it; ``category_names`` names each category code (大类/小类)."""
    return DepartmentView(
        id=department.id or 0, name=department.name, contact_person=department.contact_person,
        phone=department.phone, notify_openid=department.notify_openid, categories=department.categories,
        category_names=[category_names.get(c, c) for c in department.categories], streets=department.streets,
        active=department.active, open_cases=open_cases,
    )


@dataclass(frozen=True)
class BulkResult:
    number: str
    ok: bool
    message: str


def bulk_move(
    *, session: Session, numbers: Sequence[str], action: str, department_id: int | None, actor: str,
    note: str | None, now: datetime,
) -> list[BulkResult]:
    """受理 (``accept``: the actor takes the case unless someone has it) or 派遣 (``dispatch``) several cases, each
    on its own: one that cannot move is reported and the others still move. Commits each."""
    results: list[BulkResult] = []
    for number in dict.fromkeys(numbers):
        try:
            if action == "accept":
                case = transition(session=session, number=number, to=CaseStatus.ACCEPTED, actor=actor, note=note,
                                  now=now)
                case.assignee = case.assignee or actor
                session.add(case)
                session.commit()
                results.append(BulkResult(number=number, ok=True, message="已受理"))
            else:
                if department_id is None:
                    raise MissingField("department")
                moved = dispatch(session=session, number=number, department_id=department_id, actor=actor,
                                 note=note, now=now)
                results.append(BulkResult(number=number, ok=True, message=f"已派遣至{moved.department}"))
        except CaseNotFound:
            session.rollback()
            results.append(BulkResult(number=number, ok=False, message="工单不存在"))
        except TransitionNotAllowed as exc:
            session.rollback()
            results.append(BulkResult(number=number, ok=False, message=exc.explanation))
        except StaffError as exc:
            session.rollback()
            results.append(BulkResult(number=number, ok=False, message=str(exc)))
    return results
