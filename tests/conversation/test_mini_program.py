"""The mini-program's chat and its report form go through the same dialogs and the same reply templates."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conversation.conftest import Resident, check_case


def test_the_form_files_as_the_chat_does_and_says_the_same(resident: Resident, mp_resident: Resident) -> None:
    resident.say("星河雅居东门路灯坏了，晚上一片黑")
    by_chat = resident.say("确认")
    turn, receipt = mp_resident.form(description="锦绣佳苑东门路灯坏了，晚上一片黑", address="锦绣佳苑东门",
                                     phone="139 1234 5678")
    assert turn.keys == by_chat.keys == ["report.filed"]
    [chat_case], [form_case] = resident.cases(), mp_resident.cases()
    assert turn.text.replace(form_case.number, "N").split("\n")[0] == \
        by_chat.text.replace(chat_case.number, "N").split("\n")[0]
    check_case(form_case, category="路灯不亮", grid="滨湖明珠第1网格", address="锦绣佳苑东门", phone="13912345678")
    assert (form_case.channel, form_case.intake_channel) == ("mp", "mini_program")
    assert receipt["category"]["minor_name"] == "路灯不亮" and receipt["location"]["source"] == "address"


def test_the_form_reads_the_description_once(mp_resident: Resident, monkeypatch: pytest.MonkeyPatch) -> None:
    nlu = mp_resident.app.services.nlu
    read: list[str] = []
    understand = nlu.understand

    def counting(text: str, *args: Any, **kwargs: Any) -> Any:
        read.append(text)
        return understand(text, *args, **kwargs)

    monkeypatch.setattr(nlu, "understand", counting)
    turn, _ = mp_resident.form(description="我要举报，康城苑3栋楼下有人私搭乱建", address="康城苑3栋",
                               confidential="true")
    assert read == ["我要举报，康城苑3栋楼下有人私搭乱建"]
    assert turn.key.startswith("report.filed")
    [case] = mp_resident.cases()
    check_case(case, category="私搭乱建", grid="黄巷第4网格", address="康城苑3栋", appeal="report")


def test_a_chosen_category_is_what_is_filed_and_a_form_is_one_report(mp_resident: Resident) -> None:
    turn, receipt = mp_resident.form(description="义城湾垃圾没人收，路灯也坏了", address="义城湾", category="0401")
    assert turn.keys[0].startswith("report.filed") and receipt["category"]["minor_name"] == "路灯不亮"
    [case] = mp_resident.cases()
    check_case(case, category="路灯不亮", grid="军区第6网格", address="义城湾")
    assert case.category_source == "resident" and "垃圾" in case.description


def test_the_mini_program_chat_walks_the_same_steps(mp_resident: Resident) -> None:
    assert mp_resident.say("路边垃圾桶满了没人倒").key in ("report.ask_location", "report.ask_road_detail")
    assert mp_resident.say("星河雅居东门").keys == ["report.location_set", "report.summary"]
    assert mp_resident.say("电话换成13800001111").keys == ["report.corrected", "report.summary"]
    assert mp_resident.say("确认").key.startswith("report.filed")
    [case] = mp_resident.cases()
    check_case(case, category="生活垃圾未清运", grid="兰亭第1网格", address="星河雅居东门", phone="13800001111")
