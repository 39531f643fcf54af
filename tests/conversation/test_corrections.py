"""Corrections in the resident's own words, at any step; 修改 at the summary offers the slots by number."""

from __future__ import annotations

from sqlmodel import Session, select

from cases.models import Photo
from tests.conversation.conftest import Resident, check_case


def test_place_changed_at_the_summary(resident: Resident) -> None:
    assert resident.say("星河雅居门口路灯坏了").key == "report.summary"
    turn = resident.say("地点改成锦绣佳苑")
    assert turn.keys == ["report.corrected", "report.summary"] and "锦绣佳苑" in turn.text
    resident.say("确认")
    [case] = resident.cases()
    check_case(case, category="路灯不亮", grid="滨湖明珠第1网格", address="锦绣佳苑")
    assert case.description == "锦绣佳苑门口路灯坏了"  # the old place no longer contradicts the new one


def test_phone_changed_and_a_bare_phone_at_the_category_question(resident: Resident) -> None:
    resident.say("星河雅居门口路灯坏了 电话13912345678")
    turn = resident.say("电话换成13800001111")
    assert turn.keys == ["report.corrected", "report.summary"]
    assert "138****1111" in turn.text and "13800001111" not in turn.text
    resident.say("确认")
    [case] = resident.cases()
    check_case(case, category="路灯不亮", grid="兰亭第1网格", address="星河雅居", phone="13800001111")
    assert "1380000" not in case.description


def test_a_phone_typed_while_asked_something_else_is_a_phone_not_a_description(resident: Resident) -> None:
    asked = resident.say("路边垃圾桶满了没人倒")
    assert asked.key in ("report.ask_location", "report.ask_road_detail")
    turn = resident.say("13912345678")
    assert turn.keys == ["report.corrected", "report.ask_location"]
    resident.say("星河雅居")
    resident.say("确认")
    [case] = resident.cases()
    check_case(case, category="生活垃圾未清运", grid="兰亭第1网格", address="星河雅居", phone="13912345678")
    assert "139" not in case.description


def test_not_this_but_that_changes_the_problem_and_its_category(resident: Resident) -> None:
    assert resident.say("星河雅居门口路灯坏了").key == "report.summary"
    turn = resident.say("不是路灯是井盖")
    assert turn.keys == ["report.corrected", "report.summary"] and "井盖" in turn.text
    resident.say("确认")
    [case] = resident.cases()
    assert "井盖" in case.description and "路灯" not in case.description
    check_case(case, category="井盖破损松动", grid="兰亭第1网格", address="星河雅居")


def test_wrong_photos_are_dropped(resident: Resident) -> None:
    resident.photo()
    resident.photo("blue")
    resident.say("星河雅居门口路灯坏了")
    turn = resident.say("照片发错了")
    assert turn.keys == ["report.photos_cleared", "report.summary"] and "2 张" in turn.text
    assert resident.say("确认").key.startswith("report.filed")
    [case] = resident.cases()
    check_case(case, category="路灯不亮", grid="兰亭第1网格", address="星河雅居")
    with Session(resident.app.services.engine) as session:
        assert session.exec(select(Photo).where(Photo.case_id == case.id)).all() == []


def test_edit_at_the_summary_offers_the_slots_by_number(resident: Resident) -> None:
    resident.say("星河雅居门口路灯坏了")
    menu = resident.say("修改")
    assert menu.key == "report.edit_choices"
    assert all(word in menu.text for word in ("1. 问题描述", "2. 地点", "3. 类别", "4. 电话", "5. 照片"))
    assert resident.say("2").key == "report.ask_location"
    back = resident.say("锦绣佳苑2栋")
    assert back.keys == ["report.location_set", "report.summary"]
    assert resident.say("修改").key == "report.edit_choices"
    assert resident.say("4").key == "report.ask_phone"
    assert resident.say("13912345678").key == "report.summary"
    resident.say("确认")
    [case] = resident.cases()
    check_case(case, category="路灯不亮", grid="滨湖明珠第1网格", address="锦绣佳苑2栋", phone="13912345678")


def test_a_place_corrected_in_the_mini_program_chat(mp_resident: Resident) -> None:
    mp_resident.say("星河雅居门口路灯坏了")
    turn = mp_resident.say("不对，是锦绣佳苑")
    assert turn.keys == ["report.corrected", "report.summary"]
    assert mp_resident.say("确认").key.startswith("report.filed")
    [case] = mp_resident.cases()
    check_case(case, category="路灯不亮", grid="滨湖明珠第1网格", address="锦绣佳苑")


def test_a_corrected_description_is_classified_again_with_its_appeal_type(resident: Resident) -> None:
    resident.say("星河雅居门口路灯坏了")
    corrected = resident.say("问题改成：建议把星河雅居门口坏了的路灯换成新的")
    assert corrected.keys == ["report.corrected", "report.summary"]
    assert resident.say("确认").key.startswith("report.filed")
    [case] = resident.cases()
    check_case(case, category="路灯不亮", grid="兰亭第1网格", address="星河雅居", appeal="suggestion")
    assert case.description == "建议把星河雅居门口坏了的路灯换成新的"
