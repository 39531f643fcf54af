"""Danger first, at every turn: the emergency line at once, and the report filed as urgent right away."""

from __future__ import annotations

import pytest

from tests.conversation.conftest import Resident, check_case


def test_a_danger_word_mid_report_gets_the_emergency_line_and_an_urgent_case(resident: Resident) -> None:
    resident.say("星河雅居3栋楼道灯坏了好几天")
    turn = resident.say("有人煤气泄漏了")
    assert turn.keys[0] == "report.urgent" and "119" in turn.text.splitlines()[0]
    assert "report.urgent_filed" in turn and "report.not_understood_confirm" not in turn
    [case] = resident.cases()
    check_case(case, category="燃气泄漏", grid="兰亭第1网格", address="星河雅居3栋", urgent=True)
    assert case.description.startswith("有人煤气泄漏了")


def test_danger_at_the_location_step_asks_only_for_the_place_then_files(resident: Resident) -> None:
    first = resident.say("路边电线杆歪了")
    assert "report.ask_location" in first or "report.ask_road_detail" in first
    turn = resident.say("着火了")
    assert turn.keys[0] == "report.urgent" and "119" in turn.text
    assert turn.key == "report.ask_location" and "location_not_found" not in " ".join(turn.keys)
    assert resident.cases() == []
    filed = resident.say("星河雅居东门")
    assert filed.key == "report.urgent_filed"
    [case] = resident.cases()
    check_case(case, category="火灾", grid="兰亭第1网格", address="星河雅居东门", urgent=True)


@pytest.mark.parametrize(("words", "hotline", "category"), [("有人被困在电梯里出不来", "119", "电梯故障"),
                                                            ("有人掉河里了快来人", "110", "河道管理"),
                                                            ("楼道里电线冒火花", "119", "电力设施隐患")])
def test_the_first_message_names_the_right_number_and_files_at_once(resident: Resident, words: str,
                                                                    hotline: str, category: str) -> None:
    turn = resident.say(f"星河雅居{words}")
    assert turn.keys == ["report.urgent", "report.urgent_filed"]
    assert hotline in turn.text.splitlines()[0]
    [case] = resident.cases()
    check_case(case, category=category, grid="兰亭第1网格", address="星河雅居", urgent=True)


def test_danger_at_the_summary_and_by_voice_is_never_not_understood(resident: Resident) -> None:
    summary = resident.say("星河雅居门口垃圾堆了三天没人收")
    assert summary.key == "report.summary"
    turn = resident.voice("垃圾堆那里着火了")
    assert turn.keys == ["report.urgent", "report.urgent_filed"]
    [case] = resident.cases()
    assert "着火" in case.description and "垃圾" in case.description
    check_case(case, category="生活垃圾未清运", grid="兰亭第1网格", address="星河雅居", urgent=True)


def test_danger_in_the_mini_program_chat_too(mp_resident: Resident) -> None:
    turn = mp_resident.say("星河雅居楼下有很大的煤气味，好像漏气了")
    assert turn.keys == ["report.urgent", "report.urgent_filed"] and "119" in turn.text
    [case] = mp_resident.cases()
    assert case.channel == "mp"
    check_case(case, category="燃气泄漏", grid="兰亭第1网格", address="星河雅居", urgent=True)


def test_staff_see_the_urgent_case_on_top(resident: Resident) -> None:
    resident.say("星河雅居楼道里有人晕倒了，叫不醒")
    later = Resident(resident.app, resident.openid + "-b")
    later.say("义城湾门口垃圾没人收")
    later.say("确认")
    client = resident.app.client
    token = client.post("/api/staff/login", json={"name": "admin", "password": "admin123"}).json()
    listed = client.get("/api/staff/cases", headers={"Authorization": f"Bearer {token['access_token']}"}).json()
    rows = listed["items"] if isinstance(listed, dict) else listed
    assert rows[0]["urgent"] is True and not rows[-1]["urgent"]


def test_the_mini_program_form_gets_the_chats_emergency_line(mp_resident: Resident) -> None:
    turn, receipt = mp_resident.form(description="楼道里有很大的煤气味，好像漏气了", address="康城苑3栋")
    assert receipt["urgent"] is True and "119" in receipt["emergency_hint"] and "燃气" in receipt["emergency_hint"]
    assert turn.keys == ["report.urgent", "report.urgent_filed"]  # the chat's own answers
    assert receipt["messages"][0] == receipt["emergency_hint"] and receipt["number"] in receipt["messages"][1]
    [case] = mp_resident.cases()
    check_case(case, category="燃气泄漏", grid="黄巷第4网格", address="康城苑3栋", urgent=True)
