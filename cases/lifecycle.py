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
from cases.models import STATUS_LABELS, Case, CaseEvent, Rating, row_id
from cases.pushes import case_variables, push_to_resident


@dataclass(frozen=True)
class Move:
    to: str
    label: str  # the name of the move on the staff console
    requires: str | None = None  # "note" or "department"
    notify: bool = False  # the resident hears of it


MOVES: dict[str, tuple[Move, ...]] = {
    "submitted": (
        Move("accepted", "受理", notify=True),
        Move("rejected", "不予受理", requires="note", notify=True),
    ),
    "accepted": (Move("dispatched", "派遣", requires="department", notify=True),),
    "dispatched": (
        Move("processing", "开始处置"),
        Move("accepted", "退回", requires="note"),
    ),
    "processing": (Move("verifying", "提交核查"),),
    "verifying": (
        Move("closed", "结案", notify=True),
        Move("processing", "核查不通过"),
    ),
    "closed": (Move("processing", "重新办理", notify=True),),
    "rejected": (),
}


def allowed_moves(status: str) -> list[str]:
    return [move.to for move in MOVES.get(status, ())]


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
) -> None:
    """Move ``case`` (checked: still in the status we read) and record the event and the push."""
    previous = case.status
    values: dict[str, object] = {"status": move.to, "updated_at": moment}
    if move.to == "dispatched":
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
    if not move.notify:
        return
    reopened = previous == "closed"
    variables = case_variables(
        case,
        now=moment,
        note=note or "",
        previous_status=previous,
        previous_text=STATUS_LABELS[previous],
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
            variables=case_variables(case, now=moment, rating_days=14),
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
    move = next((m for m in MOVES.get(case.status, ()) if m.to == to), None)
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


def reclassify(
    *,
    session: Session,
    number: str,
    major_code: str,
    major_name: str,
    minor_code: str,
    minor_name: str,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> Case:
    """Staff correct the category (recorded with the old one in the timeline). Commits."""
    if not (major_code and minor_code):
        raise InvalidDraft("category", "missing")
    moment = utc(now)
    case = get_case(session, number, for_update=True)
    old = f"{case.major_name}/{case.minor_name}"
    case.major_code, case.major_name = major_code, major_name or major_code
    case.minor_code, case.minor_name = minor_code, minor_name or minor_code
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
    lat: float | None,
    lng: float | None,
    address: str,
    grid_id: str,
    grid_name: str,
    community: str,
    street: str,
    actor: str,
    now: datetime,
    note: str | None = None,
) -> Case:
    """Staff correct the place and grid (recorded with the old one in the timeline). Commits."""
    if not grid_id:
        raise InvalidDraft("grid_id", "not_located")
    if (lat is None) != (lng is None):
        raise InvalidDraft("location", "lat_and_lng_go_together")
    moment = utc(now)
    case = get_case(session, number, for_update=True)
    old = f"{case.grid_name or case.grid_id} {case.address}".strip()
    case.lat, case.lng, case.address = lat, lng, address
    case.grid_id, case.grid_name, case.community, case.street = grid_id, grid_name, community, street
    case.updated_at = moment
    session.add(case)
    text = f"位置由 {old} 改为 {grid_name or grid_id} {address}".strip() + (f"：{note}" if note else "")
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
