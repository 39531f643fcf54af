"""Clarify before classifying; several problems in one message become several cases, one confirmation."""

from __future__ import annotations

from tests.conversation.conftest import Resident, check_case


def test_a_vague_message_is_asked_what_the_problem_is(resident: Resident) -> None:
    turn = resident.say("这边有点问题")
    assert turn.keys == ["report.ask_what"] and "什么问题" in turn.text
    assert "民政服务" not in turn.text
    answer = resident.say("垃圾没人收")
    assert answer.key == "report.ask_location"
    assert resident.say("星河雅居").key == "report.summary"
    assert resident.say("确认").key.startswith("report.filed")
    [case] = resident.cases()
    check_case(case, category="生活垃圾未清运", grid="兰亭第1网格", address="星河雅居")
    assert case.description == "垃圾没人收"


def test_category_choices_are_problems_in_plain_words_and_the_pick_is_what_is_filed(resident: Resident) -> None:
    turn = resident.say("星河雅居门口这块一直没人管，大家意见很大")
    if "report.ask_what" in turn:
        turn = resident.say("门口那块坏了很久了")
    assert turn.key == "report.category_choices", turn.keys
    lines = [line for line in turn.text.splitlines() if line[:1].isdigit()]
    assert len(lines) >= 2 and lines[-1].endswith("其他（由工作人员帮您归类）")
    picked_name = lines[0].split(". ", 1)[1]
    summary = resident.say("1")
    assert summary.key == "report.summary" and picked_name in summary.text
    assert resident.say("确认").key.startswith("report.filed")
    [case] = resident.cases()
    check_case(case, category=picked_name, grid="兰亭第1网格", address="星河雅居")
    assert case.category_source == "resident" and case.minor_code.startswith(case.major_code)


def test_three_problems_become_three_cases_with_one_confirmation(resident: Resident) -> None:
    turn = resident.say("星河雅居垃圾没人收，路灯也坏了，还有井盖丢了")
    assert turn.keys == ["report.summary"] and "3 个问题" in turn.text
    filed = resident.say("确认")
    assert filed.keys == ["report.filed_several"]
    cases = resident.cases()
    assert [c.minor_name for c in cases] == ["生活垃圾未清运", "路灯不亮", "井盖缺失"]
    assert all(c.number in filed.text for c in cases)
    assert [c.description for c in cases] == ["星河雅居垃圾没人收", "路灯也坏了", "井盖丢了"]
    for case, category in zip(cases, ("生活垃圾未清运", "路灯不亮", "井盖缺失"), strict=True):
        check_case(case, category=category, grid="兰亭第1网格", address="星河雅居")


def test_each_of_several_problems_keeps_its_own_appeal_type(resident: Resident) -> None:
    offer = resident.say("星河雅居门口路灯坏了，另外有人在小区里私搭乱建")
    assert offer.keys == ["report.summary"] and "2 个问题" in offer.text
    assert resident.say("确认").keys == ["report.filed_several"]
    lamp, building = resident.cases()
    check_case(lamp, category="路灯不亮", grid="兰亭第1网格", address="星河雅居")
    check_case(building, category="私搭乱建", grid="兰亭第1网格", address="星河雅居", appeal="report")


def test_several_problems_may_be_merged_into_one(resident: Resident) -> None:
    resident.say("松风城垃圾没人收，路灯也坏了")
    merged = resident.say("合并")
    assert merged.keys == ["report.summary"] and "个问题" not in merged.text
    assert resident.say("确认").keys == ["report.filed"]
    [case] = resident.cases()
    check_case(case, category="生活垃圾未清运", grid="小葛郢第3网格", address="松风城")
    assert "路灯" in case.description


def test_one_problem_told_in_several_clauses_stays_one(resident: Resident) -> None:
    turn = resident.say("龙湖新村北门有个井盖不见了，很危险，晚上看不见")
    assert turn.keys == ["report.summary"] and "个问题" not in turn.text
    assert resident.say("确认").keys == ["report.filed"]
    [case] = resident.cases()
    check_case(case, category="井盖缺失", grid="炳辉第7网格", address="龙湖新村北门")
