"""Filing what the resident told us: one case, several (one per problem), or an urgent one at once.

An urgent report is filed as soon as it has a description and a place: no category question and no
summary, since the resident has more pressing things to do; staff see it flagged urgent.
"""

from __future__ import annotations

from typing import Any

from bot.fsm import FSMContext
from bot.types import Update
from cases import AppealType, Category, Place
from cases.drafts import CaseDraft, FiledCase, StoredPhoto
from dialogs.desk import CaseDesk
from dialogs.draft import fresh
from dialogs.say import Say
from dialogs.steps import advance
from dialogs.words import local_time
from nlu import NLU


def _draft(update: Update, data: dict[str, Any], description: str, category: dict[str, Any],
           appeal: str | None) -> CaseDraft:
    location = data["location"]
    return CaseDraft(
        openid=update.resident_id, channel=update.channel.value,
        description=description,
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
        appeal_type=AppealType(appeal) if appeal else None,
    )


def drafts_of(update: Update, data: dict[str, Any]) -> list[CaseDraft]:
    """One draft, or one per problem when the resident raised several and did not ask to merge them."""
    problems = data.get("problems") or []
    if len(problems) >= 2 and not data.get("merged"):
        return [_draft(update, data, problem["text"], problem["category"], problem.get("appeal"))
                for problem in problems]
    return [_draft(update, data, data["description"], data.get("category") or {}, data.get("appeal"))]


async def file_drafts(update: Update, data: dict[str, Any], desk: CaseDesk) -> list[FiledCase]:
    """File what the draft holds (the chat after 确认, the mini-program's form on submission)."""
    return [await desk.file(draft) for draft in drafts_of(update, data)]


async def file_report(update: Update, data: dict[str, Any], state: FSMContext, say: Say, desk: CaseDesk) -> None:
    filed = await file_drafts(update, data, desk)
    await state.set_data(fresh(data))
    await state.set_state(None)
    tell_filed(filed, say)


def tell_filed(filed: list[FiledCase], say: Say) -> None:
    """The case number(s), who handles it and when to expect an answer."""
    if len(filed) > 1:
        say("report.filed_several", cases=[_view(one) for one in filed])
        return
    one = filed[0]
    case = one.case
    if case.urgent:
        say("report.urgent_filed", **_view(one))
    elif one.joined_existing:
        # the resident's own earlier report of the same problem is no "neighbour"
        say("report.filed_duplicate", number=case.number, neighbours=one.neighbours,
            due_text=local_time(case.due_at), grid_name=case.grid_name)
    else:
        say("report.filed", number=case.number, due_text=local_time(case.due_at), grid_name=case.grid_name)


def _view(filed: FiledCase) -> dict[str, Any]:
    case = filed.case
    return {"number": case.number, "category": case.minor_name or case.major_name, "grid_name": case.grid_name,
            "due_text": local_time(case.due_at), "place": case.address or case.grid_name}


async def proceed(data: dict[str, Any], say: Say, state: FSMContext, desk: CaseDesk, update: Update,
                  location_ttl: int, nlu: NLU) -> None:
    """File an urgent report the moment it is complete enough; otherwise ask what is still missing."""
    if data.get("urgent") and data.get("description") and data.get("location") and data.get("category"):
        await file_report(update, data, state, say, desk)
    else:
        await advance(data, say, state, desk, update, location_ttl, nlu)
