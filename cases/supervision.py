"""Supervision of dispatched cases: 催办 and 督办, 延期 requests, reminders and escalation of overdue cases.

* 催办 (urge) is a reminder to the department; 督办 (supervise) is the centre's formal order to act, kept
  for 考核. Both land in the timeline and notify the department (console notice, WeChat via the outbox).
* A department may ask for more time (延期) with a reason and a new due time; the centre approves (the
  due time moves and reminders start again) or refuses, and the department is told either way.
* The periodic pass (:func:`supervise`) adds the due-soon and overdue reminders, tells the department
  of each, and escalates cases overdue by more than ``escalate_after_hours``: a 督办 by the system and a
  notice for the centre.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from cases.attention import add_reminders
from cases.clock import LocalTime, utc
from cases.departments import department_by_name, notify_department
from cases.errors import CaseError, MissingField
from cases.lifecycle import get_case
from cases.models import OPEN_STATUSES, Case, CaseEvent, StaffNotification, row_id
from cases.pushes import local_text
from cases.rules import DEFAULT_RULES, CaseRules
from cases.workflow_models import ExtensionRequest

URGE_KINDS = {"urge": "催办", "supervise": "督办"}
ESCALATE_AFTER_HOURS = 24.0


class SupervisionRefused(CaseError):
    """The case is not in a state for this (not dispatched, already decided, due time in the past…)."""


def _department_or_refuse(session: Session, case: Case) -> str:
    if case.status not in ("dispatched", "processing") or not case.department:
        raise SupervisionRefused(f"工单 {case.number} 不在承办单位办理中，无法催办或督办")
    return case.department


def urge(*, session: Session, number: str, kind: str, actor: str, note: str, now: datetime) -> Case:
    """催办 (``urge``) or 督办 (``supervise``) the department handling case ``number``. Commits."""
    if kind not in URGE_KINDS:
        raise SupervisionRefused("只能催办或督办")
    case = get_case(session, number)
    name = _department_or_refuse(session, case)
    label, words = URGE_KINDS[kind], note.strip()
    if kind == "supervise" and not words:
        raise MissingField("note")
    moment = utc(now)
    session.add(CaseEvent(case_id=row_id(case), kind=kind, actor=actor, department=name,
                          note=f"{label}{name}" + (f"：{words}" if words else ""), created_at=moment))
    department = department_by_name(session, name)
    if department is not None:
        message = f"{label}：工单 {case.number}（{case.minor_name}）请于 {local_text(case.due_at)} 前办结" + (
            f"。{words}" if words else "")
        notify_department(session, department=department, case=case, kind=kind, message=message, now=moment,
                          key=f"{case.number}:{kind}:{int(moment.timestamp())}")
    session.commit()
    return case


def request_extension(
    *, session: Session, number: str, department: str, actor: str, reason: str, due_at: datetime, now: datetime
) -> ExtensionRequest:
    """A department asks to move the due time of its case to ``due_at``. Commits."""
    if not reason.strip():
        raise MissingField("note")
    case = get_case(session, number)
    if case.department != department or case.status not in OPEN_STATUSES:
        raise SupervisionRefused(f"工单 {case.number} 不在贵单位办理中，无法申请延期")
    if utc(due_at) <= utc(case.due_at):
        raise SupervisionRefused(f"申请的期限应晚于现在的期限 {local_text(case.due_at)}")
    pending = session.exec(
        select(ExtensionRequest).where(ExtensionRequest.case_id == case.id, ExtensionRequest.state == "pending")
    ).first()
    if pending is not None:
        raise SupervisionRefused("已有一条延期申请在等待审批")
    moment = utc(now)
    request = ExtensionRequest(case_id=row_id(case), department=department, requested_by=actor,
                               reason=reason.strip(), requested_due_at=utc(due_at), created_at=moment)
    session.add(request)
    session.add(CaseEvent(case_id=row_id(case), kind="extension_requested", actor=actor, department=department,
                          note=f"申请延期至 {local_text(due_at)}：{reason.strip()}", created_at=moment))
    session.add(StaffNotification(case_id=row_id(case), kind="extension",
                                  message=f"{department} 申请工单 {case.number} 延期至 {local_text(due_at)}",
                                  created_at=moment))
    session.commit()
    session.refresh(request)
    return request


def decide_extension(
    *, session: Session, request_id: int, approve: bool, actor: str, note: str, now: datetime
) -> ExtensionRequest:
    """The centre approves (the due time moves) or refuses a 延期 request. Commits."""
    request = session.get(ExtensionRequest, request_id)
    if request is None or request.state != "pending":
        raise SupervisionRefused("该延期申请不存在或已审批")
    if not approve and not note.strip():
        raise MissingField("note")
    case = session.get(Case, request.case_id)
    assert case is not None
    moment = utc(now)
    request.state = "approved" if approve else "refused"
    request.decided_by, request.decided_at, request.decision_note = actor, moment, note.strip() or None
    old_due = case.due_at
    if approve:
        case.due_at = request.requested_due_at
        case.reminder_level = 0
        session.add(case)
    verdict = "同意延期" if approve else "不同意延期"
    text = (f"{verdict}：期限由 {local_text(old_due)} 改为 {local_text(request.requested_due_at)}" if approve
            else f"{verdict}，期限仍为 {local_text(old_due)}") + (f"。{note.strip()}" if note.strip() else "")
    session.add(CaseEvent(case_id=row_id(case), kind="extension_decided", actor=actor,
                          department=request.department, note=text, created_at=moment))
    department = department_by_name(session, request.department)
    if department is not None:
        notify_department(session, department=department, case=case, kind="extension",
                          message=f"工单 {case.number} {text}", now=moment, key=f"ext:{request.id}")
    session.add(request)
    session.commit()
    return request


def pending_extensions(session: Session, *, limit: int = 200) -> list[tuple[ExtensionRequest, Case]]:
    rows = session.exec(
        select(ExtensionRequest, Case)
        .join(Case, col(Case.id) == col(ExtensionRequest.case_id))
        .where(ExtensionRequest.state == "pending")
        .order_by(col(ExtensionRequest.created_at))
        .limit(limit)
    ).all()
    return [(request, case) for request, case in rows]


@dataclass(frozen=True)
class ExtensionView:
    id: int
    number: str
    minor_name: str
    department: str
    requested_by: str
    reason: str
    due_at: LocalTime | None
    due_text: str
    requested_due_at: LocalTime | None
    requested_due_text: str
    created_at: LocalTime | None


def extension_views(session: Session) -> list[ExtensionView]:
    """Extension requests waiting for the centre, oldest first, with the due time now and the one asked for."""
    return [ExtensionView(id=r.id or 0, number=c.number, minor_name=c.minor_name, department=r.department,
                          requested_by=r.requested_by, reason=r.reason, due_at=c.due_at, due_text=local_text(c.due_at),
                          requested_due_at=r.requested_due_at, requested_due_text=local_text(r.requested_due_at),
                          created_at=r.created_at)
            for r, c in pending_extensions(session)]


@dataclass
class SupervisionReport:
    reminders: int = 0
    notified: int = 0
    escalated: int = 0


def supervise(
    session: Session, now: datetime, rules: CaseRules = DEFAULT_RULES, *,
    escalate_after_hours: float = ESCALATE_AFTER_HOURS,
) -> SupervisionReport:
    """The periodic pass: reminders (to the departments too) and escalation of long-overdue cases. Commits."""
    moment = utc(now)
    report = SupervisionReport()
    events = add_reminders(session, moment, rules)
    report.reminders = len(events)
    for event in events:
        case = session.get(Case, event.case_id)
        if case is None or not case.department or case.status not in ("dispatched", "processing"):
            continue
        department = department_by_name(session, case.department)
        if department is None:
            continue
        kind = "overdue" if case.reminder_level >= 2 else "due_soon"
        notify_department(session, department=department, case=case, kind=kind,
                          message=f"工单 {case.number}（{case.minor_name}）{event.note}", now=moment,
                          key=f"{case.number}:{kind}:{int(utc(case.due_at).timestamp())}")
        report.notified += 1
    late = session.exec(
        select(Case)
        .where(col(Case.status).in_(OPEN_STATUSES))
        .where(col(Case.due_at) < moment - timedelta(hours=escalate_after_hours))
        .where(col(Case.reminder_level) < 3)
    ).all()
    for case in late:
        hours = (moment - utc(case.due_at)).total_seconds() / 3600
        who = case.department or "中心"
        text = f"超期 {hours:.0f} 小时，升级督办（{who}）"
        case.reminder_level = 3
        session.add(case)
        session.add(CaseEvent(case_id=row_id(case), kind="escalated", actor="system", department=case.department,
                              note=text, created_at=moment))
        session.add(StaffNotification(case_id=row_id(case), kind="escalation",
                                      message=f"工单 {case.number} {text}", created_at=moment))
        department = department_by_name(session, case.department) if case.department else None
        if department is not None:
            notify_department(session, department=department, case=case, kind="escalated",
                              message=f"督办：工单 {case.number} 已{text}，请立即办理并反馈", now=moment,
                              key=f"{case.number}:escalated:{int(utc(case.due_at).timestamp())}")
        report.escalated += 1
    session.commit()
    return report
