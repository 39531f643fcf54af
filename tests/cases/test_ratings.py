from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from cases import CaseNotFound, MissingField, RatingRejected, awaiting_rating, rate, satisfaction, transition
from cases.models import Case, CaseEvent, OutboxMessage, StaffNotification
from tests.cases.conftest import NOW, file, move_to


def closed_case(session: Session, openid: str = "o-resident-1", **kw: object) -> Case:
    case = file(session, openid=openid, **kw).case  # type: ignore[arg-type]
    move_to(session, case.number, "closed")
    return case


def test_closing_asks_for_a_rating_and_the_answer_is_stored(session: Session) -> None:
    case = closed_case(session)
    assert [c.number for c in awaiting_rating(session, "o-resident-1", now=NOW)] == [case.number]
    rating = rate(
        session=session,
        number=case.number,
        openid="o-resident-1",
        score=5,
        fixed="yes",
        comment="很快",
        now=NOW + timedelta(days=1),
    )
    assert rating.score == 5 and not rating.needs_callback
    assert awaiting_rating(session, "o-resident-1", now=NOW) == []
    with pytest.raises(RatingRejected) as caught:
        rate(session=session, number=case.number, openid="o-resident-1", score=4, fixed=None, comment=None, now=NOW)
    assert caught.value.reason == "already_rated"


def test_poor_rating_flags_a_call_back_and_notifies_staff(session: Session) -> None:
    case = closed_case(session)
    rate(
        session=session,
        number=case.number,
        openid="o-resident-1",
        score=None,
        fixed="no",
        comment="根本没人来",
        now=NOW,
    )
    session.refresh(case)
    assert case.callback_needed
    kinds = session.exec(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "callback_flagged" in kinds
    note = session.exec(select(StaffNotification)).one()
    assert note.kind == "callback" and case.number in note.message


@pytest.mark.parametrize(("score", "fixed", "flagged"), [(2, "yes", True), (3, "partly", False), (1, None, True)])
def test_score_two_or_less_flags(session: Session, score: int, fixed: str | None, flagged: bool) -> None:
    case = closed_case(session)
    assert (
        rate(
            session=session, number=case.number, openid="o-resident-1", score=score, fixed=fixed, comment=None, now=NOW
        ).needs_callback
        is flagged
    )


def test_ratings_are_accepted_for_fourteen_days_only_for_closed_own_cases(session: Session) -> None:
    case = closed_case(session)
    with pytest.raises(RatingRejected) as late:
        rate(
            session=session,
            number=case.number,
            openid="o-resident-1",
            score=5,
            fixed=None,
            comment=None,
            now=NOW + timedelta(days=14, seconds=1),
        )
    assert late.value.reason == "expired"
    assert awaiting_rating(session, "o-resident-1", now=NOW + timedelta(days=15)) == []
    with pytest.raises(CaseNotFound):
        rate(session=session, number=case.number, openid="o-someone-else", score=5, fixed=None, comment=None, now=NOW)
    open_case = file(session, description="路灯坏了", lat=31.3, lng=121.5).case
    with pytest.raises(RatingRejected) as not_closed:
        rate(
            session=session, number=open_case.number, openid="o-resident-1", score=5, fixed=None, comment=None, now=NOW
        )
    assert not_closed.value.reason == "not_closed"
    with pytest.raises(MissingField):
        rate(session=session, number=case.number, openid="o-resident-1", score=None, fixed=None, comment="?", now=NOW)
    with pytest.raises(RatingRejected):
        rate(session=session, number=case.number, openid="o-resident-1", score=6, fixed=None, comment=None, now=NOW)


def test_satisfaction_rate_counts_satisfied_and_basically_satisfied_over_all_rated(session: Session) -> None:
    assert satisfaction(session, NOW - timedelta(days=1), NOW + timedelta(days=1)).rate is None
    scores = [5, 4, 3, 1]
    for i, score in enumerate(scores):
        case = closed_case(session, openid=f"o-{i}", lat=31.2 + i / 10, lng=121.4)
        rate(session=session, number=case.number, openid=f"o-{i}", score=score, fixed=None, comment=None, now=NOW)
    fixed_only = closed_case(session, openid="o-x", lat=31.9, lng=121.9)
    rate(session=session, number=fixed_only.number, openid="o-x", score=None, fixed="yes", comment=None, now=NOW)
    # 5 非常满意, 4 满意 and 3 基本满意 count; 1 非常不满意 does not; a rating without a score is not counted
    assert satisfaction(session, NOW - timedelta(days=1), NOW + timedelta(days=1)).rate == 0.75


def test_a_reopened_and_reclosed_case_keeps_its_rating_and_is_not_asked_again(session: Session) -> None:
    case = closed_case(session)
    rate(session=session, number=case.number, openid="o-resident-1", score=2, fixed=None, comment=None, now=NOW)
    for step in ("processing", "verifying", "closed"):
        transition(session=session, number=case.number, to=step, actor="王芳", now=NOW)
    assert awaiting_rating(session, "o-resident-1", now=NOW) == []
    asks = session.exec(select(OutboxMessage).where(OutboxMessage.template_key == "rating.ask")).all()
    assert len(asks) == 1
    assert asks[0].variables["options"] == "1 满意，2 基本满意，3 不满意"  # the options a bare "1" is read against
