"""The report's questions: which one is still open, and how it is asked.

    description ─▶ (vague? "what is the problem?") ─▶ location (pin, recent position, place words;
    several places → numbered choice; a road alone → "where on it?") ─▶ category (only when unsure:
    the likeliest minors in plain words) ─▶ summary: everything read back, 确认 files, 保密 toggles
    confidentiality, 修改 offers the slots by number, a typed phone number is taken.

Phone and confidentiality are no questions of their own: the phone comes from the message or the
resident's profile and is read back masked; 保密 is one word at the summary.
"""

from __future__ import annotations

from typing import Any

from bot.fsm import FSMContext, State, StatesGroup
from bot.types import Update
from dialogs.desk import CaseDesk
from dialogs.draft import minor_choices, summary
from dialogs.say import Say, masked, numbered
from nlu import NLU

EDITABLE = ("description", "location", "category", "phone", "photos")


class Report(StatesGroup):
    description = State()
    clarify = State()
    location = State()
    place_choice = State()
    road_detail = State()
    category_choice = State()
    confirm = State()
    edit_choice = State()
    edit_phone = State()
    urgent_location = State()
    resume = State()


def next_step(data: dict[str, Any]) -> State:
    if not data.get("description"):
        return Report.description
    if data.get("vague") and not data.get("clarified") and not data.get("urgent"):
        return Report.clarify
    if not data.get("location"):
        if data.get("place_choices"):
            return Report.place_choice
        if data.get("road_hint"):
            return Report.road_detail
        return Report.urgent_location if data.get("urgent") else Report.location
    category = data.get("category")
    unsure = category is None or (not category.get("confident") and category.get("source") == "auto")
    if unsure and not data.get("category_asked") and not data.get("urgent"):
        return Report.category_choice
    return Report.confirm


async def ask(step: State, data: dict[str, Any], say: Say, state: FSMContext, desk: CaseDesk, update: Update,
              location_ttl: int, nlu: NLU) -> None:
    """Ask ``step``'s question (remembering that it was asked) and keep the draft."""
    await state.set_state(step)
    if step == Report.description:
        say("report.ask_description")
    elif step == Report.clarify:
        data["clarified"] = True
        say("report.ask_what")
    elif step in (Report.location, Report.urgent_location):
        recent = data.get("recent_location")
        if recent and desk.clock().timestamp() - recent["at"] <= location_ttl:
            say("report.offer_recent_location", place=recent.get("label") or recent.get("grid_name", ""))
        else:
            say("report.ask_location", urgent=step == Report.urgent_location)
    elif step == Report.road_detail:
        say("report.ask_road_detail", road=data["road_hint"])
    elif step == Report.place_choice:
        say("report.location_choices", choices=numbered(data["place_choices"]))
    elif step == Report.category_choice:
        data["category_asked"] = True
        data["category_choices"] = minor_choices(nlu, data["description"])
        say("report.category_choices", choices=numbered(data["category_choices"]))
    else:
        await read_back(data, say, desk, update)
    await state.set_data(data)


async def read_back(data: dict[str, Any], say: Say, desk: CaseDesk, update: Update) -> None:
    """The summary: what will be filed, the phone masked, and the words that act on it."""
    if "phone" not in data:
        data["phone"] = await desk.profile_phone(update.resident_id, update.channel.value)
        data["phone_source"] = "profile" if data["phone"] else None
    say("report.summary", **summary(data), phone_masked=masked(data.get("phone")))


async def advance(data: dict[str, Any], say: Say, state: FSMContext, desk: CaseDesk, update: Update,
                  location_ttl: int, nlu: NLU) -> None:
    await ask(next_step(data), data, say, state, desk, update, location_ttl, nlu)
