"""Places residents name: crossroads, parts of a road, buildings and gates; a pin by its nearest place."""

from __future__ import annotations

from tests.conversation.conftest import Resident, Turn, check_case


def finish(resident: Resident, turn: Turn) -> Turn:
    """Answer whatever is still asked until the summary, then confirm."""
    for _ in range(6):
        if "report.summary" in turn:
            break
        if "report.category_choices" in turn:
            turn = resident.say("1")
        elif "report.ask_phone" in turn:
            turn = resident.say("跳过")
        elif "report.ask_confidential" in turn:
            turn = resident.say("2")
        else:
            raise AssertionError(f"unexpected question: {turn.keys}")
    filed = resident.say("确认")
    assert "report.filed" in filed, filed.keys
    return filed


def test_a_crossroads_report_files_the_crossing_and_its_grid(resident: Resident) -> None:
    turn = resident.say("包河大道和繁华大道交口的路灯坏了，晚上一片黑")
    assert "report.ask_location" not in turn and "report.location_not_found" not in turn
    finish(resident, turn)
    [case] = resident.cases()
    check_case(case, category="路灯不亮", grid="云华第6网格", address="包河大道与繁华大道交口")
    geo = resident.app.services.geo
    assert geo.locate_point(case.lat, case.lng).grid_id == case.grid_id


def test_a_building_and_unit_stay_in_the_address(resident: Resident) -> None:
    finish(resident, resident.say("星河雅居3号楼2单元楼道灯坏了"))
    [case] = resident.cases()
    check_case(case, category="公共部位维修", grid="兰亭第1网格", address="星河雅居3号楼2单元")


def test_a_road_alone_is_asked_once_where_on_it(resident: Resident) -> None:
    turn = resident.say("马鞍山路上有个大坑，车子开过去很危险")
    assert turn.key == "report.ask_road_detail" and "马鞍山路" in turn.text
    finish(resident, resident.say("北段"))
    [case] = resident.cases()
    check_case(case, category="路面坑洼", grid="竹园第3网格", address="马鞍山路北段")


def test_a_pin_without_a_label_is_described_by_the_nearest_place(resident: Resident) -> None:
    resident.say("小区门口垃圾堆了三天没人清运")
    turn = resident.pin(31.851386 + 0.001, 117.281476)
    assert "report.location_set" in turn and "附近" in turn.text
    finish(resident, turn)
    [case] = resident.cases()
    check_case(case, category="生活垃圾未清运", grid="兰亭第4网格", address="锦绣府附近")


def test_a_crossroads_corrected_to_another_crossroads(resident: Resident) -> None:
    assert resident.say("包河大道和繁华大道交口的路灯坏了，晚上一片黑").key == "report.summary"
    turn = resident.say("不对，是马鞍山路和繁华大道交口")
    assert turn.keys == ["report.corrected", "report.summary"]
    assert resident.say("确认").keys == ["report.filed"]
    [case] = resident.cases()
    check_case(case, category="路灯不亮", grid="万慈第2网格", address="马鞍山路与繁华大道交口")
    assert case.description.startswith("马鞍山路与繁华大道交口的路灯")
    assert "包河大道" not in case.description


def test_the_mini_program_form_names_a_pin_by_the_nearest_place(mp_resident: Resident) -> None:
    turn, _ = mp_resident.form(description="这里井盖丢了", lat=str(31.851386 + 0.001), lng="117.281476",
                               crs="gcj02")
    assert turn.keys == ["report.filed"]
    [case] = mp_resident.cases()
    check_case(case, category="井盖缺失", grid="兰亭第4网格", address="锦绣府附近")
