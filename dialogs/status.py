"""Status: "我的工单" / "进度怎么样了" / a case number → the resident's own cases, in plain words.

    case number (any step) ──▶ that case, if it is the resident's; else the same answer as an unknown number
    我的工单 / menu MY_CASES / a progress question ──▶ open cases and those closed or rejected lately, newest
        first, each with its problem, place, state and date ──▶ "2" / "第二个" ──▶ that case in full
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.errors import SkipHandler
from bot.filters import Keywords, Kind, Predicate, StateIs
from bot.fsm import FSMContext, State, StatesGroup
from bot.router import Router
from bot.types import Kind as K
from bot.types import Update
from cases import CaseStatus
from dialogs.desk import CaseDesk
from dialogs.say import Say, pick_number
from dialogs.understanding import says
from dialogs.words import local_date, local_time
from nlu import Intent, extract_case_number

router = Router("status")
RECENT_DAYS = 30  # closed and rejected cases stay in the list this long
MAX_LISTED = 5
FINAL = (CaseStatus.CLOSED, CaseStatus.REJECTED)


class Status(StatesGroup):
    pick = State()


def case_number(update: Update, data: dict[str, Any]) -> dict[str, str] | bool:
    """A filter: the text names a case number (read by the NLU's one parser); passes it on as ``number``."""
    if update.kind not in (K.TEXT, K.VOICE):
        return False
    number = extract_case_number(update.text)
    return {"number": number} if number else False


NamesCase = Predicate(case_number, provides=("number",))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _brief(case: Any) -> dict[str, Any]:
    return {"number": case.number, "category": case.minor_name or case.major_name,
            "place": case.address or case.grid_name, "status_text": CaseStatus.label_of(case.status),
            "date": local_date(case.created_at), "closed": case.status in FINAL}


async def _view(case: Any, desk: CaseDesk) -> dict[str, Any]:
    step = await desk.last_step(case)
    return {**_brief(case), "step": step.kind, "step_status": CaseStatus.label_of(step.status or case.status),
            "step_department": step.department or "", "step_note": step.note or "", "reopened": step.reopened,
            "updated": local_time(case.updated_at)}


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


@router.handler(Keywords(click_keys=["MY_CASES"]) | Predicate(says(Intent.STATUS, at_least=0.85)))
async def my_cases(update: Update, say: Say, desk: CaseDesk, state: FSMContext, raw_state: str | None) -> None:
    await _list(update, say, desk, state, raw_state)


@router.handler(StateIs(None, Status.pick), Predicate(_asks_progress))
async def progress_question(update: Update, say: Say, desk: CaseDesk, state: FSMContext,
                            raw_state: str | None) -> None:
    await _list(update, say, desk, state, raw_state)


@router.handler(StateIs(Status.pick), Kind(K.TEXT, K.VOICE),
                Predicate(lambda update, data: pick_number(update.text, MAX_LISTED) is not None))
async def pick(update: Update, say: Say, desk: CaseDesk, state: FSMContext) -> None:
    listed: list[str] = (await state.get_data()).get("listed", [])
    choice = pick_number(update.text, len(listed))
    case = await desk.case(update.resident_id, listed[choice - 1]) if choice else None
    if case is None:
        say("status.pick_again", count=len(listed))
        return
    say("status.one", **await _view(case, desk))


@router.handler(StateIs(Status.pick))
async def done_picking(state: FSMContext, data: dict[str, Any]) -> None:
    """Anything else after the list: the list is done with; the message goes to the other dialogs."""
    await state.set_state(None)
    data["raw_state"] = None
    raise SkipHandler


def shown(cases: Sequence[Any], now: datetime) -> list[Any]:
    """Open cases, and those closed or rejected within :data:`RECENT_DAYS`; newest first."""
    since = now - timedelta(days=RECENT_DAYS)
    return [case for case in cases
            if case.status not in FINAL or _aware(case.updated_at) >= since][:MAX_LISTED]


async def _list(update: Update, say: Say, desk: CaseDesk, state: FSMContext, raw_state: str | None) -> None:
    cases = shown(await desk.all_cases(update.resident_id), desk.clock())
    if not cases:
        say("status.none")
        return
    if len(cases) == 1:
        say("status.one", **await _view(cases[0], desk))
        return
    say("status.list", cases=[{"n": n, **_brief(case)} for n, case in enumerate(cases, start=1)])
    if raw_state is None or raw_state == Status.pick:
        # only when no report is in progress: a listed number must not end a half-written report
        data = await state.get_data()
        data["listed"] = [case.number for case in cases]
        await state.set_data(data)
        await state.set_state(Status.pick)
