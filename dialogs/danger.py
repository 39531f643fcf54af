"""Danger first, at every turn: fire, gas, electricity, someone hurt, trapped or drowning.

Tried before every other dialog (after the commands that work anywhere). Whatever the resident was
doing — starting, halfway through a report, at the summary, rating an old case — a message that tells
of danger to people gets, first, the emergency line to call (119 / 110 / 120 by kind), and the report is
filed as urgent the moment it has a place: at once when the place is known, else as soon as the
resident names it (the only question asked). Staff see it flagged urgent.
"""

from __future__ import annotations

from typing import Any

from bot.filters import Kind, Predicate
from bot.fsm import FSMContext
from bot.router import Router
from bot.types import Kind as K
from bot.types import Update
from dialogs.desk import CaseDesk
from dialogs.draft import absorb_text, classify, fresh, places_from_text, without_phone
from dialogs.filing import proceed
from dialogs.say import Say
from dialogs.steps import Report
from dialogs.understanding import Meaning
from dialogs.words import urgent_hotline
from geo import GeoService
from nlu import NLU, detect_urgency

router = Router("danger")


def warn(say: Say, kind: str | None) -> None:
    """The emergency line: which number to call for this kind of danger, before anything else."""
    say("report.urgent", kind=kind or "", hotline=urgent_hotline(kind))


def _danger(update: Update, data: dict[str, Any]) -> bool:
    return bool(update.text.strip()) and detect_urgency(update.text).urgent


@router.handler(Kind(K.TEXT, K.VOICE, K.IMAGE), Predicate(_danger))
async def danger(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU, geo: GeoService,
                 meaning: Meaning | None, raw_state: str | None, location_ttl: int) -> None:
    kind = detect_urgency(update.text).kind
    warn(say, kind)
    data = await state.get_data()
    in_report = raw_state is not None and Report.contains(raw_state) and raw_state != Report.resume
    if not in_report:
        data = fresh(data)
    data["urgent"], data["urgent_kind"] = True, kind
    if not data.get("description"):
        absorb_text(data, update.text, meaning, nlu, geo)
    else:
        # Mid-report: the danger leads; what was said before follows it in the description.
        if meaning is not None and meaning.phone:
            data["phone"], data["phone_source"] = meaning.phone, "message"
        if not data.get("location"):
            places_from_text(data, update.text, geo)
        data["description"] = f"{without_phone(update.text, data.get('phone'))}；{data['description']}"
        data.pop("category", None)
        data.pop("problems", None)
        classify(data, nlu, meaning)
    await proceed(data, say, state, desk, update, location_ttl, nlu)
