"""The NLU's vocabulary as types: what a resident wants, in which context, and what kind of appeal it is.

These are the words the dialogs and the case records speak; every value is a plain string underneath
(``StrEnum``), so they compare equal to their values, serialise as themselves and fit a database column.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Context(StrEnum):
    """Where the conversation stands when a message arrives; it changes how short replies read.

    ``idle``: nothing asked ("5" is not a rating, "好的" is a pleasantry). ``reporting``: the bot is
    collecting a report and has asked something (confirm/skip/back cues matter, "算了" cancels).
    ``rating_asked``: the bot asked for a rating (a bare "4", "还行吧" or "一般般" is a score).
    """

    IDLE = "idle"
    REPORTING = "reporting"
    RATING_ASKED = "rating_asked"


class Intent(StrEnum):
    """What the resident wants from this message.

    ``other`` is a short reply that asks for nothing by itself (an answer to the bot's question such
    as "好的", "2" or a phone number); the dialog reads it with its state and the message's ``cue``.
    """

    REPORT = "report"  # describes a problem (or asks to report one)
    STATUS = "status"  # asks how an earlier report is going
    RATING = "rating"  # rates a closed case; see IntentReading.rating
    CANCEL = "cancel"  # drop the report in progress / withdraw the last one
    HUMAN = "human"  # wants a person
    GREETING = "greeting"  # only a greeting
    HELP = "help"  # asks what the bot can do, or says nothing the bot can act on
    OTHER = "other"  # a short answer; read with Cue and the dialog's state


class Cue(StrEnum):
    """How a short reply answers the bot's last question (None when it is not such an answer)."""

    CONFIRM = "confirm"  # 好的, 确认, 没问题, 对
    DENY = "deny"  # 不是, 不对, 不用, 不要
    SKIP = "skip"  # 跳过, 没有, 不方便留
    BACK = "back"  # 返回, 上一步, 改一下
    CORRECTION = "correction"  # 不对，是望江路那边 — a correction carrying the right value


class Polarity(StrEnum):
    GOOD = "good"
    NEUTRAL = "neutral"
    BAD = "bad"


class Fixed(StrEnum):
    """Whether the rated problem was fixed, as the resident says it: 修好了, 修了一半, 还没修."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


@dataclass(frozen=True)
class Rating:
    """A resident's verdict on a closed case: a score 1–5 and its polarity (4–5 good, 3 neutral)."""

    score: int

    def __post_init__(self) -> None:
        if not 1 <= self.score <= 5:
            raise ValueError(f"a rating score is 1-5, not {self.score}")

    @property
    def polarity(self) -> Polarity:
        if self.score >= 4:
            return Polarity.GOOD
        return Polarity.NEUTRAL if self.score == 3 else Polarity.BAD


class AppealType(StrEnum):
    """诉求类型 as 12345 platforms record it, independent of the subject category."""

    COMPLAINT = "投诉"  # something is wrong and someone should fix it
    TIP_OFF = "举报"  # someone breaks a rule (illegal building, fraud, pollution by a firm)
    HELP_REQUEST = "求助"  # the resident needs help for themselves
    INQUIRY = "咨询"  # a question about a policy or procedure
    SUGGESTION = "建议"  # an idea for improvement
    PRAISE = "表扬"  # thanks or praise
    OTHER = "其他"


@dataclass(frozen=True)
class IntentReading:
    """The intent of one message in its context, with the details the dialog acts on.

    ``confidence`` is 0–1: ≥ 0.8 for an explicit phrase ("转人工", "5分"), lower for readings that
    rest on weaker evidence (a long text read as a report by its length alone).
    """

    intent: Intent
    confidence: float
    rating: Rating | None = None  # set when intent is RATING
    cue: Cue | None = None  # set for short answers, whatever the intent
    fixed: Fixed | None = None  # with a rating, when the words say whether the problem was fixed

    @property
    def label(self) -> str:
        """The intent as one word, ratings split by polarity: "rate_good", "rate_bad", "rate_neutral"."""
        if self.intent is Intent.RATING and self.rating is not None:
            return f"rate_{self.rating.polarity.value}"
        return self.intent.value
