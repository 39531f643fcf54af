from __future__ import annotations

import pytest
from sqlmodel import Session, select

from cases import CaseNotFound, RatingRejected, add_rating_comment, last_step, rate, request_handover
from cases.models import Rating, StaffNotification
from cases.workflow_models import HandoverRequest
from tests.cases.conftest import NOW, file, move_to


def test_the_last_step_a_resident_may_read(session: Session) -> None:
    case = file(session).case
    filed = last_step(session, case)
    assert (filed.kind, filed.status) == ("filed", "submitted")
    move_to(session, case.number, "dispatched")
    dispatched = last_step(session, case)
    assert (dispatched.kind, dispatched.status, dispatched.department) == ("status", "dispatched", "城管中队")


def test_rating_comment_is_added_to_the_rating(session: Session) -> None:
    case = file(session).case
    move_to(session, case.number, "closed")
    with pytest.raises(RatingRejected):
        add_rating_comment(session=session, number=case.number, openid="o-resident-1", comment="谢谢", now=NOW)
    rate(session=session, number=case.number, openid="o-resident-1", score=1, fixed=None, comment=None, now=NOW)
    add_rating_comment(session=session, number=case.number, openid="o-resident-1", comment="没人来修", now=NOW)
    assert session.exec(select(Rating.comment)).one() == "没人来修"
    with pytest.raises(CaseNotFound):
        add_rating_comment(session=session, number=case.number, openid="o-other", comment="x", now=NOW)
    kinds = session.exec(select(StaffNotification.kind)).all()
    assert kinds == ["callback", "callback"]


def test_handover_request_reaches_staff(session: Session) -> None:
    request_handover(session=session, openid="o-new", channel="oa", text="我要找人工", now=NOW)
    request_handover(session=session, openid="o-new", channel="oa", text="人工！", now=NOW)
    request = session.exec(select(HandoverRequest)).one()  # one open request per resident
    assert request.reason == "human" and request.state == "open" and request.resident_id is not None
    assert request.text == "我要找人工\n人工！"
