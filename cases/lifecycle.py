"""The closed loop: 受理 → 派遣 → 处置 → 核查 → 结案, with 退回 and 重新办理, and staff corrections.

Every change is an event in the case's timeline. Transitions the resident should hear of enqueue a push
in the same transaction. A transition of a cluster's first case carries along the members that were in
the same status (合并办理), each member's resident getting the push about their own number.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import CursorResult
from sqlmodel import Session, col, select

from cases.clock import utc
from cases.errors import CaseNotFound, InvalidDraft, MissingField, TransitionNotAllowed
from cases.models import Case, CaseEvent, Rating, row_id
from cases.pushes import case_variables, push_to_resident
from cases.ratings import prompt_options_text
from cases.vocabulary import CaseStatus, Category, Place
from cases.webhooks import emit

S = CaseStatus


@dataclass(frozen=True)
class Move:
    to: CaseStatus
    label: str  # the name of the move on the staff console
    requires: str | None = None  # "note" or "department"
    notify: bool = False  # the resident hears of it


MOVES: dict[CaseStatus, tuple[Move, ...]] = {
    S.SUBMITTED: (
        Move(S.ACCEPTED, "受理", notify=True),
        Move(S.REJECTED, "不予受理", requires="note", notify=True),
    ),
    S.ACCEPTED: (Move(S.DISPATCHED, "派遣", requires="department", notify=True),),
    S.DISPATCHED: (
        Move(S.PROCESSING, "开始处置"),
        Move(S.ACCEPTED, "退回", requires="note"),
    ),
    S.PROCESSING: (Move(S.VERIFYING, "提交核查"),),
    S.VERIFYING: (
        Move(S.CLOSED, "结案", notify=True),
        Move(S.PROCESSING, "核查不通过"),
    ),
    S.CLOSED: (Move(S.PROCESSING, "重新办理", notify=True),),
    S.REJECTED: (),
}


def moves_from(status: str) -> tuple[Move, ...]:
    """The moves staff may make from a stored status code."""
    try:
        return MOVES[CaseStatus(status)]
    except ValueError:
        return ()


def allowed_moves(status: str) -> list[str]:
    return [move.to.value for move in moves_from(status)]


def get_case(session: Session, number: str, *, for_update: bool = False) -> Case:
    query = select(Case).where(Case.number == number)
    if for_update:
        query = query.with_for_update()
    case = session.exec(query.execution_options(populate_existing=True)).first()
    if case is None:
        raise CaseNotFound(number)
    return case


def _apply(
    session: Session,
    case: Case,
    move: Move,
    *,
    actor: str,
    note: str | None,
    department: str | None,
    moment: datetime,
    cluster_note: str | None = None,
    carry_department: bool = False,
) -> None:
    """Move ``case`` (checked: still in the status we read) and record the event and the push."""
    previous = case.status
    values: dict[str, object] = {"status": move.to.value, "updated_at": moment}
    if move.to == S.DISPATCHED or carry_department:
        values["department"] = department
    rated = session.exec(select(Rating.id).where(Rating.case_id == case.id)).first() is not None
    if move.to == "closed":
        values["closed_at"] = moment
        values["rating_requested_at"] = None if rated else moment  # one rating per case
    if previous == "closed":
        values["closed_at"] = None
        values["rating_requested_at"] = None
    result = session.execute(
        update(Case).where(col(Case.id) == case.id).where(col(Case.status) == previous).values(**values)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount != 1:  # someone moved it meanwhile
        session.rollback()
        fresh = session.get(Case, case.id, populate_existing=True)
        current = fresh.status if fresh else previous
        raise TransitionNotAllowed(current, move.to, allowed_moves(current))
    session.refresh(case)
    session.add(
        CaseEvent(
            case_id=row_id(case),
            kind="transition",
            actor=actor,
            from_status=previous,
            to_status=move.to,
            note=cluster_note or note,
            department=department,
            created_at=moment,
        )
    )
    emit(session, case=case, event_type="case.status_changed", now=moment, data={
        "from_status": previous, "to_status": move.to, "note": cluster_note or note, "department": department,
        "actor": actor,
    })
    if not move.notify:
        return
    reopened = previous == "closed"
    variables = case_variables(
        case,
        now=moment,
        note=note or "",
        previous_status=previous,
        previous_text=CaseStatus.label_of(previous),
        reopened=reopened,
    )
    count = session.exec(select(CaseEvent.id).where(CaseEvent.case_id == case.id)).all()
    key = f"{move.to}:{len(count)}"
    push_to_resident(session, case=case, template_key="status.changed", variables=variables, key=key, now=moment)
    if move.to == "closed" and not rated:
        push_to_resident(
            session,
            case=case,
            template_key="rating.ask",
            key=f"rating:{len(count)}",
            now=moment,
            variables=case_variables(case, now=moment, rating_days=14, options=prompt_options_text()),
        )


def transition(
    *,
    session: Session,
    number: str,
    to: str,
    actor: str,
    note: str | None = None,
    department: str | None = None,
    now: datetime,
    commit: bool = True,
) -> Case:
    """Move case ``number`` to status ``to``.

    Raises :class:`CaseNotFound`, :class:`TransitionNotAllowed` (naming the allowed statuses) or
    :class:`MissingField` (``note`` for 不予受理 and 退回, ``department`` for 派遣).
    """
    moment = utc(now)
    note = (note or "").strip() or None
    department = (department or "").strip() or None
    case = get_case(session, number, for_update=True)
    move = next((m for m in moves_from(case.status) if m.to == to), None)
    if move is None:
        raise TransitionNotAllowed(case.status, to, allowed_moves(case.status))
    if move.requires == "note" and not note:
        raise MissingField("note")
    if move.requires == "department" and not department:
        raise MissingField("department")
    previous = case.status
    _apply(session, case, move, actor=actor, note=note, department=department, moment=moment)
    if case.cluster_id == case.id:
        members = session.exec(
            select(Case)
            .where(Case.cluster_id == case.id)
            .where(Case.id != case.id)
            .where(Case.status == previous)
            .order_by(col(Case.id))
        ).all()
        for member in members:
            _apply(
                session,
                member,
                move,
                actor=actor,
                note=note,
                department=department,
                moment=moment,
                cluster_note=f"随 {case.number} 合并办理" + (f"：{note}" if note else ""),
            )
    if commit:
        session.commit()
    else:
        session.flush()
    return case


def follow_cluster(session: Session, case: Case, root: Case, *, moment: datetime) -> None:
    """A case joining a cluster whose first case has moved on follows it there (合并办理), without a push."""
    if root.id == case.id or root.status == case.status or not CaseStatus(root.status).is_open:
        return
    _apply(session, case, Move(CaseStatus(root.status), "合并办理"), actor="system", note=None,
           department=root.department, moment=moment, cluster_note=f"随 {root.number} 合并办理",
           carry_department=True)


def reclassify(
    *,
    session: Session,
    number: str,
    category: Category,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> Case:
    """Staff correct the category (recorded with the old one in the timeline). Commits."""
    if not (category.major_code and category.minor_code):
        raise InvalidDraft("category", "missing")
    moment = utc(now)
    case = get_case(session, number, for_update=True)
    old = f"{case.major_name}/{case.minor_name}"
    case.major_code, case.major_name = category.major_code, category.major_name or category.major_code
    case.minor_code, case.minor_name = category.minor_code, category.minor_name or category.minor_code
    case.category_source, case.category_confidence, case.updated_at = "staff", 1.0, moment
    session.add(case)
    text = f"分类由 {old} 改为 {case.major_name}/{case.minor_name}" + (f"：{note}" if note else "")
    session.add(
        CaseEvent(
            case_id=row_id(case),
            kind="reclassified",
            actor=actor,
            note=text,
            created_at=moment,
        )
    )
    session.commit()
    return case


def relocate(
    *,
    session: Session,
    number: str,
    place: Place,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> Case:
    """Staff correct the place and grid (recorded with the old one in the timeline). Commits."""
    if not place.grid_id:
        raise InvalidDraft("grid_id", "not_located")
    if (place.lat is None) != (place.lng is None):
        raise InvalidDraft("location", "lat_and_lng_go_together")
    moment = utc(now)
    case = get_case(session, number, for_update=True)
    old = f"{case.grid_name or case.grid_id} {case.address}".strip()
    case.place = place
    case.updated_at = moment
    session.add(case)
    new = f"{place.grid_name or place.grid_id} {place.address}"
    text = f"位置由 {old} 改为 {new}".strip() + (f"：{note}" if note else "")
    session.add(
        CaseEvent(
            case_id=row_id(case),
            kind="relocated",
            actor=actor,
            note=text,
            created_at=moment,
        )
    )
    session.commit()
    return case


def assign(*, session: Session, number: str, assignee: str | None, actor: str, now: datetime) -> Case:
    """Assign the case to a member of staff (``None`` or blank takes the assignment back), on the timeline. Commits."""
    case = get_case(session, number)
    case.assignee = (assignee or "").strip() or None
    session.add(case)
    session.add(CaseEvent(case_id=row_id(case), kind="assigned", actor=actor,
                          note=f"指派给 {case.assignee}" if case.assignee else "取消指派", created_at=utc(now)))
    session.commit()
    return case


def add_note(*, session: Session, number: str, actor: str, note: str, now: datetime) -> CaseEvent:
    """A free-text staff note in the timeline. Commits."""
    if not note.strip():
        raise MissingField("note")
    case = get_case(session, number)
    event = CaseEvent(
        case_id=row_id(case),
        kind="note",
        actor=actor,
        note=note.strip(),
        created_at=utc(now),
    )
    session.add(event)
    session.commit()
    return event
