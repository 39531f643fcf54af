"""Status: "我的工单" / "进度怎么样了" / a case number → the resident's own cases, in plain words.

    case number (any step) ──▶ that case, if it is the resident's; else the same answer as an unknown number
    我的工单 / menu MY_CASES / a progress question ──▶ the open cases, newest first (or "none open")
"""

from __future__ import annotations

import re
from typing import Any

from bot.filters import Keywords, Predicate, Regex, StateIs
from bot.router import Router
from bot.types import Update
from cases import STATUS_LABELS
from dialogs.desk import CaseDesk
from dialogs.say import Say
from dialogs.words import MY_CASES_WORDS, local_time

router = Router("status")
CASE_NUMBER = re.compile(r"BH\s*\d{8}\s*-?\s*\d{4}", re.IGNORECASE)


def _number(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    return f"BH{digits[:8]}-{digits[8:12]}"


async def _view(case: Any, desk: CaseDesk) -> dict[str, Any]:
    return {"number": case.number, "status_text": STATUS_LABELS.get(case.status, case.status),
            "last_step": await desk.last_step(case), "updated": local_time(case.updated_at)}


def _is_rating_request(update: Update, data: dict[str, Any]) -> bool:
    return "评价" in update.text


@router.handler(Regex(CASE_NUMBER), ~Predicate(_is_rating_request))
async def one_case(update: Update, match: re.Match[str], say: Say, desk: CaseDesk) -> None:
    number = _number(match.group(0))
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
