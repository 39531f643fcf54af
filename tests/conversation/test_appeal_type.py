"""The appeal type (诉求类型) is read from what the resident wrote and filed with the case, whatever the path."""

from __future__ import annotations

from tests.conversation.conftest import Resident, check_case


def test_a_tip_off_is_filed_as_one(resident: Resident) -> None:
    assert resident.say("我要举报，星河雅居门口有人偷倒建筑垃圾").keys == ["report.summary"]
    assert resident.say("确认").key.startswith("report.filed")
    [case] = resident.cases()
    check_case(case, category="建筑垃圾乱倒", grid="兰亭第1网格", address="星河雅居", appeal="report")


def test_more_words_at_the_summary_are_read_again(resident: Resident) -> None:
    resident.say("星河雅居门口路灯坏了")
    assert resident.say("希望能在星河雅居门口增设一排路灯，建议尽快安装").keys == ["report.summary"]
    assert resident.say("确认").key.startswith("report.filed")
    [case] = resident.cases()
    check_case(case, category="路灯不亮", grid="兰亭第1网格", address="星河雅居", appeal="suggestion")


def test_a_question_in_the_mini_program_chat_is_filed_as_one(mp_resident: Resident) -> None:
    assert mp_resident.say("请问星河雅居的垃圾什么时候清运").keys == ["report.summary"]
    assert mp_resident.say("确认").key.startswith("report.filed")
    [case] = mp_resident.cases()
    assert case.channel == "mp"
    check_case(case, category="生活垃圾未清运", grid="兰亭第1网格", address="星河雅居", appeal="consult")
