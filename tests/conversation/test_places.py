"""Places residents name: crossroads, parts of a road, buildings and gates; a pin by its nearest place."""

from __future__ import annotations

from tests.conversation.conftest import Resident, Turn


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
    assert case.address == "包河大道与繁华大道交口"
    assert case.grid_id and case.major_code == "04"
    geo = resident.app.services.geo
    assert geo.locate_point(case.lat, case.lng).grid_id == case.grid_id


def test_a_building_and_unit_stay_in_the_address(resident: Resident) -> None:
    finish(resident, resident.say("星河雅居3号楼2单元楼道灯坏了"))
    [case] = resident.cases()
    assert case.address == "星河雅居3号楼2单元" and case.grid_name == "兰亭第1网格"


def test_a_road_alone_is_asked_once_where_on_it(resident: Resident) -> None:
    turn = resident.say("马鞍山路上有个大坑，车子开过去很危险")
    assert turn.key == "report.ask_road_detail" and "马鞍山路" in turn.text
    finish(resident, resident.say("北段"))
    [case] = resident.cases()
    assert case.address == "马鞍山路北段" and case.grid_id


def test_a_pin_without_a_label_is_described_by_the_nearest_place(resident: Resident) -> None:
    resident.say("小区门口垃圾堆了三天没人清运")
    turn = resident.pin(31.851386 + 0.001, 117.281476)
    assert "report.location_set" in turn and "附近" in turn.text
    finish(resident, turn)
    [case] = resident.cases()
    assert case.address.endswith("附近") and "网格" not in case.address


def test_a_crossroads_corrected_to_another_crossroads(resident: Resident) -> None:
    assert resident.say("包河大道和繁华大道交口的路灯坏了，晚上一片黑").key == "report.summary"
    turn = resident.say("不对，是马鞍山路和繁华大道交口")
    assert turn.keys == ["report.corrected", "report.summary"]
    assert resident.say("确认").keys == ["report.filed"]
    [case] = resident.cases()
    assert case.address == "马鞍山路与繁华大道交口" and case.description.startswith("马鞍山路与繁华大道交口的路灯")
    assert "包河大道" not in case.description


def test_the_mini_program_form_names_a_pin_by_the_nearest_place(mp_resident: Resident) -> None:
    mp_resident.say("你好")  # signs in
    client = mp_resident.app.client
    response = client.post("/api/mp/reports", headers=mp_resident._headers, data={
        "description": "这里井盖丢了", "lat": str(31.851386 + 0.001), "lng": "117.281476", "crs": "gcj02"})
    assert response.status_code == 201, response.text
    [case] = mp_resident.cases()
    assert case.address.endswith("附近") and "网格" not in case.address and case.minor_name == "井盖缺失"
