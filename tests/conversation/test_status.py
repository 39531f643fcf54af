"""我的工单: each case with its problem, place, state in words and date; recent closed and rejected ones
included; "2" or "第二个" picks from the list; the last step in plain words; a repeat report is no neighbour."""

from __future__ import annotations

from tests.conversation.conftest import Resident, check_case


def _staff(resident: Resident) -> dict[str, str]:
    response = resident.app.client.post("/api/staff/login", json={"name": "admin", "password": "admin123"})
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _move(resident: Resident, number: str, **step: str) -> None:
    response = resident.app.client.post(f"/api/staff/cases/{number}/transitions", json=step,
                                        headers=_staff(resident))
    assert response.status_code == 200, response.text


def test_the_list_tells_what_where_how_far_and_when_and_a_number_picks(resident: Resident) -> None:
    resident.say("御景雅居门口路灯坏了")
    resident.say("确认")
    resident.say("御景雅居东门垃圾三天没人收")
    resident.say("确认")
    resident.say("御景雅居北门有人占道摆摊")
    resident.say("确认")
    lamp, garbage, stall = resident.cases()
    check_case(lamp, category="路灯不亮", grid="雨花桥第6网格", address="御景雅居")
    check_case(garbage, category="生活垃圾未清运", grid="雨花桥第6网格", address="御景雅居东门")
    check_case(stall, category="占道经营", grid="雨花桥第6网格", address="御景雅居北门")
    _move(resident, lamp.number, to="accepted")
    _move(resident, lamp.number, to="dispatched", department="包河区城管局")
    _move(resident, stall.number, to="rejected", note="经核实为合法便民摊点")

    listed = resident.say("我的工单")
    assert listed.keys == ["status.list"]
    lines = [line for line in listed.text.splitlines() if line[:1].isdigit()]
    assert len(lines) == 3  # the rejected one is still listed
    assert "占道" in lines[0] and "（御景雅居北门）" in lines[0] and "不予受理" in lines[0] and "月" in lines[0]
    assert "路灯不亮（御景雅居）：已派遣" in lines[2]

    second = resident.say("第二个")
    assert second.keys == ["status.one"] and garbage.number in second.text and "待受理" in second.text
    third = resident.say("3")
    assert third.keys == ["status.one"] and "包河区城管局" in third.text
    assert "report.summary" not in third


def test_a_case_closed_long_ago_drops_out_but_a_recent_one_stays(resident: Resident) -> None:
    resident.say("海棠城门口井盖丢了")
    resident.say("确认")
    [case] = resident.cases()
    check_case(case, category="井盖缺失", grid="周谷堆第5网格", address="海棠城")
    for step in ({"to": "accepted"}, {"to": "dispatched", "department": "市政"}, {"to": "processing"},
                 {"to": "verifying"}, {"to": "closed", "note": "井盖已补上"}):
        _move(resident, case.number, **step)
    one = resident.say("我的工单")
    assert one.keys == ["status.one"] and "已办结" in one.text and "井盖已补上" in one.text


def test_a_resident_reporting_the_same_problem_again_is_not_his_own_neighbour(resident: Resident) -> None:
    resident.say("康城花园门口路灯不亮，晚上很黑")
    resident.say("确认")
    resident.say("康城花园门口路灯又不亮了")
    again = resident.say("确认")
    assert again.keys == ["report.filed_duplicate"]
    assert "邻居" not in again.text and "您之前已反映过" in again.text
    for case in resident.cases():
        check_case(case, category="路灯不亮", grid="黄巷第2网格", address="康城花园")


def test_status_in_the_mini_program_chat(mp_resident: Resident) -> None:
    mp_resident.say("义城湾门口垃圾没人收")
    mp_resident.say("确认")
    one = mp_resident.say("我的工单")
    assert one.keys == ["status.one"] and "最新进展：已提交，等待受理" in one.text
    [case] = mp_resident.cases()
    check_case(case, category="生活垃圾未清运", grid="军区第6网格", address="义城湾")
