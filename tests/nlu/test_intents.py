from __future__ import annotations

import pytest

from nlu import NLU, Context, Cue, Fixed, Intent, Polarity, Rating

IDLE, REPORTING, RATING_ASKED = Context.IDLE, Context.REPORTING, Context.RATING_ASKED


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("你好 我们小区垃圾三天没人收了", "report"),
        ("我要投诉", "report"),
        ("BH20261127-0001", "status"),
        ("我上次反映的路灯修好了没", "status"),
        ("我那个投诉办结了没有", "status"),
        ("都三天了我那个事有人接了吗", "status"),
        ("处理得很及时 满意", "rate_good"),
        ("不满意 根本没解决", "rate_bad"),
        ("这也叫处理了？", "rate_bad"),
        ("取消", "cancel"),
        ("那就取消吧", "cancel"),
        ("算了 不报了", "cancel"),
        ("刚刚发错了，撤销一下", "cancel"),
        ("问题自己解决了，不用派人了", "cancel"),
        ("转人工", "human"),
        ("能帮我转给人工吗", "human"),
        ("有没有人工啊，机器人听不懂", "human"),
        ("怎么还没人回我", "human"),
        ("我上次反映的问题怎么没人回我", "status"),
        ("我要撤诉", "cancel"),
        ("不想弄了", "cancel"),
        ("我打错了", "cancel"),
        ("有没有人啊", "greeting"),
        ("你好", "greeting"),
        ("在吗？", "greeting"),
        ("怎么用", "help"),
        ("可以匿名吗", "help"),
        ("都能报哪些问题", "help"),
        ("谢谢啦", "greeting"),
        ("好的 我知道了", "greeting"),
        ("同志你好", "greeting"),
        ("我要见领导", "human"),
        ("投诉电话是多少", "human"),
        ("帮我催催", "status"),
        ("上周六报的漏水有进展吗", "status"),
        ("这单不要了", "cancel"),
        ("刚刚是测试 别当真", "cancel"),
        ("公积金贷款审批两个月了还没下来", "report"),
        ("有人冒充快递客服打电话 骗我转账", "report"),
        ("", "help"),
    ],
)
def test_intents_when_idle(nlu: NLU, text: str, intent: str) -> None:
    assert nlu.intent(text).label == intent


@pytest.mark.parametrize(
    ("text", "context", "score"),
    [
        ("5分", IDLE, 5),
        ("10分", IDLE, 5),
        ("打个8分吧", IDLE, 4),
        ("⭐⭐⭐⭐⭐", IDLE, 5),
        ("★★★☆☆", IDLE, 3),
        ("👍", IDLE, 5),
        ("一星", IDLE, 1),
        ("4", RATING_ASKED, 4),
        ("一般般", RATING_ASKED, 3),
        ("修好了 谢谢", RATING_ASKED, 5),
        ("还是老样子", RATING_ASKED, 1),
        ("满意", RATING_ASKED, 4),
        ("还可以吧 就是慢了点", RATING_ASKED, 3),
        ("办结了 效果一般", IDLE, 3),
        ("这也叫处理了？", RATING_ASKED, 1),
    ],
)
def test_ratings_carry_a_score(nlu: NLU, text: str, context: Context, score: int) -> None:
    reading = nlu.intent(text, context)
    assert reading.intent is Intent.RATING and reading.rating == Rating(score)


def test_a_bare_digit_is_a_rating_only_when_one_was_asked_for(nlu: NLU) -> None:
    assert nlu.intent("4", IDLE).intent is not Intent.RATING
    assert nlu.intent("4", RATING_ASKED).rating == Rating(4)


def test_polarity_follows_the_score() -> None:
    assert [Rating(s).polarity for s in (1, 2, 3, 4, 5)] == [Polarity.BAD] * 2 + [Polarity.NEUTRAL] + [Polarity.GOOD] * 2
    with pytest.raises(ValueError):
        Rating(6)


@pytest.mark.parametrize(
    ("text", "cue"),
    [("好的", Cue.CONFIRM), ("确认提交", Cue.CONFIRM), ("不用", Cue.DENY), ("跳过", Cue.SKIP),
     ("没有", Cue.SKIP), ("上一步", Cue.BACK), ("不对，是在望江路", Cue.CORRECTION)],
)
def test_short_answers_carry_a_cue(nlu: NLU, text: str, cue: Cue) -> None:
    reading = nlu.intent(text, REPORTING)
    assert reading.cue is cue


def test_problem_words_make_a_report_even_with_cancel_like_words(nlu: NLU) -> None:
    assert nlu.intent("我们这路公交线路被取消了 出行很不方便 希望恢复").intent is Intent.REPORT


def test_human_request_wins_over_a_problem(nlu: NLU) -> None:
    assert nlu.intent("转人工 我家楼上漏水").intent is Intent.HUMAN


def test_dissatisfaction_with_a_third_party_inside_a_report_is_not_a_rating(nlu: NLU) -> None:
    text = "对小区物业很不满意 楼道里的垃圾一个星期都没人清理 臭得不行"
    assert nlu.intent(text).intent is Intent.REPORT


@pytest.mark.parametrize(
    ("text", "context", "score"),
    [
        ("十分不满意", RATING_ASKED, 1),  # 十分 is "very" here, not ten points
        ("十分满意", RATING_ASKED, 5),
        ("给个及格分吧", RATING_ASKED, 3),
        ("还好", RATING_ASKED, 3),
        ("666", RATING_ASKED, 5),
        ("感谢", RATING_ASKED, 5),
        ("ok", RATING_ASKED, 4),
        ("就这？", RATING_ASKED, 1),
        ("这就算办结了？", RATING_ASKED, 1),
        ("不满意 人都没来", RATING_ASKED, 1),
        ("问题还在", RATING_ASKED, 1),
        ("过两天又坏了", RATING_ASKED, 2),
        ("差强人意", RATING_ASKED, 3),
        ("又快又好", RATING_ASKED, 5),
        ("路灯修好了 给你们点个赞👍", IDLE, 5),
        ("城管来得很及时 摊贩都清走了 感谢", IDLE, 5),
        ("对处理结果基本上满意", IDLE, 3),
    ],
)
def test_everyday_verdicts_carry_their_score(nlu: NLU, text: str, context: Context, score: int) -> None:
    reading = nlu.intent(text, context)
    assert reading.intent is Intent.RATING and reading.rating == Rating(score)


def test_a_verdict_no_phrase_names_is_still_a_rating_after_the_request(nlu: NLU) -> None:
    reading = nlu.intent("来是来了 看了一眼说不归他们管就走了", RATING_ASKED)
    assert reading.intent is Intent.RATING and reading.rating is not None
    assert reading.rating.polarity is Polarity.BAD


def test_a_week_is_not_a_star(nlu: NLU) -> None:
    reading = nlu.intent("都一个星期了怎么还没人来", IDLE)
    assert reading.intent is Intent.STATUS and reading.rating is None


def test_a_third_partys_repair_with_a_verdict_stays_a_report(nlu: NLU) -> None:
    assert nlu.intent("物业修了三次还是漏水 我们非常不满意").intent is Intent.REPORT


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("请帮我撤回BH20261202-0011这个工单", IDLE),
        ("下水道已经通了 不用过来了", IDLE),
        ("我们自己调解好了 投诉撤回吧", IDLE),
        ("你好，我前几天报的楼道漏水的单子能撤吗？邻居已经找师傅修好了，不想让你们白跑一趟，麻烦帮我取消掉，谢谢", IDLE),
        ("下次再说吧", REPORTING),
        ("重新开始", REPORTING),
    ],
)
def test_everyday_withdrawals_cancel(nlu: NLU, text: str, context: Context) -> None:
    assert nlu.intent(text, context).intent is Intent.CANCEL


@pytest.mark.parametrize("text", ["有个准信吗", "办结了？我怎么不知道"])
def test_asking_for_a_firm_answer_asks_for_progress(nlu: NLU, text: str) -> None:
    assert nlu.intent(text).intent is Intent.STATUS


def test_being_told_not_to_come_to_work_is_a_report_not_a_withdrawal(nlu: NLU) -> None:
    assert nlu.intent("厂里说我年纪大了让我明天不用来了 工资也不给").intent is Intent.REPORT


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("谢谢你们 路灯终于亮了", 5),
        ("家门口的坑填平了 感谢网格员", 5),
        ("违停的车终于拖走了 赞一个", 5),
        ("真是谢谢你们了 拖了俩月", 1),
    ],
)
def test_thanks_for_a_problem_dealt_with_rates_it(nlu: NLU, text: str, score: int) -> None:
    reading = nlu.intent(text, IDLE)
    assert reading.intent is Intent.RATING and reading.rating == Rating(score)


@pytest.mark.parametrize("text", ["师傅几点到", "下午能来人吗"])
def test_asking_when_someone_will_come_asks_for_progress(nlu: NLU, text: str) -> None:
    assert nlu.intent(text).intent is Intent.STATUS


def test_a_withdrawal_after_the_problem_went_away(nlu: NLU) -> None:
    assert nlu.intent("狗已经被主人牵走了 没事了").intent is Intent.CANCEL


@pytest.mark.parametrize("text", ["停电了", "停水了", "停气了 没法做饭"])
def test_an_outage_is_a_report_not_a_stop(nlu: NLU, text: str) -> None:
    assert nlu.intent(text).intent is Intent.REPORT


@pytest.mark.parametrize(("text", "intent"), [("在线吗", "greeting"), ("报事需要什么材料", "help"),
                                              ("停 停 停", "cancel")])
def test_short_social_and_service_questions(nlu: NLU, text: str, intent: str) -> None:
    assert nlu.intent(text, REPORTING if intent == "cancel" else IDLE).label == intent


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("修好了", Fixed.YES),
        ("已经解决了 谢谢", Fixed.YES),
        ("修了一半", Fixed.PARTLY),
        ("部分解决", Fixed.PARTLY),
        ("修好了 过两天又坏了", Fixed.PARTLY),
        ("还没修", Fixed.NO),
        ("没修好", Fixed.NO),
        ("还是坏的", Fixed.NO),
        ("满意", None),
        ("这也叫解决了？", None),  # sarcasm says nothing of whether it was fixed
    ],
)
def test_a_rating_says_whether_the_problem_was_fixed(nlu: NLU, text: str, fixed: Fixed | None) -> None:
    reading = nlu.intent(text, RATING_ASKED)
    assert reading.intent is Intent.RATING and reading.fixed is fixed


@pytest.mark.parametrize(
    ("text", "score"),
    [("非常满意", 5), ("满意", 4), ("基本满意", 3), ("一般", 3), ("不满意", 2), ("非常不满意", 1)],
)
def test_the_satisfaction_levels_are_the_five_of_the_government_scale(nlu: NLU, text: str, score: int) -> None:
    assert nlu.intent(text, RATING_ASKED).rating == Rating(score)


@pytest.mark.parametrize(
    ("text", "context"),
    [
        ("物业费涨了，我想问问能取消吗", IDLE),
        ("停车费能不能取消", IDLE),
        ("小区停车证可以取消吗", IDLE),
        ("这个政策能不能取消", IDLE),
        ("限行政策什么时候取消", IDLE),
        ("我的低保被取消了", IDLE),
        ("物业费涨了能取消吗", REPORTING),
    ],
)
def test_asking_whether_a_fee_or_policy_can_be_cancelled_withdraws_nothing(
    nlu: NLU, text: str, context: Context
) -> None:
    assert nlu.intent(text, context).intent is Intent.REPORT


@pytest.mark.parametrize(
    ("text", "context"),
    [("那就取消吧", REPORTING), ("能取消吗", IDLE), ("我那个工单能取消吗", IDLE), ("帮我把停车费那个单子撤销", IDLE)],
)
def test_cancelling_the_report_itself_still_cancels(nlu: NLU, text: str, context: Context) -> None:
    assert nlu.intent(text, context).intent is Intent.CANCEL
