"""Fewer turns: a one-message report with a place is two turns to a case number; everything read back."""

from __future__ import annotations

from tests.conversation.conftest import Resident, check_case


def test_one_message_with_a_place_is_two_turns_to_a_case_number(resident: Resident) -> None:
    first = resident.say("星河雅居5栋门口的路灯坏了，晚上一片黑")
    assert first.keys == ["report.summary"]
    for words in ("星河雅居5栋", "路灯", "路灯不亮", "照片 0 张", "未留", "保密"):
        assert words in first.text, words
    filed = resident.say("确认")
    assert filed.keys == ["report.filed"]
    assert filed.text.count("谢谢") == 1 and "受理" not in filed.text
    [case] = resident.cases()
    assert case.number in filed.text
    check_case(case, category="路灯不亮", grid="兰亭第1网格", address="星河雅居5栋门口")


def test_the_phone_comes_from_the_profile_masked_and_confidentiality_is_one_word(resident: Resident) -> None:
    resident.say("星河雅居门口垃圾三天没人收 电话13912345678")
    resident.say("确认")
    summary = resident.say("星河雅居东门路灯不亮")
    assert summary.keys == ["report.summary"]
    assert "139****5678" in summary.text and "13912345678" not in summary.text
    toggled = resident.say("保密")
    assert toggled.keys == ["report.summary"] and "身份保密" in toggled.text
    assert resident.say("确认").key.startswith("report.filed")
    first, second = resident.cases()
    check_case(first, category="生活垃圾未清运", grid="兰亭第1网格", address="星河雅居", phone="13912345678")
    check_case(second, category="路灯不亮", grid="兰亭第1网格", address="星河雅居东门", phone="13912345678")


def test_the_summary_reads_back_photos_and_the_filed_push_does_not_claim_acceptance(resident: Resident) -> None:
    resident.photo()
    resident.say("星河雅居门口井盖丢了")
    summary = resident.log[-1][1]
    assert "照片 1 张" in summary.text and "井盖" in summary.text
    assert resident.say("确认").key.startswith("report.filed")
    [case] = resident.cases()
    check_case(case, category="井盖缺失", grid="兰亭第1网格", address="星河雅居")
    rendered = resident.app.services.templates
    push = rendered.render("report.filed_push", number="BH1", category="井盖缺失", grid_name="兰亭第1网格",
                           time="2026-12-03 08:00")
    assert "受理" not in push


def test_two_turns_in_the_mini_program_chat_as_well(mp_resident: Resident) -> None:
    assert mp_resident.say("星河雅居3号楼2单元楼道灯坏了").keys == ["report.summary"]
    assert mp_resident.say("确认").keys == ["report.filed"]
    [case] = mp_resident.cases()
    assert case.channel == "mp"
    check_case(case, category="公共部位维修", grid="兰亭第1网格", address="星河雅居3号楼2单元")
