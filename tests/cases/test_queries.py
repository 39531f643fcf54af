from __future__ import annotations

from sqlmodel import Session

from cases import cases_of_resident, get_case_for_resident
from cases.search import CaseFilter, search_cases
from nlu import extract_case_number
from tests.cases.conftest import NOW, file, move_to


def test_resident_sees_own_cases_only(session: Session) -> None:
    mine = file(session, openid="o-me").case
    done = file(session, openid="o-me", description="路灯坏了", lat=31.3, lng=121.5).case
    move_to(session, done.number, "closed")
    theirs = file(session, openid="o-them", description="井盖丢了", lat=31.4, lng=121.6).case
    assert [c.number for c in cases_of_resident(session, "o-me", open_only=False)] == [done.number, mine.number]
    assert [c.number for c in cases_of_resident(session, "o-me", open_only=True)] == [mine.number]
    assert get_case_for_resident(session, "o-me", mine.number) is not None
    typed = extract_case_number(mine.number.lower())  # what a resident types, read by the one parser
    assert typed is not None and get_case_for_resident(session, "o-me", typed) is not None
    assert get_case_for_resident(session, "o-me", theirs.number) is None


def test_staff_search_filters_and_pages(session: Session) -> None:
    for i in range(5):
        file(session, openid=f"o-{i}", description=f"第{i}处路灯坏了", minor_code="LIGHT", lat=31 + i / 10, lng=121.0)
    file(session, openid="o-x", grid_id="G-XYZ", street="北街道", urgent=True)
    rows, total = search_cases(session, CaseFilter(category="LIGHT"), now=NOW, offset=0, limit=2)
    assert total == 5 and len(rows) == 2
    rows, total = search_cases(session, CaseFilter(street="北街道", urgent=True), now=NOW)
    assert total == 1 and rows[0][1].openid == "o-x"
    assert search_cases(session, CaseFilter(openid="o-3"), now=NOW)[1] == 1
    assert search_cases(session, CaseFilter(text="第2处"), now=NOW)[1] == 1
    assert search_cases(session, CaseFilter(status="closed"), now=NOW)[1] == 0
