"""Cases seen by intake channel: what another system may read back, and the per-channel counts."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from cases.clock import utc
from cases.models import FINAL_STATUSES, OPEN_STATUSES, Case, CaseEvent


@dataclass(frozen=True)
class ChannelQuery:
    channel: str
    numbers: Sequence[str] = ()
    minor_codes: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    open_: bool | None = None  # True: open only, False: closed or rejected only
    limit: int = 1000


def channel_cases(session: Session, query: ChannelQuery) -> list[Case]:
    """Cases of one intake channel, newest first, filtered as Open311's GET /requests asks."""
    statement = select(Case).where(Case.intake_channel == query.channel)
    if query.numbers:
        statement = statement.where(col(Case.number).in_(list(query.numbers)))
    if query.minor_codes:
        statement = statement.where(col(Case.minor_code).in_(list(query.minor_codes)))
    if query.start is not None:
        statement = statement.where(col(Case.created_at) >= utc(query.start))
    if query.end is not None:
        statement = statement.where(col(Case.created_at) <= utc(query.end))
    if query.open_ is not None:
        statement = statement.where(col(Case.status).in_(OPEN_STATUSES if query.open_ else FINAL_STATUSES))
    statement = statement.order_by(col(Case.created_at).desc(), col(Case.id).desc()).limit(query.limit)
    return list(session.exec(statement).all())


def case_by_token(session: Session, token: str) -> Case | None:
    return session.exec(select(Case).where(Case.token == token)).first()


def latest_notes(session: Session, case_ids: Sequence[int]) -> dict[int, str]:
    """The note of each case's latest transition that had one (what the client reads as status notes)."""
    if not case_ids:
        return {}
    rows = session.exec(
        select(CaseEvent.case_id, CaseEvent.note)
        .where(col(CaseEvent.case_id).in_(list(case_ids)))
        .where(CaseEvent.kind == "transition")
        .where(col(CaseEvent.note).is_not(None))
        .order_by(col(CaseEvent.id))
    ).all()
    return {case_id: note for case_id, note in rows if note}


def count_by_channel(session: Session, *, since: datetime, until: datetime) -> dict[str, int]:
    """Cases filed in [since, until) per intake channel."""
    rows = session.exec(
        select(Case.intake_channel, func.count())
        .where(col(Case.created_at) >= utc(since), col(Case.created_at) < utc(until))
        .group_by(col(Case.intake_channel))
    ).all()
    return {channel: int(count) for channel, count in rows}
