"""What follows a filing in the resident's conversation: the status answer, a rating comment, 转人工."""

from datetime import datetime

from sqlmodel import Session, col, select

from cases.clock import utc
from cases.errors import CaseNotFound, MissingField, RatingRejected
from cases.handover import request_human
from cases.models import Case, CaseEvent, Rating, StaffNotification, row_id
from cases.my_views import Step, public_step
from cases.queries import PUBLIC_EVENTS, get_case_for_resident
from cases.workflow_models import HandoverRequest


def last_step(session: Session, case: Case) -> Step:
    """The latest step of a case a resident may read (the status answer words it through a template)."""
    events = session.exec(
        select(CaseEvent)
        .where(CaseEvent.case_id == case.id)
        .where(col(CaseEvent.kind).in_(PUBLIC_EVENTS))
        .order_by(col(CaseEvent.id).desc())
    ).all()
    for event in events:
        step = public_step(event)
        if step is not None:
            return step
    return Step(at=case.updated_at, kind="status", status=case.status, department=None, note=None, reopened=False)


def add_rating_comment(*, session: Session, number: str, openid: str, comment: str, now: datetime) -> Rating:
    """Add the resident's optional comment after the score (appended if one is there). Commits."""
    text = comment.strip()
    if not text:
        raise MissingField("comment")
    case = get_case_for_resident(session, openid, number)
    if case is None:
        raise CaseNotFound(number)
    rating = session.exec(select(Rating).where(Rating.case_id == case.id)).first()
    if rating is None:
        raise RatingRejected("not_rated")
    rating.comment = f"{rating.comment}；{text}" if rating.comment else text
    session.add(rating)
    session.add(
        CaseEvent(case_id=row_id(case), kind="rating_comment", actor="resident", note=text, created_at=utc(now))
    )
    if rating.needs_callback:
        session.add(
            StaffNotification(
                case_id=row_id(case),
                kind="callback",
                message=f"{case.number} 居民补充意见：{text}",
                created_at=utc(now),
            )
        )
    session.commit()
    return rating


def request_handover(*, session: Session, openid: str, channel: str, text: str, now: datetime) -> HandoverRequest:
    """The resident asks for a person (转人工): a request in the staff's hand-over queue. Commits.

    At most one open request per resident: asking again while it waits adds to it.
    """
    return request_human(session=session, openid=openid, channel=channel, text=text, now=now)
