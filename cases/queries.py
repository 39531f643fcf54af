"""Reading cases: a resident's own, one case's timeline, photos and pushes, and what lists show beside cases.

The staff's search is :mod:`cases.search`; overdue, flagged and duplicate cases are :mod:`cases.attention`.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from cases.clock import utc
from cases.models import (
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
)

PUBLIC_EVENTS = ("filed", "transition")  # what a resident may read of the timeline


# ---- for residents ---------------------------------------------------------------------------------


def cases_of_resident(session: Session, openid: str, open_only: bool = False) -> list[Case]:
    """The resident's cases, newest first."""
    query = select(Case).join(Resident, col(Resident.id) == col(Case.resident_id)).where(Resident.openid == openid)
    if open_only:
        query = query.where(col(Case.status).in_(OPEN_STATUSES))
    return list(session.exec(query.order_by(col(Case.created_at).desc(), col(Case.id).desc())).all())


def get_case_for_resident(session: Session, openid: str, number: str) -> Case | None:
    """The case ``number`` (as the case-number parser writes it) if it belongs to ``openid``; someone else's
    number gives None."""
    return session.exec(
        select(Case)
        .join(Resident, col(Resident.id) == col(Case.resident_id))
        .where(Resident.openid == openid)
        .where(Case.number == number)
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


def open_cases_with_point(session: Session, *, limit: int = 20_000) -> list[Case]:
    """Open cases that have coordinates, newest first (the district map)."""
    return list(session.exec(
        select(Case).where(col(Case.status).in_(OPEN_STATUSES)).where(col(Case.lat).is_not(None))
        .order_by(col(Case.created_at).desc()).limit(limit)
    ).all())
