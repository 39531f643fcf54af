"""Report: a resident tells us about a problem; we gather what and where, then file a case.

    problem text · photo · location pin · menu REPORT
        │  absorb whatever the message carries: description, place words, phone, urgency, photo, pin
        ▼
    ask only what is still missing, one question at a time (any message may answer an earlier one):
        description ─▶ location (pin, recent position, or place words; several places → numbered choice)
        ─▶ category (only when unsure: the top 3) ─▶ phone (optional) ─▶ confidential (optional)
        ─▶ summary ─ 确认 ─▶ case filed, number told
                    ─ 修改/返回 ─▶ one step back        取消 (anywhere) ─▶ dropped
    urgent words (fire, gas, electricity, hurt, trapped) → "call 119/110/120 now" first; the report goes on.
    an idle report expires after 30 min; the next message offers to resume it.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.filters import Keywords, Kind, Predicate, StateIs
from bot.fsm import FSMContext, State, StatesGroup
from bot.router import Router
from bot.text import is_word
from bot.types import Kind as K
from bot.types import Update
from cases import Category, Place
from cases.drafts import CaseDraft, StoredPhoto
from cases.errors import PhotoRejected
from dialogs.desk import CaseDesk
from dialogs.say import Say, masked, numbered, pick_number
from dialogs.words import (
    BACK_WORDS,
    CONFIRM_WORDS,
    NO_WORDS,
    SKIP_WORDS,
    YES_WORDS,
    local_time,
    urgent_hotline,
)
from nlu import extract_phone

router = Router("report")
MAX_PHOTOS = 9
PLACE_SCORE_CLEAR = 12.0  # a best place this far ahead of the next is taken without asking


class Report(StatesGroup):
    description = State()
    location = State()
    place_choice = State()
    road_detail = State()
    category_choice = State()
    phone = State()
    confidential = State()
    confirm = State()
    resume = State()


STEPS = (Report.description, Report.location, Report.category_choice, Report.phone, Report.confidential,
         Report.confirm)
STEP_CODES = {Report.description: "description", Report.location: "location", Report.category_choice: "category",
              Report.phone: "phone", Report.confidential: "confidential", Report.confirm: "confirm"}


# -- the slots ---------------------------------------------------------------------------------------
def _add_description(data: dict[str, Any], text: str, meaning: Any, nlu: Any) -> None:
    if meaning is not None and meaning.phone:
        text = text.replace(meaning.phone, "").strip(" ，,。")
    if not text:
        return
    data["description"] = f"{data['description']}；{text}" if data.get("description") else text
    _classify(data, nlu, meaning if data["description"] == text else None)


def _classify(data: dict[str, Any], nlu: Any, known: Any = None) -> None:
    """Classify the whole description (``known``: the NLU's reading of it, when already made)."""
    if data.get("category", {}).get("source") == "resident":
        return
    result = known if known is not None else nlu.understand(data["description"])
    top = result.majors[0] if result.majors else None
    minor = result.minor
    if top is None:
        return
    data["category"] = {
        "major_code": top.code, "major_name": top.name,
        "minor_code": minor.code if minor and minor.code.startswith(top.code) else None,
        "minor_name": minor.name if minor and minor.code.startswith(top.code) else None,
        "confidence": round(float(top.score), 3), "source": "auto", "confident": bool(result.confident),
    }
    data["category_choices"] = [{"code": m.code, "name": m.name} for m in result.majors[:3]]
    if result.urgent:
        data["urgent"] = True


def _place(candidate: Any) -> dict[str, Any]:
    """A gazetteer candidate as it is kept in the dialog data (and offered as a numbered choice).

    ``name`` is the address as the resident gave it: the place with its building, unit or gate.
    """
    return {"name": candidate.address, "community": candidate.community, "street": candidate.street,
            "lat": candidate.lat, "lng": candidate.lng, "grid_id": candidate.grid_id,
            "grid_name": candidate.grid_name, "kind": candidate.kind}


def _set_place(data: dict[str, Any], place: dict[str, Any]) -> None:
    data["location"] = {
        "lat": place["lat"], "lng": place["lng"], "address": place["name"], "grid_id": place["grid_id"],
        "grid_name": place["grid_name"], "community": place["community"], "street": place["street"],
        "approximate": place.get("kind") == "road",
    }
    data.pop("place_choices", None)
    data.pop("road_hint", None)


def _places_from_text(data: dict[str, Any], text: str, geo: Any) -> list[Any]:
    """Look for place words; one clear winner sets the location, several become numbered choices."""
    hint = data.get("road_hint")
    candidates = geo.locate_text(f"{hint}{text}") if hint else []
    if not candidates or not candidates[0].precise:
        candidates = geo.locate_text(text) or candidates
    if not candidates:
        return []
    if not candidates[0].precise and not hint:
        data["road_hint"] = candidates[0].name  # a road is long: ask once where on it
        return list(candidates)
    if len(candidates) == 1 or candidates[0].score - candidates[1].score >= PLACE_SCORE_CLEAR:
        _set_place(data, _place(candidates[0]))
    else:
        data["place_choices"] = [_place(c) for c in candidates[:5]]
    return list(candidates)


def _absorb_text(data: dict[str, Any], update: Update, meaning: Any, nlu: Any, geo: Any) -> None:
    """Everything a free-text message carries: description, place, phone, urgency."""
    if meaning is not None and meaning.phone:
        data["phone"] = meaning.phone
    if not data.get("location"):
        _places_from_text(data, update.text, geo)
    _add_description(data, update.text.strip(), meaning, nlu)


def _next_step(data: dict[str, Any]) -> State:
    if not data.get("description"):
        return Report.description
    if not data.get("location"):
        if data.get("place_choices"):
            return Report.place_choice
        return Report.road_detail if data.get("road_hint") else Report.location
    category = data.get("category")
    if category is None or (not category.get("confident") and category.get("source") == "auto"
                            and not data.get("category_asked")):
        return Report.category_choice
    if not data.get("phone_done"):
        return Report.phone
    if data.get("confidential") is None:
        return Report.confidential
    return Report.confirm


async def _ask(step: State, data: dict[str, Any], say: Say, state: FSMContext, desk: CaseDesk,
               update: Update, location_ttl: int) -> None:
    await state.set_state(step)
    if step == Report.description:
        say("report.ask_description")
    elif step == Report.location:
        recent = data.get("recent_location")
        if recent and desk.clock().timestamp() - recent["at"] <= location_ttl:
            say("report.offer_recent_location", place=recent.get("label") or recent.get("grid_name", ""))
        else:
            say("report.ask_location")
    elif step == Report.road_detail:
        say("report.ask_road_detail", road=data["road_hint"])
    elif step == Report.place_choice:
        say("report.location_choices", choices=numbered(data["place_choices"]))
    elif step == Report.category_choice:
        data["category_asked"] = True
        say("report.category_choices", choices=numbered(data.get("category_choices", [])))
    elif step == Report.phone:
        known = data.get("phone") or await desk.profile_phone(update.resident_id, update.channel.value)
        data["phone_offer"] = known
        say("report.ask_phone", masked_phone=masked(known))
    elif step == Report.confidential:
        say("report.ask_confidential")
    else:
        say("report.summary", **_summary(data))
    await state.set_data(data)


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    category = data.get("category") or {}
    location = data.get("location") or {}
    return {
        "description": data.get("description", ""),
        "place": location.get("address") or location.get("grid_name", ""),
        "category": category.get("minor_name") or category.get("major_name") or "",
        "photo_count": len(data.get("photos", [])),
        "phone_masked": masked(data.get("phone")),
        "confidential": bool(data.get("confidential")),
    }


async def _advance(data: dict[str, Any], say: Say, state: FSMContext, desk: CaseDesk, update: Update,
                   location_ttl: int) -> None:
    await _ask(_next_step(data), data, say, state, desk, update, location_ttl)


def _warn_if_urgent(data: dict[str, Any], meaning: Any, say: Say) -> None:
    if meaning is not None and meaning.urgent and not data.get("urgent_warned"):
        data["urgent"] = True
        data["urgent_warned"] = True
        say("report.urgent", kind=meaning.urgency_kind or "", hotline=urgent_hotline(meaning.urgency_kind))


def _fresh(data: dict[str, Any]) -> dict[str, Any]:
    """A new draft; keeps only the recently reported position."""
    return {"recent_location": data["recent_location"]} if data.get("recent_location") else {}


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
    say("report.resume", description=old["description"])


@router.handler(StateIs(Report.resume))
async def resume_or_restart(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: Any, geo: Any,
                            meaning: Any, location_ttl: int) -> None:
    data = await state.get_data()
    if update.kind is K.TEXT and (pick_number(update.text, 2) == 1 or is_word(update.text, {"继续", "继续提交"})):
        data.pop("held_text", None)
        data.pop("resume_to", None)
        await _advance(data, say, state, desk, update, location_ttl)
        return
    held = data.get("held_text", "")
    data = _fresh(data)
    if update.kind is K.TEXT and pick_number(update.text, 2) != 2 and update.text.strip():
        held = update.text
    if held and not is_word(held, {"重新开始", "重新"}):
        _absorb_text(data, Update(resident_id=update.resident_id, channel=update.channel, kind=K.TEXT,
                                  message_id=update.message_id, text=held), nlu.understand(held), nlu, geo)
    await _advance(data, say, state, desk, update, location_ttl)


# -- starting a report ------------------------------------------------------------------------------
def _is_problem(update: Update, data: dict[str, Any]) -> bool:
    meaning = data.get("meaning")
    return meaning is not None and meaning.intent == "report"


@router.handler(StateIs(None), Keywords(click_keys=["REPORT"], exact=["我要反映", "我要举报", "反映问题",
                                                                     "我要报事", "随手拍"]))
async def start_from_menu(state: FSMContext, say: Say) -> None:
    data = _fresh(await state.get_data())
    await state.set_data(data)
    await state.set_state(Report.description)
    say("report.ask_description")


@router.handler(StateIs(None), Kind(K.TEXT, K.VOICE), Predicate(_is_problem))
async def start_from_text(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: Any, geo: Any,
                          meaning: Any, location_ttl: int) -> None:
    data = _fresh(await state.get_data())
    _warn_if_urgent(data, meaning, say)
    _absorb_text(data, update, meaning, nlu, geo)
    await _advance(data, say, state, desk, update, location_ttl)


# -- photos and pins, at any step ---------------------------------------------------------------------
@router.handler(StateIs(None, Report), Kind(K.IMAGE))
async def photo(update: Update, state: FSMContext, say: Say, desk: CaseDesk, raw_state: str | None,
                location_ttl: int) -> None:
    data = await state.get_data() if raw_state else _fresh(await state.get_data())
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
        await _advance(data, say, state, desk, update, location_ttl)
    else:
        await state.set_data(data)


@router.handler(StateIs(None, Report), Kind(K.LOCATION))
async def pin(update: Update, state: FSMContext, say: Say, desk: CaseDesk, geo: Any, raw_state: str | None,
              location_ttl: int) -> None:
    data = await state.get_data() if raw_state else _fresh(await state.get_data())
    assert update.location is not None
    if not _set_point(data, update.location.lat, update.location.lng, update.location.crs,
                      update.location.label, geo, say):
        await state.set_data(data)
        await state.set_state(Report.location)
        return
    await _advance(data, say, state, desk, update, location_ttl)


def _set_point(data: dict[str, Any], lat: float, lng: float, crs: str, label: str, geo: Any, say: Say) -> bool:
    found = geo.locate_point(lat, lng, crs=crs)
    if found.grid_id is None:
        say("report.location_outside")
        return False
    address = label or geo.describe_point(found.lat, found.lng) or found.grid_name
    data["location"] = {"lat": found.lat, "lng": found.lng, "address": address,
                        "grid_id": found.grid_id, "grid_name": found.grid_name, "community": found.community,
                        "street": found.street, "approximate": found.approximate}
    data.pop("place_choices", None)
    data.pop("road_hint", None)
    say("report.location_set", place=address, grid_name=found.grid_name, community=found.community)
    return True


# -- answering the pending question -----------------------------------------------------------------
@router.handler(StateIs(Report.confirm), Kind(K.TEXT, K.VOICE))
async def confirm(update: Update, state: FSMContext, say: Say, desk: CaseDesk, location_ttl: int) -> None:
    data = await state.get_data()
    if is_word(update.text, CONFIRM_WORDS) or pick_number(update.text, 2) == 1:
        await _file(update, data, state, say, desk)
    elif is_word(update.text, BACK_WORDS) or pick_number(update.text, 2) == 2:
        await _step_back(Report.confirm, data, say, state, desk, update, location_ttl)
    else:
        say("report.not_understood_confirm")


@router.handler(StateIs(Report), Keywords(exact=BACK_WORDS))
async def back(update: Update, state: FSMContext, say: Say, desk: CaseDesk, raw_state: str | None,
               location_ttl: int) -> None:
    current = next((s for s in STEPS if s == raw_state), Report.location)
    await _step_back(current, await state.get_data(), say, state, desk, update, location_ttl)


async def _step_back(current: State, data: dict[str, Any], say: Say, state: FSMContext, desk: CaseDesk,
                     update: Update, location_ttl: int) -> None:
    index = STEPS.index(current) if current in STEPS else 1
    target = STEPS[max(index - 1, 0)]
    if target == Report.category_choice and not data.get("category_asked"):
        target = Report.location
    cleared = {Report.description: ("description", "category", "category_asked"),
               Report.location: ("location", "place_choices"),
               Report.category_choice: ("category_asked",),
               Report.phone: ("phone_done",), Report.confidential: ("confidential",)}
    for key in cleared.get(target, ()):
        data.pop(key, None)
    if target == Report.category_choice and data.get("category"):
        data["category"]["source"] = "auto"
        data["category"]["confident"] = False
    say("report.back", step=STEP_CODES[target])
    await _ask(target, data, say, state, desk, update, location_ttl)


@router.handler(StateIs(Report.description), Kind(K.TEXT, K.VOICE))
async def describe(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: Any, geo: Any,
                   meaning: Any, location_ttl: int) -> None:
    data = await state.get_data()
    if is_word(update.text, SKIP_WORDS):
        say("report.need_description")
        return
    _warn_if_urgent(data, meaning, say)
    _absorb_text(data, update, meaning, nlu, geo)
    await _advance(data, say, state, desk, update, location_ttl)


@router.handler(StateIs(Report.location, Report.place_choice, Report.road_detail), Kind(K.TEXT, K.VOICE))
async def place_words(update: Update, state: FSMContext, say: Say, desk: CaseDesk, geo: Any,
                      raw_state: str | None, location_ttl: int) -> None:
    data = await state.get_data()
    choices = data.get("place_choices") or []
    recent = data.get("recent_location")
    choice = pick_number(update.text, len(choices)) if choices else None
    if choice is not None:
        picked = choices[choice - 1]
        _set_place(data, picked)
        say("report.location_set", place=picked["name"], grid_name=picked["grid_name"],
            community=picked["community"])
    elif raw_state == Report.location and recent and pick_number(update.text, 1) == 1:
        if not _set_point(data, recent["lat"], recent["lng"], recent["crs"], recent.get("label", ""), geo, say):
            await state.set_data(data)
            return
    else:
        phone = extract_phone(update.text)
        if phone:
            data["phone"] = phone
        data.pop("place_choices", None)
        if not _places_from_text(data, update.text, geo):
            say("report.location_not_found", text=update.text.strip()[:20])
            await state.set_data(data)
            await state.set_state(Report.location)
            return
        if data.get("location"):
            location = data["location"]
            say("report.location_set", place=location["address"], grid_name=location["grid_name"],
                community=location["community"])
    await _advance(data, say, state, desk, update, location_ttl)


@router.handler(StateIs(Report.category_choice), Kind(K.TEXT, K.VOICE))
async def category(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: Any,
                   location_ttl: int) -> None:
    data = await state.get_data()
    choices = data.get("category_choices", [])
    choice = pick_number(update.text, len(choices) + 1)
    if choice is not None and choice <= len(choices):
        picked = choices[choice - 1]
        old = data.get("category") or {}
        same_major = old.get("major_code") == picked["code"]
        data["category"] = {"major_code": picked["code"], "major_name": picked["name"],
                            "minor_code": old.get("minor_code") if same_major else None,
                            "minor_name": old.get("minor_name") if same_major else None,
                            "confidence": 1.0, "source": "resident", "confident": True}
    elif choice is None and not is_word(update.text, SKIP_WORDS):
        # Not a number: more words about the problem; classify again with them.
        _add_description(data, update.text.strip(), None, nlu)
        if not (data.get("category") or {}).get("confident"):
            say("report.category_choices", choices=numbered(choices))
            await state.set_data(data)
            return
    await _advance(data, say, state, desk, update, location_ttl)


@router.handler(StateIs(Report.phone), Kind(K.TEXT, K.VOICE))
async def phone(update: Update, state: FSMContext, say: Say, desk: CaseDesk, location_ttl: int) -> None:
    data = await state.get_data()
    typed = extract_phone(update.text)
    if typed:
        data["phone"] = typed
    elif data.get("phone_offer") and (pick_number(update.text, 1) == 1 or is_word(update.text, YES_WORDS)):
        data["phone"] = data["phone_offer"]
    elif is_word(update.text, SKIP_WORDS | NO_WORDS) or pick_number(update.text, 2) == 2:
        data["phone"] = None
    else:
        say("report.ask_phone", masked_phone=masked(data.get("phone_offer")))
        return
    data["phone_done"] = True
    await _advance(data, say, state, desk, update, location_ttl)


@router.handler(StateIs(Report.confidential), Kind(K.TEXT, K.VOICE))
async def confidential(update: Update, state: FSMContext, say: Say, desk: CaseDesk, location_ttl: int) -> None:
    data = await state.get_data()
    if pick_number(update.text, 2) == 1 or is_word(update.text, YES_WORDS | {"保密", "需要保密"}):
        data["confidential"] = True
    elif pick_number(update.text, 2) == 2 or is_word(update.text, NO_WORDS | SKIP_WORDS):
        data["confidential"] = False
    else:
        say("report.ask_confidential")
        return
    await _advance(data, say, state, desk, update, location_ttl)


# -- filing -----------------------------------------------------------------------------------------
async def _file(update: Update, data: dict[str, Any], state: FSMContext, say: Say, desk: CaseDesk) -> None:
    category = data.get("category") or {}
    location = data["location"]
    draft = CaseDraft(
        openid=update.resident_id, channel=update.channel.value,
        description=data["description"],
        category=Category(major_code=category["major_code"], major_name=category["major_name"],
                          minor_code=category.get("minor_code"), minor_name=category.get("minor_name"))
        if category.get("major_code") else None,
        place=Place(grid_id=location["grid_id"], grid_name=location.get("grid_name", ""),
                    community=location.get("community", ""), street=location.get("street", ""),
                    address=location.get("address", ""), lat=location.get("lat"), lng=location.get("lng")),
        category_confidence=float(category.get("confidence", 0.0)),
        category_source=category.get("source", "auto"),
        urgent=bool(data.get("urgent")), phone=data.get("phone"), confidential=bool(data.get("confidential")),
        photos=[StoredPhoto(**{**p, "gps": tuple(p["gps"]) if p.get("gps") else None})
                for p in data.get("photos", [])],
    )
    filed = await desk.file(draft)
    await state.set_data(_fresh(data))
    await state.set_state(None)
    case = filed.case
    if filed.joined_existing:
        say("report.filed_duplicate", number=case.number, neighbours=max(filed.neighbours, 1),
            due_text=local_time(case.due_at), grid_name=case.grid_name)
    else:
        say("report.filed", number=case.number, due_text=local_time(case.due_at), grid_name=case.grid_name)
