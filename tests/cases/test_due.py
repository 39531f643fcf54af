"""Due times (urgent 2 h, 3 working days, per category, holidays) and the 智能提醒 reminders."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from cases import CaseRules, CategoryRule, add_reminders, due_soon, overdue
from cases.clock import CHINA, local
from cases.models import CaseEvent
from tests.cases.conftest import NOW, file, move_to


def test_working_days_skip_weekends_holidays_and_count_worked_weekends() -> None:
    rules = CaseRules()
    friday = datetime(2026, 11, 27, 9, 30, tzinfo=CHINA)
    assert local(rules.due_at(created=friday, urgent=False, minor_code="X", major_code="Y")) == friday + timedelta(
        days=5
    )
    holiday = CaseRules(holidays=frozenset({date(2026, 11, 30)}))
    assert local(holiday.due_at(created=friday, urgent=False, minor_code="X", major_code="Y")).date() == date(
        2026, 12, 3
    )
    worked_saturday = CaseRules(extra_workdays=frozenset({date(2026, 11, 28)}))
    assert local(worked_saturday.due_at(created=friday, urgent=False, minor_code="X", major_code="Y")).date() == date(
        2026, 12, 1
    )  # Saturday, Monday, Tuesday
    assert rules.due_at(created=friday, urgent=True, minor_code="X", major_code="Y") == friday + timedelta(hours=2)


def test_per_category_rules_by_minor_then_major_code() -> None:
    rules = CaseRules(per_category={"ENV-GARBAGE": CategoryRule(working_days=1), "ENV": CategoryRule(urgent_hours=1)})
    friday = datetime(2026, 11, 27, 9, 30, tzinfo=CHINA)
    assert local(rules.due_at(created=friday, urgent=False, minor_code="ENV-GARBAGE", major_code="ENV")).day == 30
    assert rules.due_at(created=friday, urgent=True, minor_code="ENV-OTHER", major_code="ENV") == friday + timedelta(
        hours=1
    )


def test_overdue_and_due_soon_lists_and_reminders_once_each(session: Session) -> None:
    urgent = file(session, urgent=True, description="井盖丢了很危险").case  # due NOW + 2 h
    ordinary = file(session, description="路灯坏了", lat=31.3, lng=121.5).case  # due NOW + 5 days
    closed = file(session, urgent=True, description="树倒了挡路", lat=31.31, lng=121.51).case
    move_to(session, closed.number, "closed")

    assert [c.number for c in due_soon(session, NOW)] == [urgent.number]
    assert overdue(session, NOW) == []
    later = NOW + timedelta(hours=3)
    assert [c.number for c in overdue(session, later)] == [urgent.number]

    first = add_reminders(session, NOW)
    assert [(e.case_id, "到期" in (e.note or "")) for e in first] == [(urgent.id, True)]
    assert add_reminders(session, NOW + timedelta(minutes=5)) == []
    second = add_reminders(session, later)
    assert [(e.case_id, "超期" in (e.note or "")) for e in second] == [(urgent.id, True)]
    assert add_reminders(session, later + timedelta(hours=1)) == []
    near_due = add_reminders(session, NOW + timedelta(days=4, hours=12))
    assert [e.case_id for e in near_due] == [ordinary.id]
    kinds = session.exec(select(CaseEvent.kind).where(CaseEvent.case_id == closed.id)).all()
    assert "reminder" not in kinds
