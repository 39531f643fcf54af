"""Report: a resident tells us about a problem; we gather what and where, then file a case.

    problem text · photo · location pin · menu REPORT
        │  absorb whatever the message carries: description, place words, phone, urgency, photo, pin
        ▼
    ask only what is still missing, one question at a time (see dialogs/steps.py); any message may
    answer an earlier question, corrections work at any step (dialogs/corrections.py), danger at any
    step files at once (dialogs/danger.py)
        ─▶ summary ─ 确认 ─▶ case(s) filed, number(s) told      ─ 保密 ─▶ confidentiality toggled
                   ─ 修改 ─▶ the slots by number                 ─ 合并 ─▶ several problems as one case
    返回 (before the summary) ─▶ one step back        取消 (anywhere) ─▶ dropped
    an idle report expires after 30 min; the next message offers to resume it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.filters import Keywords, Kind, Predicate, StateIs
from bot.fsm import FSMContext, State
from bot.router import Router
from bot.text import is_word
from bot.types import Kind as K
from bot.types import Update
from cases.errors import PhotoRejected
from dialogs.desk import CaseDesk
from dialogs.draft import (
    absorb_text,
    add_description,
    choose_category,
    fresh,
    minor_choices,
    places_from_text,
    point_address,
    set_place,
    set_point,
)
from dialogs.filing import file_report, proceed
from dialogs.problems import split_problems
from dialogs.say import Say, numbered, pick_number, shorten
from dialogs.steps import Report, ask, read_back
from dialogs.understanding import Meaning, Reading, cue_of
from geo import GeoService
from nlu import NLU, Cue, announces_problem

router = Router("report")
MAX_PHOTOS = 9
STEPS = (Report.description, Report.location, Report.category_choice, Report.confirm)
STEP_CODES = {Report.description: "description", Report.location: "location",
              Report.category_choice: "category", Report.confirm: "confirm"}
CONFIDENTIAL_WORDS = frozenset({"保密", "需要保密", "身份保密", "匿名", "不保密", "取消保密", "不用保密"})
MERGE_WORDS = frozenset({"合并", "一起", "一起提交", "合成一件", "作为一件"})


# -- resuming an expired report ---------------------------------------------------------------------
def _expired_report(update: Update, data: dict[str, Any]) -> bool:
    expired = data["state"].expired
    return expired is not None and Report.contains(expired.state) and bool(expired.data.get("description"))


@router.handler(StateIs(None), Predicate(_expired_report))
async def offer_resume(update: Update, state: FSMContext, say: Say) -> None:
    assert state.expired is not None
    old = dict(state.expired.data)
    old["resume_to"] = state.expired.state
    old["held_text"] = update.text if update.kind in (K.TEXT, K.VOICE) else ""
    await state.set_data(old)
    await state.set_state(Report.resume)
    say("report.resume", description=shorten(old["description"]))


@router.handler(StateIs(Report.resume))
async def resume_or_restart(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU, geo: GeoService,
                            location_ttl: int) -> None:
    data = await state.get_data()
    if update.kind is K.TEXT and (pick_number(update.text, 2) == 1 or is_word(update.text, {"继续", "继续提交"})):
        data.pop("held_text", None)
        data.pop("resume_to", None)
        await proceed(data, say, state, desk, update, location_ttl, nlu)
        return
    held = data.get("held_text", "")
    data = fresh(data)
    if update.kind is K.TEXT and pick_number(update.text, 2) != 2 and update.text.strip():
        held = update.text
    if held and not is_word(held, {"重新开始", "重新"}):
        _take(data, held, nlu.understand(held), nlu, geo)
    await proceed(data, say, state, desk, update, location_ttl, nlu)


def _take(data: dict[str, Any], text: str, meaning: Reading | None, nlu: NLU, geo: GeoService) -> None:
    """A message describing the problem: its slots, and its problems when it raises several."""
    absorb_text(data, text, meaning, nlu, geo)
    problems = split_problems(data["description"], nlu) if data.get("description") else []
    if len(problems) >= 2:
        data["problems"] = problems
    else:
        data.pop("problems", None)


# -- starting a report ------------------------------------------------------------------------------
def _is_problem(update: Update, data: dict[str, Any]) -> bool:
    meaning = data.get("meaning")
    return meaning is not None and meaning.intent == "report"


@router.handler(StateIs(None), Keywords(click_keys=["REPORT"], exact=["我要反映", "我要举报", "反映问题",
                                                                     "我要报事", "随手拍"]))
async def start_from_menu(state: FSMContext, say: Say) -> None:
    data = fresh(await state.get_data())
    await state.set_data(data)
    await state.set_state(Report.description)
    say("report.ask_description")


def _announces_problem(update: Update, data: dict[str, Any]) -> bool:
    """"这边有点问题", "我要反映个情况": a problem is coming but not named; ask what it is."""
    meaning = data.get("meaning")
    return meaning is not None and meaning.intent in ("help", "other", "report") and \
        announces_problem(update.text)


@router.handler(StateIs(None), Kind(K.TEXT, K.VOICE), Predicate(_is_problem))
async def start_from_text(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU, geo: GeoService,
                          meaning: Meaning | None, location_ttl: int) -> None:
    data = fresh(await state.get_data())
    _take(data, update.text, meaning, nlu, geo)
    await proceed(data, say, state, desk, update, location_ttl, nlu)


@router.handler(StateIs(None), Kind(K.TEXT, K.VOICE), Predicate(_announces_problem))
async def start_unnamed(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU, geo: GeoService,
                        meaning: Meaning | None, location_ttl: int) -> None:
    data = fresh(await state.get_data())
    _take(data, update.text, meaning, nlu, geo)
    data["vague"] = True
    await proceed(data, say, state, desk, update, location_ttl, nlu)


# -- photos and pins, at any step ---------------------------------------------------------------------
@router.handler(StateIs(None, Report), Kind(K.IMAGE))
async def photo(update: Update, state: FSMContext, say: Say, desk: CaseDesk, raw_state: str | None,
                location_ttl: int, nlu: NLU) -> None:
    data = await state.get_data() if raw_state else fresh(await state.get_data())
    photos: list[dict[str, Any]] = data.setdefault("photos", [])
    if update.photo is None:
        say("report.photo_rejected", reason="not_received")
    elif len(photos) >= MAX_PHOTOS:
        say("report.photo_limit", max=MAX_PHOTOS)
    else:
        try:
            stored = await desk.store_photo(update.photo.content)
        except PhotoRejected as exc:
            say("report.photo_rejected", reason=exc.reason)
        else:
            photos.append(asdict(stored))
            say("report.photo_received", count=len(photos))
    if raw_state is None or raw_state == Report.resume:
        await proceed(data, say, state, desk, update, location_ttl, nlu)
    else:
        await state.set_data(data)


@router.handler(StateIs(None, Report), Kind(K.LOCATION))
async def pin(update: Update, state: FSMContext, say: Say, desk: CaseDesk, geo: GeoService, raw_state: str | None,
              location_ttl: int, nlu: NLU) -> None:
    data = await state.get_data() if raw_state else fresh(await state.get_data())
    assert update.location is not None
    if not _point(data, update.location.lat, update.location.lng, update.location.crs,
                  update.location.label, geo, say):
        await state.set_data(data)
        await state.set_state(Report.urgent_location if data.get("urgent") else Report.location)
        return
    await proceed(data, say, state, desk, update, location_ttl, nlu)


def _point(data: dict[str, Any], lat: float, lng: float, crs: str, label: str, geo: GeoService, say: Say) -> bool:
    found = geo.locate_point(lat, lng, crs=crs)
    if found.grid_id is None:
        say("report.location_outside")
        return False
    address = point_address(geo, found, label)
    set_point(data, found, address)
    say("report.location_set", place=address, grid_name=found.grid_name, community=found.community)
    return True


# -- the summary ------------------------------------------------------------------------------------
@router.handler(StateIs(Report.confirm), Kind(K.TEXT, K.VOICE))
async def confirm(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU, geo: GeoService,
                  meaning: Meaning | None, location_ttl: int) -> None:
    data = await state.get_data()
    text = update.text
    if cue_of(meaning) is Cue.CONFIRM or pick_number(text, 2) == 1:
        await file_report(update, data, state, say, desk)
    elif is_word(text, CONFIDENTIAL_WORDS):
        data["confidential"] = not (is_word(text, {"不保密", "取消保密", "不用保密"}) or
                                    (is_word(text, {"保密"}) and data.get("confidential")))
        await ask(Report.confirm, data, say, state, desk, update, location_ttl, nlu)
    elif is_word(text, MERGE_WORDS) and data.get("problems"):
        data["merged"] = True
        data.pop("problems", None)
        await ask(Report.confirm, data, say, state, desk, update, location_ttl, nlu)
    elif len(text.strip()) >= 6 and meaning is not None and meaning.intent == "report":
        # more about the problem: added, then read back again
        _take(data, text, None, nlu, geo)
        await ask(Report.confirm, data, say, state, desk, update, location_ttl, nlu)
    else:
        say("report.not_understood_confirm")


# -- one step back (before the summary) ----------------------------------------------------------------
@router.handler(StateIs(Report), Predicate(lambda update, data: cue_of(data.get("meaning")) is Cue.BACK))
async def back(update: Update, state: FSMContext, say: Say, desk: CaseDesk, raw_state: str | None,
               location_ttl: int, nlu: NLU) -> None:
    current = next((s for s in STEPS if s == raw_state), Report.location)
    data = await state.get_data()
    index = STEPS.index(current)
    target: State = STEPS[max(index - 1, 0)]
    if target == Report.category_choice and not data.get("category_asked"):
        target = Report.location
    cleared = {Report.description: ("description", "category", "category_asked", "problems", "vague", "clarified"),
               Report.location: ("location", "place_choices", "road_hint"),
               Report.category_choice: ("category_asked",)}
    for key in cleared.get(target, ()):
        data.pop(key, None)
    say("report.back", step=STEP_CODES[target])
    await ask(target, data, say, state, desk, update, location_ttl, nlu)


# -- answering the pending question -----------------------------------------------------------------
@router.handler(StateIs(Report.description, Report.clarify), Kind(K.TEXT, K.VOICE))
async def describe(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU, geo: GeoService,
                   meaning: Meaning | None, raw_state: str | None, location_ttl: int) -> None:
    data = await state.get_data()
    if cue_of(meaning) in (Cue.SKIP, Cue.DENY):
        say("report.need_description")
        return
    if raw_state == Report.clarify:
        # the opening words said nothing about the problem ("这边有点问题"): the answer replaces them
        for key in ("description", "category", "vague", "problems"):
            data.pop(key, None)
    _take(data, update.text, meaning if not data.get("description") else None, nlu, geo)
    await proceed(data, say, state, desk, update, location_ttl, nlu)


@router.handler(StateIs(Report.location, Report.place_choice, Report.road_detail, Report.urgent_location),
                Kind(K.TEXT, K.VOICE))
async def place_words(update: Update, state: FSMContext, say: Say, desk: CaseDesk, geo: GeoService, nlu: NLU,
                      raw_state: str | None, location_ttl: int) -> None:
    data = await state.get_data()
    choices = data.get("place_choices") or []
    recent = data.get("recent_location")
    choice = pick_number(update.text, len(choices)) if choices else None
    if choice is not None:
        picked = choices[choice - 1]
        set_place(data, picked)
        say("report.location_set", place=picked["name"], grid_name=picked["grid_name"],
            community=picked["community"])
    elif raw_state in (Report.location, Report.urgent_location) and recent and pick_number(update.text, 1) == 1:
        if not _point(data, recent["lat"], recent["lng"], recent["crs"], recent.get("label", ""), geo, say):
            await state.set_data(data)
            return
    else:
        data.pop("place_choices", None)
        if not places_from_text(data, update.text, geo):
            say("report.location_not_found", text=update.text.strip()[:20])
            await state.set_data(data)
            await state.set_state(Report.urgent_location if data.get("urgent") else Report.location)
            return
        if data.get("location"):
            location = data["location"]
            say("report.location_set", place=location["address"], grid_name=location["grid_name"],
                community=location["community"])
    await proceed(data, say, state, desk, update, location_ttl, nlu)


@router.handler(StateIs(Report.category_choice), Kind(K.TEXT, K.VOICE))
async def category(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU, meaning: Meaning | None,
                   location_ttl: int) -> None:
    data = await state.get_data()
    choices = data.get("category_choices", [])
    choice = pick_number(update.text, len(choices) + 1)
    if choice is not None and choice <= len(choices):
        choose_category(data, choices[choice - 1])
    elif choice is None and cue_of(meaning) not in (Cue.SKIP, Cue.DENY) and \
            not is_word(update.text, {"其他", "都不是", "都不对"}):
        # Not a number: more words about the problem; classify again with them.
        add_description(data, update.text.strip(), nlu)
        if not (data.get("category") or {}).get("confident"):
            data["category_choices"] = choices = minor_choices(nlu, data["description"]) or choices
            say("report.category_choices", choices=numbered(choices))
            await state.set_data(data)
            return
    # 其他 / 跳过: the category stays the classifier's reading, flagged unsure for staff to check
    await proceed(data, say, state, desk, update, location_ttl, nlu)


__all__ = ["Report", "read_back", "router"]
