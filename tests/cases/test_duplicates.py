"""多人一诉 (clusters of neighbours' reports) and 一人多诉 (repeat reporters)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from cases import CaseRules, transition
from cases.attention import clusters, repeat_reporters
from cases.models import CaseEvent, OutboxMessage
from tests.cases.conftest import FAR, NEAR, NOW, file, move_to


def test_a_neighbour_reporting_the_same_problem_joins_the_cluster(session: Session) -> None:
    first = file(session, openid="o-a").case
    second = file(session, openid="o-b", description="门口的垃圾好几天没人清理了", lat=NEAR[0], lng=NEAR[1])
    assert second.joined_existing
    assert second.cluster_size == 2 and second.neighbours == 1
    assert first.cluster_id == first.id and second.case.cluster_id == first.id
    third = file(session, openid="o-c", description="小区门口垃圾没人收", lat=NEAR[0], lng=NEAR[1])
    assert third.cluster_size == 3 and third.neighbours == 2
    push = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == third.case.id)).one()
    assert push.variables["joined"] is True and push.variables["neighbours"] == 2
    notes = session.exec(select(CaseEvent.note).where(CaseEvent.case_id == first.id)).all()
    assert any(third.case.number in (note or "") for note in notes)
    [cluster] = clusters(session)
    assert cluster.first.number == first.number and len(cluster.members) == 3 and cluster.residents == 3


def test_far_away_other_category_dissimilar_or_old_cases_do_not_cluster(session: Session) -> None:
    file(session, openid="o-a")
    assert not file(session, openid="o-b", lat=FAR[0], lng=FAR[1]).joined_existing
    assert not file(session, openid="o-c", minor_code="ENV-OTHER").joined_existing
    assert not file(session, openid="o-d", description="路灯坏了晚上很黑").joined_existing
    assert not file(session, openid="o-e", now=NOW + timedelta(days=8)).joined_existing


def test_closed_case_is_not_joined(session: Session) -> None:
    base = file(session, openid="o-a").case
    move_to(session, base.number, "closed")
    assert not file(session, openid="o-b", lat=NEAR[0], lng=NEAR[1]).joined_existing


def test_thresholds_are_configurable(session: Session) -> None:
    file(session, openid="o-a")
    wide = CaseRules(duplicate_radius_m=5000)
    assert file(session, openid="o-b", lat=FAR[0], lng=FAR[1], rules=wide).joined_existing


def test_third_case_on_one_topic_within_30_days_flags_the_resident(session: Session) -> None:
    places = [(31.20, 121.40), (31.21, 121.41), (31.22, 121.42)]  # far apart: no clusters
    first = file(session, lat=places[0][0], lng=places[0][1])
    second = file(session, lat=places[1][0], lng=places[1][1], now=NOW + timedelta(days=10))
    third = file(session, lat=places[2][0], lng=places[2][1], now=NOW + timedelta(days=20))
    assert (first.repeat_reporter, second.repeat_reporter, third.repeat_reporter) == (False, False, True)
    assert not file(session, description="路灯坏了", minor_code="LIGHT", now=NOW + timedelta(days=21)).repeat_reporter
    [flag] = repeat_reporters(session, NOW + timedelta(days=21))
    assert flag.resident.openid == "o-resident-1" and flag.count == 3 and flag.minor_code == "ENV-GARBAGE"
    # 40 days on, the first two have left the window
    assert repeat_reporters(session, NOW + timedelta(days=45)) == []


def test_transition_of_the_first_case_carries_the_cluster_and_tells_every_resident(session: Session) -> None:
    first = file(session, openid="o-a").case
    member = file(session, openid="o-b", description="门口的垃圾好几天没人清理了", lat=NEAR[0], lng=NEAR[1]).case
    move_to(session, first.number, "dispatched")
    session.refresh(member)
    assert member.status == "dispatched" and member.department == "城管中队"
    pushes = session.exec(
        select(OutboxMessage.recipient_openid, OutboxMessage.variables).where(
            OutboxMessage.template_key == "status.changed"
        )
    ).all()
    told = sorted((openid, variables["number"], variables["status"]) for openid, variables in pushes)
    assert told == [
        ("o-a", first.number, "accepted"),
        ("o-a", first.number, "dispatched"),
        ("o-b", member.number, "accepted"),
        ("o-b", member.number, "dispatched"),
    ]


def test_a_late_joiner_takes_the_clusters_status_and_follows_it(session: Session) -> None:
    first = file(session, openid="o-a").case
    move_to(session, first.number, "dispatched")
    late = file(session, openid="o-b", description="门口的垃圾好几天没人清理了", lat=NEAR[0], lng=NEAR[1]).case
    assert (late.status, late.department) == ("dispatched", "城管中队")
    push = session.exec(select(OutboxMessage).where(OutboxMessage.case_id == late.id)).one()
    assert push.variables["status_text"] == "已派遣" and push.variables["joined"] is True
    for step in ("processing", "verifying", "closed"):
        transition(session=session, number=first.number, to=step, actor="王芳", now=NOW)
    session.refresh(late)
    assert late.status == "closed" and late.rating_requested_at is not None
    asks = session.exec(select(OutboxMessage.recipient_openid).where(OutboxMessage.template_key == "rating.ask")).all()
    assert sorted(asks) == ["o-a", "o-b"]
