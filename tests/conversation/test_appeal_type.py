"""The appeal type (诉求类型) is read from what the resident wrote and filed with the case, whatever the path."""

from __future__ import annotations

from tests.conversation.conftest import Resident


def test_a_tip_off_is_filed_as_one(resident: Resident) -> None:
    assert resident.say("我要举报，星河雅居门口有人偷倒建筑垃圾").keys == ["report.summary"]
    assert resident.say("确认").keys == ["report.filed"]
    [case] = resident.cases()
    assert (case.appeal_type, case.minor_name, case.address) == ("report", "建筑垃圾乱倒", "星河雅居")


def test_a_corrected_description_is_read_again(resident: Resident) -> None:
    resident.say("星河雅居门口路灯坏了")
    corrected = resident.say("问题改成：建议把星河雅居门口坏了的路灯换成新的")
    assert corrected.keys == ["report.corrected", "report.summary"]
    resident.say("确认")
    [case] = resident.cases()
    assert (case.appeal_type, case.description) == ("suggestion", "建议把星河雅居门口坏了的路灯换成新的")


def test_each_of_several_problems_has_its_own(resident: Resident) -> None:
    offer = resident.say("星河雅居门口路灯坏了，另外有人在小区里私搭乱建")
    assert offer.keys == ["report.summary"] and "私搭乱建" in offer.text
    assert resident.say("确认").keys == ["report.filed_several"]
    assert {(case.minor_name, case.appeal_type) for case in resident.cases()} == {
        ("路灯不亮", "complaint"), ("私搭乱建", "report")}


def test_a_question_in_the_mini_program_chat_is_filed_as_one(mp_resident: Resident) -> None:
    mp_resident.say("请问星河雅居的垃圾什么时候清运")
    assert mp_resident.say("确认").keys == ["report.filed"]
    [case] = mp_resident.cases()
    assert (case.appeal_type, case.channel) == ("consult", "mp")
