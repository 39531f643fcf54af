"""The learned intent model and its combination with the rules, on phrasings no rule lists."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu import NLU, Context, Intent, NLUError, read_intent
from nlu.intent_model import IntentModel, load_phrases
from nlu.intent_reading import train_intent_model

IDLE, REPORTING, RATING_ASKED = Context.IDLE, Context.REPORTING, Context.RATING_ASKED


def test_the_shipped_phrases_cover_every_intent_a_resident_asks_for() -> None:
    phrases = load_phrases()
    assert set(phrases) == set(Intent) - {Intent.OTHER}
    assert all(len(texts) >= 40 for texts in phrases.values())


def test_probabilities_cover_the_intents_and_sum_to_one() -> None:
    probs = train_intent_model().probabilities("那个事后来怎么样了")
    assert set(probs) == set(Intent) - {Intent.OTHER}
    assert abs(sum(probs.values()) - 1.0) < 1e-9
    assert max(probs, key=lambda i: probs[i]) is Intent.STATUS


def test_a_broken_phrase_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "phrases.yaml"
    bad.write_text("report: [a]\nwish: [b]\n", encoding="utf-8")
    with pytest.raises(NLUError, match="phrases"):
        load_phrases(bad)
    with pytest.raises(NLUError, match="phrases"):
        load_phrases(tmp_path / "missing.yaml")


def test_a_model_of_a_few_phrases_reads_new_ones_by_their_likeness() -> None:
    model = IntentModel({Intent.CANCEL: ["不报了", "取消吧"], Intent.GREETING: ["你好", "早上好"]})
    probs = model.probabilities("那就不报了吧")
    assert probs[Intent.CANCEL] > probs[Intent.GREETING]


@pytest.mark.parametrize(
    ("text", "context", "intent"),
    [
        ("有谁能跟我聊两句吗 我说不清楚", IDLE, Intent.HUMAN),
        ("那个事邻居已经帮忙搞定了 你们不用过来", IDLE, Intent.CANCEL),
        ("您好 在的吧", IDLE, Intent.GREETING),
        ("我们这个人工湖边上的路灯全黑了", IDLE, Intent.REPORT),
        ("我是搬运工人工钱被老板扣了一半", IDLE, Intent.REPORT),
        ("下水道又堵了，人工清理也没用", IDLE, Intent.REPORT),
        ("人工", IDLE, Intent.HUMAN),
    ],
)
def test_phrasings_the_rules_do_not_list(nlu: NLU, text: str, context: Context, intent: Intent) -> None:
    assert nlu.intent(text, context).intent is intent


def test_without_the_model_the_rules_alone_still_answer(nlu: NLU) -> None:
    assert read_intent("转人工", has_problem=False).intent is Intent.HUMAN
    assert read_intent("有谁能跟我聊两句吗 我说不清楚", has_problem=False).intent is not Intent.HUMAN


def test_a_short_answer_stays_an_answer_during_a_report(nlu: NLU) -> None:
    for text in ("好的", "不是", "跳过"):
        assert nlu.intent(text, REPORTING).intent is Intent.OTHER


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("修倒是修了 就是等得太久", 3),
        ("说不上好也说不上差", 3),
        ("bu man yi", 2),
        ("haoping", 5),
        ("路面是补上了 可是过了一周又裂开了", 2),
        ("我不认可这个结果", 2),
        ("我跟你们说，这个事情前前后后拖了一个多月，打了不知道多少次电话，每次都说马上处理马上处理，最后来了两个人看了"
         "一眼拍了照片就走了，问题到现在一点没变，我对这个处理结果很不满意", 1),
    ],
)
def test_verdicts_after_a_rating_request(nlu: NLU, text: str, score: int) -> None:
    reading = nlu.intent(text, RATING_ASKED)
    assert reading.intent is Intent.RATING
    assert reading.rating is not None and reading.rating.score == score


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("🙂", 5),
        ("😢😢", 1),
        ("[抱拳]", 5),
        ("3.5分", 4),
        ("一百分", 5),
        ("不咋样", 2),
        ("有点慢了", 2),
        ("还没好呢", 1),
        ("比原来强多了", 4),
        ("师傅很耐心", 4),
        ("糟透了", 1),
    ],
)
def test_short_answers_to_a_rating_request(nlu: NLU, text: str, score: int) -> None:
    reading = nlu.intent(text, RATING_ASKED)
    assert reading.intent is Intent.RATING
    assert reading.rating is not None and reading.rating.score == score


def test_a_face_is_only_a_rating_when_one_was_asked(nlu: NLU) -> None:
    assert nlu.intent("🙂", IDLE).intent is Intent.GREETING


@pytest.mark.parametrize(
    ("text", "context", "intent"),
    [
        ("我刚提交的那个能删了吗", IDLE, Intent.CANCEL),
        ("上午报的那个可以撤吗", IDLE, Intent.CANCEL),
        ("取消了的公交线路能不能恢复", IDLE, Intent.REPORT),
    ],
)
def test_withdrawing_an_earlier_report_and_a_cancelled_service(
    nlu: NLU, text: str, context: Context, intent: Intent
) -> None:
    assert nlu.intent(text, context).intent is intent


def test_dialect_for_all_right_is_a_middling_rating(nlu: NLU) -> None:
    reading = nlu.intent("还阔以", RATING_ASKED)
    assert reading.intent is Intent.RATING and reading.rating is not None and reading.rating.score == 3


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("请问望江路的路灯什么时候能修好", Intent.REPORT),
        ("请问这周什么时候停水", Intent.REPORT),
        ("我上次报的垃圾什么时候清运", Intent.STATUS),
        ("之前反映的路灯什么时候修", Intent.STATUS),
    ],
)
def test_asking_when_is_progress_only_about_an_earlier_report(nlu: NLU, text: str, intent: Intent) -> None:
    assert nlu.intent(text).intent is intent
