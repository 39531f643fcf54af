"""Corrections in the resident's own words, at any step of a report; then back to where they were.

    "地点改成锦绣佳苑" / "不对，是星河雅居" ─▶ the place       "电话换成139…" / a bare phone number ─▶ the phone
    "不是路灯是井盖" ─▶ the description and its category    "照片发错了" ─▶ the photos dropped
    "类别不对" ─▶ the category choices
    修改 at the summary ─▶ the slots by number (1 描述 2 地点 3 类别 4 电话 5 照片)
"""

from __future__ import annotations

import re
from typing import Any

from bot.filters import Kind, Predicate, StateIs
from bot.fsm import FSMContext
from bot.router import Router
from bot.text import is_word, tidy
from bot.types import Kind as K
from bot.types import Update
from dialogs.desk import CaseDesk
from dialogs.draft import places_from_text, replace_in_description
from dialogs.filing import proceed
from dialogs.say import Say, masked, numbered, pick_number
from dialogs.steps import EDITABLE, Report, ask
from dialogs.understanding import Meaning, cue_of
from geo import GeoService
from nlu import NLU, Cue, extract_phone

router = Router("corrections")

_PLACE = re.compile(r"^(?:把)?(?:地点|位置|地址|地方)(?:要)?(?:改成|改为|换成|应该是|是|在)[:：]?\s*(?P<value>.+)$")
_PHONE = re.compile(r"^(?:把)?(?:电话|手机|号码|联系电话|手机号|电话号码)(?:要)?(?:改成|改为|换成|应该是|是)?[:：]?\s*"
                    r"(?P<value>[\d\s-]{7,})$")
_SWAP = re.compile(r"^(?:不对|不是的|错了)?[，,]?\s*不是(?P<wrong>.{1,12}?)[，,]?\s*(?:是|而是)(?P<value>.{1,30})$")
_RIGHT_IS = re.compile(r"^(?:不对|不是|不是的|错了|说错了)[，,。!！\s]*(?:是|在|应该是|应该在)(?P<value>.{2,40})$")
_DESCRIPTION = re.compile(r"^(?:问题|描述|内容)(?:要)?(?:改成|改为|换成|应该是)[:：]?\s*(?P<value>.+)$")
_CATEGORY = re.compile(r"^(?:类别|分类|类型)(?:不对|错了|选错了|要改|改一下)")
_PHOTOS = re.compile(r"照片(?:发错了|传错了|不对|删掉|删了|删除|不要了)|(?:删掉|删除|去掉)照片")
_REPORT_STATES = (Report.description, Report.clarify, Report.location, Report.place_choice, Report.road_detail,
                  Report.category_choice, Report.confirm, Report.edit_choice, Report.urgent_location)


def _bare_phone(text: str) -> str | None:
    phone = extract_phone(text)
    if phone is None:
        return None
    rest = re.sub(r"[\d\s\-+]", "", text)
    return phone if rest in ("", "电话", "手机", "电话是", "手机是", "我的电话", "我的电话是", "号码") else None


def read_correction(text: str) -> tuple[str, str, str] | None:
    """(slot, wrong, value) of a correction, or None: slot is place, phone, swap, right_is, description,
    category or photos."""
    text = tidy(text)
    if _PHOTOS.search(text):
        return ("photos", "", "")
    if _CATEGORY.match(text):
        return ("category", "", "")
    for slot, pattern in (("place", _PLACE), ("phone", _PHONE), ("description", _DESCRIPTION),
                          ("swap", _SWAP), ("right_is", _RIGHT_IS)):
        found = pattern.match(text)
        if found:
            return (slot, found.groupdict().get("wrong") or "", found.group("value").strip(" ，,"))
    phone = _bare_phone(text)
    return ("phone", "", phone) if phone else None


def _is_correction(update: Update, data: dict[str, Any]) -> bool:
    return read_correction(update.text) is not None


@router.handler(StateIs(*_REPORT_STATES), Kind(K.TEXT, K.VOICE), Predicate(_is_correction))
async def correct(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU, geo: GeoService,
                  location_ttl: int) -> None:
    data = await state.get_data()
    reading = read_correction(update.text)
    assert reading is not None
    slot, wrong, value = reading
    if slot == "photos":
        count = len(data.pop("photos", []))
        say("report.photos_cleared", count=count)
    elif slot == "category":
        data.pop("category_asked", None)
        if data.get("category"):
            data["category"].update(source="auto", confident=False)
    elif slot == "phone":
        phone = extract_phone(value)
        if phone is None:
            say("report.phone_invalid")
            return
        data["phone"], data["phone_source"] = phone, "typed"
        say("report.corrected", slot="phone", value=masked(phone))
    elif slot == "description":
        data.pop("description", None)
        if (data.get("category") or {}).get("source") == "resident":
            data.pop("category")
        replace_in_description(data, "", value, nlu)
        say("report.corrected", slot="description", value=data["description"])
    elif not await _place_or_words(data, slot, wrong, value, say, nlu, geo):
        await state.set_data(data)
        return
    await proceed(data, say, state, desk, update, location_ttl, nlu)


async def _place_or_words(data: dict[str, Any], slot: str, wrong: str, value: str, say: Say, nlu: NLU,
                          geo: GeoService) -> bool:
    """A corrected place when the words name one; else (不是A是B) the description. False: nothing usable."""
    if slot in ("place", "right_is") or geo.locate_text(value):
        old = data.pop("location", None)
        data.pop("road_hint", None)
        if places_from_text(data, value, geo):
            location = data.get("location")
            if location:
                # the old place named in the description would contradict the corrected one
                words = (old or {}).get("words", "")
                if len(words) >= 2 and words in data.get("description", ""):
                    data["description"] = data["description"].replace(words, location["address"])
                say("report.corrected", slot="location", value=location["address"])
            return True
        if slot == "place":
            if old:
                data["location"] = old
            say("report.location_not_found", text=value[:20])
            return False
        if old:
            data["location"] = old
    replace_in_description(data, wrong, value, nlu)
    say("report.corrected", slot="description", value=data["description"])
    return True


# -- 修改 at the summary: the slots by number ------------------------------------------------------------
@router.handler(StateIs(Report.confirm), Kind(K.TEXT, K.VOICE), Predicate(
    lambda update, data: cue_of(data.get("meaning")) is Cue.BACK or pick_number(update.text, 9) == 2))
async def edit_menu(state: FSMContext, say: Say) -> None:
    await state.set_state(Report.edit_choice)
    say("report.edit_choices", choices=numbered([{"slot": slot} for slot in EDITABLE]))


@router.handler(StateIs(Report.edit_choice), Kind(K.TEXT, K.VOICE))
async def edit_pick(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU,
                    location_ttl: int) -> None:
    data = await state.get_data()
    choice = pick_number(update.text, len(EDITABLE))
    if choice is None:
        say("report.edit_choices", choices=numbered([{"slot": slot} for slot in EDITABLE]))
        return
    slot = EDITABLE[choice - 1]
    if slot == "description":
        for key in ("description", "category", "category_asked", "problems", "vague", "clarified"):
            data.pop(key, None)
        await ask(Report.description, data, say, state, desk, update, location_ttl, nlu)
    elif slot == "location":
        data.pop("location", None)
        await ask(Report.location, data, say, state, desk, update, location_ttl, nlu)
    elif slot == "category":
        await ask(Report.category_choice, data, say, state, desk, update, location_ttl, nlu)
    elif slot == "phone":
        await state.set_state(Report.edit_phone)
        say("report.ask_phone", masked_phone=masked(data.get("phone")))
    else:
        say("report.photos_cleared", count=len(data.pop("photos", [])))
        await ask(Report.confirm, data, say, state, desk, update, location_ttl, nlu)


@router.handler(StateIs(Report.edit_phone), Kind(K.TEXT, K.VOICE))
async def new_phone(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU, meaning: Meaning | None,
                    location_ttl: int) -> None:
    data = await state.get_data()
    phone = extract_phone(update.text)
    if phone:
        data["phone"], data["phone_source"] = phone, "typed"
    elif cue_of(meaning) in (Cue.SKIP, Cue.DENY) or is_word(update.text, {"不留", "不留了", "删掉"}):
        data["phone"], data["phone_source"] = None, "declined"
    else:
        say("report.phone_invalid")
        return
    await ask(Report.confirm, data, say, state, desk, update, location_ttl, nlu)
