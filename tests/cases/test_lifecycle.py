"""Every allowed and every forbidden transition, required fields, events and pushes."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from cases import CaseNotFound, Category, MissingField, Place, TransitionNotAllowed, transition
from cases.lifecycle import MOVES, add_note, reclassify, relocate
from cases.models import STATUS_LABELS, Case, CaseEvent, OutboxMessage
from tests.cases.conftest import NOW, PATHS, file, move_to

ALLOWED = [(start, move.to) for start, moves in MOVES.items() for move in moves]
FORBIDDEN = [(start, to) for start in STATUS_LABELS for to in STATUS_LABELS if (start, to) not in ALLOWED]
HEARD = {
    ("submitted", "accepted"),
    ("submitted", "rejected"),
    ("accepted", "dispatched"),
    ("verifying", "closed"),
    ("closed", "processing"),
}


def test_the_table_of_moves_is_the_centres_closed_loop() -> None:
    assert sorted(ALLOWED) == sorted(
        [
            ("submitted", "accepted"),
            ("submitted", "rejected"),
            ("accepted", "dispatched"),
            ("dispatched", "processing"),
            ("dispatched", "accepted"),
            ("processing", "verifying"),
            ("verifying", "closed"),
            ("verifying", "processing"),
            ("closed", "processing"),
        ]
    )
    assert len(FORBIDDEN) == 49 - 9


@pytest.mark.parametrize(("start", "to"), ALLOWED)
def test_allowed_transition_moves_records_and_pushes(session: Session, start: str, to: str) -> None:
    case = file(session).case
    move_to(session, case.number, start)
    pushes_before = len(session.exec(select(OutboxMessage)).all())
    moved = transition(
        session=session, number=case.number, to=to, actor="王芳", note="说明", department="城管中队", now=NOW
    )
    assert moved.status == to
    last = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id).desc())
    ).first()
    assert last is not None
    assert (last.kind, last.actor, last.from_status, last.to_status) == ("transition", "王芳", start, to)
    new = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()[pushes_before:]
    if (start, to) in HEARD:
        assert new[0].template_key == "status.changed"
        assert new[0].variables["status"] == to and new[0].variables["status_text"] == STATUS_LABELS[to]
        assert new[0].variables["previous_status"] == start
    else:
        assert new == []
    if to == "closed":
        assert [p.template_key for p in new] == ["status.changed", "rating.ask"]
        assert moved.closed_at is not None and moved.rating_requested_at is not None
    if start == "closed":
        assert new[0].variables["reopened"] is True and moved.closed_at is None


@pytest.mark.parametrize(("start", "to"), FORBIDDEN)
def test_forbidden_transition_names_the_allowed_ones(session: Session, start: str, to: str) -> None:
    case = file(session).case
    move_to(session, case.number, start)
    events_before = len(session.exec(select(CaseEvent)).all())
    with pytest.raises(TransitionNotAllowed) as caught:
        transition(session=session, number=case.number, to=to, actor="王芳", note="n", department="d", now=NOW)
    assert caught.value.current == start and caught.value.requested == to
    assert caught.value.allowed == [m.to for m in MOVES[start]]
    session.rollback()
    assert session.exec(select(Case.status).where(Case.id == case.id)).one() == start
    assert len(session.exec(select(CaseEvent)).all()) == events_before


@pytest.mark.parametrize(
    ("start", "to", "missing"),
    [("submitted", "rejected", "note"), ("accepted", "dispatched", "department"), ("dispatched", "accepted", "note")],
)
def test_reason_or_department_is_required(session: Session, start: str, to: str, missing: str) -> None:
    case = file(session).case
    move_to(session, case.number, start)
    with pytest.raises(MissingField) as caught:
        transition(session=session, number=case.number, to=to, actor="王芳", note="  ", department=None, now=NOW)
    assert caught.value.name == missing


def test_unknown_case_and_unknown_status(session: Session) -> None:
    with pytest.raises(CaseNotFound):
        transition(session=session, number="BH20261127-9999", to="accepted", actor="x", now=NOW)
    case = file(session).case
    with pytest.raises(TransitionNotAllowed) as caught:
        transition(session=session, number=case.number, to="archived", actor="x", now=NOW)
    assert caught.value.allowed == ["accepted", "rejected"]


def test_reclassify_relocate_and_note_land_in_the_timeline_with_the_staff_name(session: Session) -> None:
    case = file(session).case
    reclassify(
        session=session,
        number=case.number,
        category=Category(major_code="ROAD", major_name="道路交通", minor_code="ROAD-PARK", minor_name="违章停车"),
        actor="李强",
        now=NOW,
    )
    relocate(
        session=session,
        number=case.number,
        place=Place(lat=31.1, lng=121.1, address="人民路 1 号", grid_id="G-009", grid_name="人民路网格",
                    community="人民社区", street="人民街道"),
        actor="李强",
        now=NOW,
    )
    add_note(session=session, number=case.number, actor="李强", note="已电话联系居民", now=NOW)
    session.refresh(case)
    assert (case.minor_code, case.category_source, case.grid_id) == ("ROAD-PARK", "staff", "G-009")
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id))).all()
    assert [(e.kind, e.actor) for e in events[1:]] == [
        ("reclassified", "李强"),
        ("relocated", "李强"),
        ("note", "李强"),
    ]
    assert "垃圾清运" in (events[1].note or "") and "违章停车" in (events[1].note or "")


def test_paths_cover_every_status() -> None:
    assert set(PATHS) == set(STATUS_LABELS)
