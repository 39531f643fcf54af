from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from cases import CaseRules, InvalidDraft, StoredPhoto, file_case
from cases.models import Case, CaseEvent, OutboxMessage, Photo, Resident
from tests.cases.conftest import NOW, file, make_draft


def test_filing_stores_case_first_event_and_filed_push(session: Session) -> None:
    filed = file(session, phone="13812345678", urgent=False)
    case = filed.case
    assert case.number == "BH20261127-0001"
    assert case.status == "submitted"
    assert (filed.cluster_size, filed.joined_existing, filed.repeat_reporter) == (1, False, False)
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [(e.kind, e.to_status) for e in events] == [("filed", "submitted")]
    push = session.exec(select(OutboxMessage)).one()
    assert push.template_key == "report.filed_push"
    assert push.recipient_openid == "o-resident-1" and push.channel == "oa"
    assert push.variables["number"] == case.number
    assert push.variables["status_text"] == "待受理"
    assert push.state == "pending"
    resident = session.exec(select(Resident)).one()
    assert resident.phone == "13812345678"


def test_numbers_follow_the_beijing_day_and_restart_each_day(session: Session) -> None:
    assert file(session).case.number == "BH20261127-0001"
    assert file(session).case.number == "BH20261127-0002"
    # 16:30 UTC is 00:30 the next day in Beijing
    late = NOW.replace(hour=16, minute=30)
    assert file(session, now=late, description="路灯不亮").case.number == "BH20261128-0001"


def test_a_rolled_back_filing_leaves_no_gap(session: Session) -> None:
    file_case(session=session, draft=make_draft(), now=NOW, thresholds=CaseRules(), commit=False)
    session.rollback()
    assert file(session).case.number == "BH20261127-0001"
    assert len(session.exec(select(Case)).all()) == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": "   "}, "description"),
        ({"grid_id": None}, "grid_id"),
        ({"minor_code": None}, "category"),
        ({"major_code": ""}, "category"),
        ({"lat": None}, "location"),
        ({"lat": 95.0}, "location"),
    ],
)
def test_invalid_drafts_are_refused_and_nothing_is_stored(
    session: Session, overrides: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidDraft) as caught:
        file(session, **overrides)
    assert caught.value.field == field
    assert session.exec(select(Case)).all() == []


def test_a_description_of_any_length_is_kept_whole(session: Session) -> None:
    description = "楼下垃圾三天没人收了，" * 1000  # 10,000 characters
    case = file(session, description=description).case
    assert session.get(Case, case.id).description == description  # type: ignore[union-attr]


def test_photos_are_attached_to_the_case(session: Session) -> None:
    photo = StoredPhoto(
        sha256="a" * 64, bytes=1234, content_type="image/jpeg", width=640, height=480, path="aa/" + "a" * 64 + ".jpg"
    )
    case = file(session, photos=[photo]).case
    stored = session.exec(select(Photo).where(Photo.case_id == case.id)).one()
    assert (stored.sha256, stored.bytes, stored.width, stored.height) == (photo.sha256, 1234, 640, 480)


def test_due_time_urgent_two_hours_ordinary_three_working_days(session: Session) -> None:
    urgent = file(session, urgent=True).case
    assert urgent.due_at == NOW + timedelta(hours=2)
    ordinary = file(session, description="路灯坏了").case  # Friday 09:30 → Wednesday 09:30
    assert ordinary.due_at == NOW + timedelta(days=5)


def test_same_resident_on_two_channels_is_two_residents(session: Session) -> None:
    file(session, channel="oa")
    file(session, channel="mp", description="另一件事：路灯坏了")
    assert len(session.exec(select(Resident)).all()) == 2


def test_parallel_filing_numbers_are_unique_and_gap_free(engine: Engine) -> None:
    """Threads file at once: on PostgreSQL the day's counter row lock orders them; SQLite has one writer."""
    threads, per_thread = 8, 6
    errors: list[BaseException] = []
    start = threading.Barrier(threads)

    def worker(index: int) -> None:
        try:
            start.wait()
            for k in range(per_thread):
                with Session(engine, expire_on_commit=False) as session:
                    file_case(
                        session=session,
                        draft=make_draft(openid=f"o-par-{index}", description=f"第{index}号居民第{k}件事"),
                        now=NOW,
                        thresholds=CaseRules(),
                    )
        except BaseException as exc:  # reported after join
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    with Session(engine) as session:
        numbers = session.exec(select(Case.number).order_by(col(Case.number))).all()
    expected = [f"BH20261127-{n:04d}" for n in range(1, threads * per_thread + 1)]
    assert list(numbers) == expected
