"""Rating: after a case is closed, the resident says how it went — one tap or one word is enough.

    close push (rating.ask) ──▶ next message read as a rating when it sounds like one:
        1–5 · 满意 / 基本满意 / 不满意 · 修好了 / 修了一半 / 还没修 · free words (by intent)
    ──▶ thanks (a bad rating: a call-back is promised) ──▶ optional comment (跳过 to skip)
    menu RATE / "评价 BH…" ──▶ choose the case (numbered when several await) ──▶ the same
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import SkipHandler
from bot.filters import Keywords, Kind, Predicate, StateIs
from bot.fsm import FSMContext, State, StatesGroup
from bot.router import Router
from bot.text import normalise
from bot.types import Kind as K
from bot.types import Update
from cases.errors import CaseError
from dialogs.desk import CaseDesk
from dialogs.say import Say, numbered, pick_number
from dialogs.status import NamesCase
from dialogs.understanding import Meaning, cue_of
from dialogs.words import RATE_WORDS
from nlu import Cue, Intent

router = Router("rating")


class Rating(StatesGroup):
    choosing = State()
    score = State()
    comment = State()


# rating.ask offers "1 满意，2 基本满意，3 不满意"; a bare 4 or 5 can only be a score ("5分" always is).
CHOICES = {"1": 5, "2": 4, "3": 2, "4": 4, "5": 5}
SCORES = {"非常满意": 5, "很满意": 5, "满意": 5, "基本满意": 4, "还行": 4, "还可以": 4, "一般": 3,
          "不太满意": 2, "不满意": 2, "很不满意": 1, "非常不满意": 1, "差": 1, "太差了": 1}
FIXED = {"修好了": "yes", "已修好": "yes", "好了": "yes", "解决了": "yes", "已解决": "yes", "弄好了": "yes",
         "修了一半": "partly", "部分解决": "partly", "修了一部分": "partly", "还差一点": "partly",
         "还没修": "no", "没修好": "no", "没修": "no", "没解决": "no", "还是坏的": "no", "没人来": "no",
         "没有解决": "no", "还没好": "no"}

_FIXED_LONGEST_FIRST = sorted(FIXED, key=len, reverse=True)


def read_rating(text: str, meaning: Meaning | None) -> tuple[int | None, str | None] | None:
    """(score, fixed) from a resident's answer, or None when it is not a rating."""
    word = normalise(text)
    points = re.fullmatch(r"([1-5])\s*(?:分|星|颗星)", word)
    if points:
        return int(points.group(1)), None
    if word in CHOICES:
        return CHOICES[word], None
    if word in SCORES:
        return SCORES[word], None
    if word in FIXED:
        return None, FIXED[word]
    for phrase in _FIXED_LONGEST_FIRST:
        if phrase in word and len(word) <= 12:
            return None, FIXED[phrase]
    if meaning is not None and meaning.intent is Intent.RATING and meaning.rating is not None:
        return meaning.rating.score, None
    return None


def _sounds_like_rating(update: Update, data: dict[str, Any]) -> bool:
    return update.kind in (K.TEXT, K.VOICE) and read_rating(update.text, data.get("meaning")) is not None


async def _record(update: Update, number: str, verdict: tuple[int | None, str | None], state: FSMContext,
                  say: Say, desk: CaseDesk) -> None:
    score, fixed = verdict
    comment = update.text.strip() if score is None and fixed is None else None
    try:
        rating = await desk.rate(number=number, openid=update.resident_id, score=score, fixed=fixed,
                                 comment=comment)
    except CaseError:
        await state.set_state(None)
        say("rating.expired", number=number)
        return
    await state.update_data(rating_case=number)
    await state.set_state(Rating.comment)
    say("rating.thanks_bad" if rating.needs_callback else "rating.thanks_good", number=number)
    say("rating.ask_comment")


@router.handler(StateIs(None), Predicate(_sounds_like_rating))
async def rating_after_close(update: Update, state: FSMContext, say: Say, desk: CaseDesk,
                             meaning: Meaning | None) -> None:
    waiting = await desk.awaiting_rating(update.resident_id)
    if not waiting:
        raise SkipHandler  # no case awaits a rating: the next routers read the message
    verdict = read_rating(update.text, meaning)
    assert verdict is not None
    await _record(update, waiting[0].number, verdict, state, say, desk)


@router.handler(NamesCase, Predicate(lambda u, d: "评价" in u.text))
async def rate_by_number(update: Update, number: str, state: FSMContext, say: Say,
                         desk: CaseDesk) -> None:
    waiting = {case.number for case in await desk.awaiting_rating(update.resident_id)}
    if number not in waiting:
        say("rating.nothing_to_rate")
        return
    await state.set_data({**await state.get_data(), "rating_case": number})
    await state.set_state(Rating.score)
    say("rating.ask", number=number)


@router.handler(Keywords(exact=RATE_WORDS, click_keys=["RATE"]))
async def rate_from_menu(update: Update, state: FSMContext, say: Say, desk: CaseDesk) -> None:
    waiting = list(await desk.awaiting_rating(update.resident_id))
    if not waiting:
        say("rating.nothing_to_rate")
        return
    if len(waiting) == 1:
        await state.set_data({**await state.get_data(), "rating_case": waiting[0].number})
        await state.set_state(Rating.score)
        say("rating.ask", number=waiting[0].number)
        return
    await state.set_data({**await state.get_data(), "rating_choices": [c.number for c in waiting[:5]]})
    await state.set_state(Rating.choosing)
    say("rating.choose_case", cases=numbered([{"number": c.number, "category": c.minor_name or c.major_name}
                                              for c in waiting[:5]]))


@router.handler(StateIs(Rating.choosing), Kind(K.TEXT, K.VOICE))
async def choose(update: Update, state: FSMContext, say: Say) -> None:
    data = await state.get_data()
    choices = data.get("rating_choices", [])
    choice = pick_number(update.text, len(choices))
    if choice is None:
        say("rating.choose_case", cases=numbered([{"number": n, "category": ""} for n in choices]))
        return
    await state.update_data(rating_case=choices[choice - 1])
    await state.set_state(Rating.score)
    say("rating.ask", number=choices[choice - 1])


@router.handler(StateIs(Rating.score), Kind(K.TEXT, K.VOICE))
async def score(update: Update, state: FSMContext, say: Say, desk: CaseDesk, meaning: Meaning | None) -> None:
    data = await state.get_data()
    verdict = read_rating(update.text, meaning)
    if verdict is None:
        say("rating.not_understood")
        return
    await _record(update, data["rating_case"], verdict, state, say, desk)


@router.handler(StateIs(Rating.comment), Kind(K.TEXT, K.VOICE))
async def comment(update: Update, state: FSMContext, say: Say, desk: CaseDesk, meaning: Meaning | None) -> None:
    data = await state.get_data()
    await state.set_data({k: v for k, v in data.items() if k not in ("rating_case", "rating_choices")})
    await state.set_state(None)
    if cue_of(meaning) in (Cue.SKIP, Cue.DENY):
        say("rating.done")
        return
    await desk.comment(number=data["rating_case"], openid=update.resident_id, comment=update.text.strip())
    say("rating.comment_saved")
