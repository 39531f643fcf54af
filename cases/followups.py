"""What a conversation adds after filing: the last step in plain words, a rating's comment, and a
resident's request to talk to a person (人工), which staff see in their console."""

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, Session, SQLModel, col, select

from cases.clock import utc
from cases.errors import CaseNotFound, RatingRejected
from cases.models import STATUS_LABELS, Case, CaseEvent, Rating, Resident, row_id

EVENT_WORDS = {
    "filed": "已收到您的反映",
    "reminder": "工作人员正在跟进",
    "reclassified": "已调整问题类别",
    "relocated": "已核对问题位置",
    "rated": "已收到您的评价",
}


class HandoverRequest(SQLModel, table=True):
    """A resident asked for a person (人工); staff call or message back in office hours."""

    __tablename__ = "handover_requests"

    id: int | None = Field(default=None, primary_key=True)
    openid: str = Field(max_length=64, index=True)
    channel: str = Field(max_length=8)
    text: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime
    handled_at: datetime | None = None
    handled_by: str | None = Field(default=None, max_length=64)


def last_step_text(session: Session, case: Case) -> str:
    """The newest step of the case's timeline as a resident would say it ("已派遣至城管中队")."""
    event = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id).desc())
    ).first()
    if event is None:
        return STATUS_LABELS.get(case.status, case.status)
    if event.kind == "transition" and event.to_status:
        words = STATUS_LABELS.get(event.to_status, event.to_status)
        if event.department:
            return f"{words}（{event.department}）"
        return words
    return EVENT_WORDS.get(event.kind, STATUS_LABELS.get(case.status, case.status))


def add_rating_comment(*, session: Session, number: str, openid: str, comment: str, now: datetime) -> Rating:
    """Attach the resident's optional comment to the rating they just gave. Commits."""
    row = session.exec(
        select(Rating, Case)
        .join(Case, col(Case.id) == Rating.case_id)
        .join(Resident, col(Resident.id) == Case.resident_id)
        .where(Case.number == number, Resident.openid == openid)
    ).first()
    if row is None:
        raise CaseNotFound(number)
    rating, case = row
    if rating.comment:
        raise RatingRejected("already_rated")
    rating.comment = comment.strip()[:500]
    session.add(rating)
    session.add(CaseEvent(case_id=row_id(case), kind="rating_comment", actor="resident", note=rating.comment,
                          created_at=utc(now)))
    session.commit()
    return rating


def request_handover(*, session: Session, openid: str, channel: str, text: str, now: datetime) -> HandoverRequest:
    """Record that the resident asked for a person; at most one open request per resident. Commits."""
    open_request = session.exec(
        select(HandoverRequest).where(HandoverRequest.openid == openid, col(HandoverRequest.handled_at).is_(None))
    ).first()
    if open_request is not None:
        return open_request
    request = HandoverRequest(openid=openid, channel=channel, text=text[:500], created_at=utc(now))
    session.add(request)
    session.commit()
    return request


def open_handover_requests(session: Session, *, limit: int = 100) -> list[HandoverRequest]:
    return list(session.exec(
        select(HandoverRequest).where(col(HandoverRequest.handled_at).is_(None))
        .order_by(col(HandoverRequest.id)).limit(limit)
    ))
