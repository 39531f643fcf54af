"""Rating: after a case is closed, the resident says how it went — one tap or one word is enough.

    close push (rating.ask) ──▶ next message read as a rating when it sounds like one (before any command):
        the prompt's numbered options (1 满意 …) · anything the NLU reads as a rating in context:
        1–5 · 5分 · ⭐⭐⭐⭐ · 满意 / 还行吧 / 这也叫处理了？ · 修好了 / 修了一半 / 还没修
    ──▶ thanks (a bad rating: a call-back is promised) ──▶ optional comment (跳过 to skip)
    menu RATE / "评价 BH…" ──▶ choose the case (numbered when several await) ──▶ the same

The score and whether the problem was fixed are the NLU's reading (its one scale, nlu/ratings.py); the
dialog only knows its prompt's numbered options (``cases.ratings.PROMPT_OPTIONS``, which the prompts show
through their required ``options`` variable), and reads an option as the words it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.errors import SkipHandler
from bot.filters import Keywords, Kind, Predicate, StateIs
from bot.fsm import FSMContext, State, StatesGroup
from bot.router import Router
from bot.text import normalise
from bot.types import Kind as K
from bot.types import Update
from cases.errors import CaseError
from cases.ratings import PROMPT_OPTIONS, prompt_options_text
from dialogs.desk import CaseDesk
from dialogs.say import Say, numbered, pick_number
from dialogs.status import NamesCase
from dialogs.understanding import Meaning, cue_of
from dialogs.words import RATE_WORDS
from nlu import NLU, Context, Cue, Fixed, Intent, IntentReading, fixed_verdict

router = Router("rating")
# Tried before the commands: after a close push, "修好了" or "解决了" rates the case (idle, the NLU alone would
# read it as "no need any more", a withdrawal with nothing to withdraw).
after_close = Router("rating after close")


class Rating(StatesGroup):
    choosing = State()
    score = State()
    comment = State()


# The numbered options rating.ask and rating.not_understood offer ("回复 1 满意，2 基本满意，3 不满意"), in
# their order: "1" means the words of option 1, read by the NLU like any other answer. The prompts show
# these very options (their required ``options`` variable, which a staff edit cannot drop or reword), so
# what the resident reads and what a digit means never part.
OPTIONS_TEXT = prompt_options_text()
SCORE_DIGITS = 5  # a bare digit past the options is a score ("4", "5")
SHORT_ANSWER = 12  # without the prompt, only a short answer is read as one ("修好了", "还没修")


@dataclass(frozen=True)
class Verdict:
    """What the resident's answer records: the NLU's score and whether the problem was fixed."""

    score: int
    fixed: Fixed | None


def _verdict(reading: IntentReading | Meaning) -> Verdict | None:
    if reading.intent is not Intent.RATING or reading.rating is None:
        return None
    return Verdict(reading.rating.score, reading.fixed)


def read_answer(text: str, nlu: NLU, meaning: Meaning | None = None) -> Verdict | None:
    """The rating in an answer to the rating prompt, or None when the answer is not one.

    ``meaning`` is the message's reading when it was already made in the rating prompt's context.
    """
    option = pick_number(text, len(PROMPT_OPTIONS))
    if option is not None:
        return _verdict(nlu.intent(PROMPT_OPTIONS[option - 1], Context.RATING_ASKED))
    if meaning is not None and meaning.context is Context.RATING_ASKED:
        return _verdict(meaning)
    return _verdict(nlu.intent(text, Context.RATING_ASKED))


def _unprompted(update: Update, data: dict[str, Any]) -> dict[str, Verdict] | bool:
    """A message sent while idle that rates a case: a rating in any context ("5分", "这也叫处理了？"), or a short
    answer to the close push that only the push makes one (an option, a digit, 修好了 / 还没修)."""
    meaning: Meaning | None = data.get("meaning")
    if meaning is None:
        return False
    text = update.text
    rated = meaning.intent is Intent.RATING
    answers = len(normalise(text)) <= SHORT_ANSWER and (
        pick_number(text, SCORE_DIGITS) is not None or fixed_verdict(text) is not None)
    if not (rated or answers):
        return False
    verdict = read_answer(text, data["nlu"]) or (_verdict(meaning) if rated else None)
    return {"verdict": verdict} if verdict is not None else False


async def _record(update: Update, number: str, verdict: Verdict, state: FSMContext, say: Say,
                  desk: CaseDesk) -> None:
    fixed = verdict.fixed.value if verdict.fixed is not None else None
    try:
        rating = await desk.rate(number=number, openid=update.resident_id, score=verdict.score, fixed=fixed,
                                 comment=None)
    except CaseError:
        await state.set_state(None)
        say("rating.expired", number=number)
        return
    await state.update_data(rating_case=number)
    await state.set_state(Rating.comment)
    say("rating.thanks_bad" if rating.needs_callback else "rating.thanks_good", number=number)
    say("rating.ask_comment")


@after_close.handler(StateIs(None), Kind(K.TEXT, K.VOICE), Predicate(_unprompted, provides=("verdict",)))
async def rating_after_close(update: Update, state: FSMContext, say: Say, desk: CaseDesk, verdict: Verdict) -> None:
    waiting = await desk.awaiting_rating(update.resident_id)
    if not waiting:
        raise SkipHandler  # no case awaits a rating: the next routers read the message
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
    say("rating.ask", number=number, options=OPTIONS_TEXT)


@router.handler(Keywords(exact=RATE_WORDS, click_keys=["RATE"]))
async def rate_from_menu(update: Update, state: FSMContext, say: Say, desk: CaseDesk) -> None:
    waiting = list(await desk.awaiting_rating(update.resident_id))
    if not waiting:
        say("rating.nothing_to_rate")
        return
    if len(waiting) == 1:
        await state.set_data({**await state.get_data(), "rating_case": waiting[0].number})
        await state.set_state(Rating.score)
        say("rating.ask", number=waiting[0].number, options=OPTIONS_TEXT)
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
    say("rating.ask", number=choices[choice - 1], options=OPTIONS_TEXT)


@router.handler(StateIs(Rating.score), Kind(K.TEXT, K.VOICE))
async def score(update: Update, state: FSMContext, say: Say, desk: CaseDesk, nlu: NLU,
                meaning: Meaning | None) -> None:
    data = await state.get_data()
    verdict = read_answer(update.text, nlu, meaning)
    if verdict is None:
        say("rating.not_understood", options=OPTIONS_TEXT)
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
