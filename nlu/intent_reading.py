"""The intent of a message: the rules (`intents.py`) and the learned model (`intent_model.py`) together.

The rules read explicit forms ("转人工", "5分", "那就取消吧") with high confidence; the model reads what a
message is like as a whole and carries the phrasings no rule lists. Each intent scores the model's
probability (shifted by the context: after a rating request a rating is likelier; and by a described
problem: a report is likelier) plus RULE_WEIGHT x the rules' confidence for the rules' intent; the best
wins. A rating needs a score, so it can win only when one is read. A short answer to the bot's question
(``other`` with a cue: 不是, 跳过, 好的) stays one; another short reply the rules leave as ``other`` is
read as a request when the model is sure it asks to cancel, for a person or for progress. Long messages,
messages carrying a number (a phone, a case number) and, while a report is being filled in, messages
about one of its parts (照片发错了, 地址改成…) keep the rules' reading.
"""

from __future__ import annotations

import re
from dataclasses import replace

from nlu.intent_model import IntentModel, load_phrases
from nlu.intents import LONG_TEXT, cancels_something_else, clean, rule_intent
from nlu.ratings import answer_rating, explicit_rating, fixed_verdict, lean_rating
from nlu.vocabulary import Context, Cue, Intent, IntentReading


def train_intent_model() -> IntentModel:
    """The intent model trained on the shipped phrases, read the way messages are read."""
    return IntentModel({intent: [clean(p) for p in texts] for intent, texts in load_phrases().items()})


# Combining the model with the rules: a rule's reading weighs RULE_WEIGHT x its confidence against the
# model's probabilities; the context and a described problem shift the model's priors.
RULE_WEIGHT = 1.0
PRIORS: dict[Context, dict[Intent, float]] = {
    Context.IDLE: {Intent.RATING: 0.5},
    Context.REPORTING: {Intent.CANCEL: 1.5, Intent.RATING: 0.3},
    Context.RATING_ASKED: {Intent.RATING: 4.0},
}
PROBLEM_PRIOR = 2.0
ANSWER_OVERRIDE = 0.6  # the model's probability needed to read a short answer as a request after all
_REQUESTS = (Intent.CANCEL, Intent.HUMAN, Intent.STATUS)
_DATA = re.compile(r"\d{5,}")  # a phone or case number: an answer carrying data
_SLOT = re.compile(r"照片|图片|相片|视频|地址|地点|位置|电话|手机|号码|描述|类别|分类|门牌|楼栋|单元")


def read_intent(
    text: str, *, context: Context = Context.IDLE, has_problem: bool, has_case_number: bool = False,
    model: IntentModel | None = None,
) -> IntentReading:
    """The intent of one message; `has_problem` is whether the classifier found category keywords.

    With a `model`, its probabilities are combined with the rules' reading (long texts keep the rules').
    A rating carries whether the problem was fixed when its words say so.
    """
    reading = _read(text, context, has_problem, has_case_number, model)
    if reading.intent is not Intent.RATING:
        return reading
    return replace(reading, fixed=fixed_verdict(text))


def _read(
    text: str, context: Context, has_problem: bool, has_case_number: bool, model: IntentModel | None,
) -> IntentReading:
    ruled = rule_intent(text, context=context, has_problem=has_problem, has_case_number=has_case_number)
    if model is None or len(text) > LONG_TEXT:
        return ruled
    t = clean(text)
    if not t or _DATA.search(t) or (context is Context.REPORTING and _SLOT.search(t)):
        return ruled  # data, or a word about the report being filled in: the dialog reads it with its state
    if context is Context.RATING_ASKED and ruled.intent is Intent.RATING:
        return ruled  # the bot asked for a rating and the words give one: "谢谢", "ok" answer it
    probs = model.probabilities(t)
    priors = PRIORS[context]
    for intent in probs:
        probs[intent] *= priors.get(intent, 1.0) * (PROBLEM_PRIOR if has_problem and intent is Intent.REPORT else 1.0)
    total = sum(probs.values())
    probs = {intent: p / total for intent, p in probs.items()}
    if context is Context.RATING_ASKED and ruled.cue in (None, Cue.CONFIRM) and max(probs, key=lambda i: probs[i]) \
            is Intent.RATING and ruled.intent in (Intent.OTHER, Intent.REPORT, Intent.GREETING, Intent.HELP):
        return IntentReading(Intent.RATING, round(min(0.7, probs[Intent.RATING]), 2), rating=lean_rating(text))
    if cancels_something_else(t):  # "物业费能取消吗" asks about the fee: never a withdrawal
        probs[Intent.CANCEL] = 0.0
    if ruled.intent is Intent.OTHER:  # an answer ("不是", "2") stays one; a reply without a cue may ask
        best = max(_REQUESTS, key=lambda i: probs.get(i, 0.0))
        if ruled.cue is not None or probs.get(best, 0.0) < ANSWER_OVERRIDE:
            return ruled
        return IntentReading(best, round(probs[best], 2))
    scores = dict(probs)
    scores[ruled.intent] = scores.get(ruled.intent, 0.0) + RULE_WEIGHT * ruled.confidence
    rating = ruled.rating or (answer_rating(text) if context is Context.RATING_ASKED else explicit_rating(text))
    if rating is None:
        scores.pop(Intent.RATING, None)  # no score to give: not a rating
    best = max(scores, key=lambda i: scores[i])
    if best is ruled.intent:
        return ruled
    return IntentReading(best, round(min(0.8, probs[best]), 2), rating=rating if best is Intent.RATING else None,
                         cue=ruled.cue)


