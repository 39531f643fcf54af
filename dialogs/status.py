"""Status: "我的工单" / "进度怎么样了" / a case number → the resident's own cases, in plain words.

    case number (any step) ──▶ that case, if it is the resident's; else the same answer as an unknown number
    我的工单 / menu MY_CASES / a progress question ──▶ the open cases, newest first (or "none open")
"""

from __future__ import annotations

from typing import Any

from bot.filters import Keywords, Predicate, StateIs
from bot.router import Router
from bot.types import Kind, Update
from cases import CaseStatus
from dialogs.desk import CaseDesk
from dialogs.say import Say
from dialogs.words import MY_CASES_WORDS, local_time
from nlu import extract_case_number

router = Router("status")


def case_number(update: Update, data: dict[str, Any]) -> dict[str, str] | bool:
    """A filter: the text names a case number (read by the NLU's one parser); passes it on as ``number``."""
    if update.kind not in (Kind.TEXT, Kind.VOICE):
        return False
    number = extract_case_number(update.text)
    return {"number": number} if number else False


NamesCase = Predicate(case_number, provides=("number",))


async def _view(case: Any, desk: CaseDesk) -> dict[str, Any]:
    return {"number": case.number, "status_text": CaseStatus.label_of(case.status),
            "last_step": await desk.last_step(case), "updated": local_time(case.updated_at)}


def _is_rating_request(update: Update, data: dict[str, Any]) -> bool:
    return "评价" in update.text


@router.handler(NamesCase, ~Predicate(_is_rating_request))
async def one_case(update: Update, number: str, say: Say, desk: CaseDesk) -> None:
    case = await desk.case(update.resident_id, number)
    if case is None:
        say("status.unknown_number", number=number)
        return
    say("status.one", **await _view(case, desk))


def _asks_progress(update: Update, data: dict[str, Any]) -> bool:
    meaning = data.get("meaning")
    return meaning is not None and meaning.intent == "status"


@router.handler(Keywords(exact=MY_CASES_WORDS, click_keys=["MY_CASES"]))
async def my_cases(update: Update, say: Say, desk: CaseDesk) -> None:
    await _list(update, say, desk)


@router.handler(StateIs(None), Predicate(_asks_progress))
async def progress_question(update: Update, say: Say, desk: CaseDesk) -> None:
    await _list(update, say, desk)


async def _list(update: Update, say: Say, desk: CaseDesk) -> None:
    cases = await desk.open_cases(update.resident_id)
    if not cases:
        say("status.none")
        return
    if len(cases) == 1:
        say("status.one", **await _view(cases[0], desk))
        return
    say("status.list", cases=[await _view(case, desk) for case in cases[:5]])
