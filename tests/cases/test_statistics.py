"""Statistics for a date range: counts and rates per department, street and grid, and the daily trend."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from cases import AppealType, IntakeChannel, rate, transition
from cases.ratings import mark_called_back
from cases.statistics import compute, month_range, table
from tests.cases.conftest import FAR, NOW, file, move_to


def test_a_range_counts_received_closed_on_time_satisfied_revisited_and_reopened(session: Session) -> None:
    day = NOW.date()  # 2026-11-27 (local too: 09:30 in Beijing)
    late = file(session, openid="o-c", now=NOW - timedelta(days=10)).case  # filed before the range
    first = file(session, openid="o-a").case
    second = file(session, openid="o-b", street="望湖街道", description="路灯不亮了好几天", lat=FAR[0],
                  lng=FAR[1]).case
    move_to(session, first.number, "closed", now=NOW)
    rate(session=session, number=first.number, openid="o-a", score=5, fixed=None, comment=None, now=NOW)
    move_to(session, late.number, "closed", now=NOW + timedelta(hours=2))  # closed in the range, overdue
    rate(session=session, number=late.number, openid="o-c", score=1, fixed=None, comment=None, now=NOW)
    mark_called_back(session=session, number=late.number, actor="王芳", note="已回电", now=NOW)
    transition(session=session, number=late.number, to="processing", actor="王芳", note="重新办理", now=NOW)
    move_to(session, second.number, "accepted", now=NOW)

    stats = compute(session, since=day, until=day + timedelta(days=1), grouping="department")
    total = stats.total
    assert (total.received, total.closed, total.reopened) == (2, 1, 1)  # the reopened one is no longer closed
    assert total.on_time_rate == 1.0 and total.satisfaction_rate == 0.5 and total.revisit_rate == 1.0
    assert total.reopen_rate == 1.0
    groups = {row.group: row for row in stats.rows}
    assert groups["城管中队"].closed == 1 and groups["未派遣"].received == 1
    assert stats.trend == [(day, 2, 1)]

    by_street = compute(session, since=day, until=day + timedelta(days=1), grouping="street")
    assert {row.group: row.received for row in by_street.rows} == {"湖滨街道": 1, "望湖街道": 1}
    rows = list(table(by_street))
    assert rows[0] == ["街道", "受理量", "办结量", "按时办结率", "满意率", "回访率", "重办率"]
    assert rows[-1][0] == "合计"


def test_a_range_counts_per_appeal_type(session: Session) -> None:
    day = NOW.date()
    file(session, openid="o-a", appeal_type=AppealType.REPORT)
    file(session, openid="o-b", appeal_type=AppealType.REPORT, description="有人偷倒建筑垃圾", lat=FAR[0], lng=FAR[1])
    file(session, openid="o-c", appeal_type=AppealType.SUGGESTION, description="建议增设路灯", minor_code="LAMP")
    file(session, openid="o-d", description="井盖丢了", minor_code="COVER")  # filed without an appeal type
    stats = compute(session, since=day, until=day + timedelta(days=1), grouping="appeal")
    assert [(row.group, row.received) for row in stats.rows] == [("举报", 2), ("建议", 1), ("未注明", 1)]
    assert next(table(stats))[0] == "诉求类型"


def test_an_empty_range_has_no_rates_and_bad_ranges_are_refused(session: Session) -> None:
    empty = compute(session, since=date(2026, 1, 1), until=date(2026, 1, 8))
    assert empty.rows == [] and empty.total.on_time_rate is None and len(empty.trend) == 7
    with pytest.raises(ValueError):
        compute(session, since=date(2026, 1, 8), until=date(2026, 1, 1))
    with pytest.raises(ValueError):
        compute(session, since=date(2026, 1, 1), until=date(2026, 1, 8), grouping="colour")
    assert month_range("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))


def test_cases_are_counted_per_intake_channel_by_its_chinese_name(session: Session) -> None:
    day = NOW.date()
    file(session, openid="o-a")
    file(session, openid="o-b", channel="mp", description="路灯不亮了好几天")
    hotline = file(session, openid="", channel="ext", intake_channel=IntakeChannel.HOTLINE,
                   description="小区东门路灯不亮").case
    move_to(session, hotline.number, "closed", now=NOW)
    stats = compute(session, since=day, until=day + timedelta(days=1), grouping="channel")
    assert {row.group: (row.received, row.closed) for row in stats.rows} == {
        "微信公众号": (1, 0), "微信小程序": (1, 0), "12345热线": (1, 1)}
    assert next(iter(table(stats)))[0] == "来源渠道"
