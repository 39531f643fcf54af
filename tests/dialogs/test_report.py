"""Reporting a problem: mixed-initiative slot filling, in whatever order suits the resident."""

from __future__ import annotations

import pytest

from bot.fsm import FSMContext
from bot.storage import StorageKey
from tests.dialogs.conftest import Chat

pytestmark = pytest.mark.anyio

# A gazetteer place (星河雅居) and a point inside its grid.
PLACE, LAT, LNG = "星河雅居", 31.851386, 117.281476


async def finish(chat: Chat) -> None:
    """Pick the first category if asked, then confirm the summary; asserts the case was filed."""
    reply = chat.log[-1]
    if "report.category_choices" in reply:
        reply = await chat.say("1")
    assert "report.summary" in reply.keys
    filed = await chat.say("确认")
    assert filed.key in ("report.filed", "report.filed_duplicate"), filed.keys


async def test_description_then_pin_files_a_case(chat: Chat) -> None:
    first = await chat.say("小区门口的路灯坏了好几天了，晚上黑灯瞎火的")
    assert first.key == "report.ask_location"
    located = await chat.pin(LAT, LNG, label="包河区星河雅居")
    assert "report.location_set" in located.keys
    await finish(chat)
    [case] = chat.cases()
    assert case.major_code == "04" and "路灯" in case.description
    assert case.grid_id == "34011100300101"
    assert case.number.startswith("BH") and case.number in chat.log[-1].texts[0]


async def test_pin_first_then_description(chat: Chat) -> None:
    first = await chat.pin(LAT, LNG)
    assert first.keys == ["report.location_set", "report.ask_description"]
    await chat.say("这边垃圾堆了三天没人清运，味道很大")
    await finish(chat)
    [case] = chat.cases()
    assert case.major_code == "01"


async def test_photo_first_then_words_with_place(chat: Chat) -> None:
    first = await chat.photo()
    assert first.keys == ["report.photo_received", "report.ask_description"]
    second = await chat.say(f"{PLACE}北门有个井盖不见了，很危险")
    assert "report.ask_location" not in second.keys
    await finish(chat)
    [case] = chat.cases()
    assert case.grid_id == "34011100300101"
    assert len(chat_photos(chat, case.id)) == 1


def chat_photos(chat: Chat, case_id: int | None) -> list[object]:
    from sqlmodel import Session, select

    from cases.models import Photo

    with Session(chat.engine) as session:
        return list(session.exec(select(Photo).where(Photo.case_id == case_id)))


async def test_everything_in_one_message(chat: Chat) -> None:
    reply = await chat.say(f"{PLACE}3栋门口路灯坏了 电话13912345678")
    assert reply.keys == ["report.summary"]  # one turn: everything read back
    assert "139****5678" in reply.texts[-1] and "13912345678" not in "".join(reply.texts)
    assert "星河雅居3栋" in reply.texts[-1]
    filed = await chat.say("确认")
    assert filed.keys == ["report.filed"]
    [case] = chat.cases()
    assert case.phone == "13912345678" and case.grid_id == "34011100300101"
    assert "13912345678" not in case.description and case.address.startswith("星河雅居3栋")


async def test_several_photos_in_quick_succession_are_all_kept(chat: Chat) -> None:
    import asyncio

    await chat.say("绿化带里的树被人砍了好几棵")
    await asyncio.gather(*(chat.photo(colour) for colour in ("red", "green", "blue", "white")))
    await chat.pin(LAT, LNG)
    await finish(chat)
    [case] = chat.cases()
    assert len(chat_photos(chat, case.id)) == 4


async def test_ambiguous_place_offers_numbered_choices(chat: Chat) -> None:
    reply = await chat.say("春晖那边马路上有个大坑，车子开过去很危险")
    assert reply.key == "report.location_choices"
    chosen = await chat.say("2")
    assert "report.location_set" in chosen.keys
    await finish(chat)
    assert chat.cases()[0].grid_id


async def test_unknown_place_words_ask_again_for_a_pin(chat: Chat) -> None:
    await chat.say("路边的垃圾桶满了没人倒")
    reply = await chat.say("就在那个什么地方附近")
    assert reply.key == "report.location_not_found"
    assert chat.cases() == []


async def test_cancel_drops_the_report(chat: Chat) -> None:
    await chat.say("楼道里堆满了杂物")
    reply = await chat.say("取消")
    assert reply.keys == ["report.cancelled"]
    after = await chat.say("你好")
    assert "report.ask_location" not in after.keys
    assert chat.cases() == []


async def test_confidentiality_is_one_word_at_the_summary(chat: Chat) -> None:
    await chat.say(f"{PLACE}门口有人占道摆摊卖菜")
    reply = chat.log[-1]
    if "report.category_choices" in reply:
        reply = await chat.say("1")
    assert "report.summary" in reply.keys
    toggled = await chat.say("保密")
    assert toggled.keys == ["report.summary"] and "身份保密" in toggled.texts[-1]
    await chat.say("确认")
    from sqlmodel import Session, select

    from cases.models import Resident

    with Session(chat.engine) as session:
        resident = session.exec(select(Resident).where(Resident.openid == chat.openid)).one()
    assert resident.confidential is True


async def test_skip_is_refused_for_the_description(chat: Chat) -> None:
    await chat.event("CLICK", key="REPORT")
    reply = await chat.say("跳过")
    assert reply.key == "report.need_description"


async def test_urgent_report_first_says_call_now_and_is_filed_urgent(chat: Chat) -> None:
    reply = await chat.say(f"{PLACE}楼道里有很大的煤气味，好像漏气了")
    assert reply.keys[0] == "report.urgent"
    assert "119" in reply.texts[0] and "燃气" in reply.texts[0]
    assert reply.keys == ["report.urgent", "report.urgent_filed"]  # filed at once, no questions
    assert chat.cases()[0].urgent


async def test_duplicate_report_is_told_it_joined_a_neighbours_case(chat: Chat) -> None:
    await chat.say(f"{PLACE}门口的路灯坏了，晚上很黑")
    await finish(chat)
    neighbour = chat.as_resident("o-bob")
    await neighbour.say(f"{PLACE}门口路灯不亮了，好几天了")
    await finish(neighbour)
    assert neighbour.log[-1].key == "report.filed_duplicate"
    first, second = chat.cases()
    assert first.cluster_id is not None and first.cluster_id == second.cluster_id


async def test_idle_report_expires_and_resumes_kindly(chat: Chat) -> None:
    await chat.say("小区外面的马路上有个坑")
    key = StorageKey("oa", chat.openid)
    record = await chat.dispatcher.storage.get(key)
    assert record is not None
    # The resident went away for more than 30 minutes.
    from bot.storage import Record

    await chat.dispatcher.storage.set(key, Record(record.state, record.data, record.touched - 31 * 60))
    reply = await chat.say("在吗")
    assert reply.key == "report.resume"
    resumed = await chat.say("1")
    assert resumed.key in ("report.ask_location", "report.ask_road_detail")
    await chat.pin(LAT, LNG)
    await finish(chat)
    assert "坑" in chat.cases()[0].description


async def test_low_confidence_category_offers_the_top_three(chat: Chat) -> None:
    reply = await chat.say(f"{PLACE}这边有个情况想反映一下，挺影响大家的")
    assert "report.category_choices" in reply.keys or chat.cases() == []
    if "report.category_choices" in reply.keys:
        picked = await chat.say("1")
        assert "report.summary" in picked.keys


async def test_state_is_a_fsm_context_per_resident(chat: Chat) -> None:
    await chat.say("路灯坏了")
    other = chat.as_resident("o-carol")
    reply = await other.say("确认")
    assert "report.filed" not in reply.keys
    context = FSMContext(chat.dispatcher.storage, StorageKey("oa", "o-carol"), ttl=1800)
    assert await context.get_state() is None


async def test_the_phone_given_last_time_is_offered_masked(chat: Chat) -> None:
    await chat.say(f"{PLACE}门口的路灯坏了 电话13912345678")
    await finish(chat)
    await chat.say("楼下垃圾三天没人收了")
    reply = await chat.pin(LAT, LNG)
    assert "report.summary" in reply.keys and "139****5678" in reply.texts[-1]
    await chat.say("确认")
    assert [case.phone for case in chat.cases()] == ["13912345678", "13912345678"]


async def test_a_question_mark_does_not_hide_the_answer(chat: Chat) -> None:
    """"取消？" cancels, and "确认？" confirms: one comparison rule for commands and answers."""
    reply = await chat.say(f"{PLACE}3栋门口路灯坏了 电话13912345678")
    assert "report.summary" in reply.keys
    await chat.say("确认？")
    assert len(chat.cases()) == 1
    await chat.say("楼道里堆满了杂物")
    assert (await chat.say("取消？")).keys == ["report.cancelled"]


async def test_a_description_of_any_length_is_filed_whole_and_shown_short(chat: Chat) -> None:
    """One message of 2,300 characters: 确认 files it whole, not "系统刚才出了点问题"."""
    await chat.say("小区门口的路灯坏了好几天了，晚上黑灯瞎火的，老人孩子出门都不方便，" * 70)
    await chat.pin(LAT, LNG)
    await finish(chat)
    [case] = chat.cases()
    assert len(case.description) > 2000
    assert case.description.count("黑灯瞎火") == 70
    summary = next(r for r in chat.log if "report.summary" in r.keys)
    assert all(len(text.encode()) <= 2048 for text in summary.texts)
    assert any("回复“确认”提交" in text for text in summary.texts)
