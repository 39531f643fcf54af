from __future__ import annotations

import pytest

from nlu import NLU


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("你好 我们小区垃圾三天没人收了", "report"),
        ("我要投诉", "report"),
        ("BH20261127-0001", "status"),
        ("我上次反映的路灯修好了没", "status"),
        ("处理得很及时 满意", "rate_good"),
        ("不满意 根本没解决", "rate_bad"),
        ("取消", "cancel"),
        ("算了 不报了", "cancel"),
        ("转人工", "human"),
        ("能帮我转给人工吗", "human"),
        ("怎么还没人回我", "human"),
        ("我上次反映的问题怎么没人回我", "status"),
        ("我要撤诉", "cancel"),
        ("不想弄了", "cancel"),
        ("我打错了", "cancel"),
        ("有没有人啊", "greeting"),
        ("你好", "greeting"),
        ("在吗？", "greeting"),
        ("怎么用", "help"),
        ("嗯", "help"),
        ("", "help"),
    ],
)
def test_intents(nlu: NLU, text: str, intent: str) -> None:
    assert nlu.intent(text) == intent


def test_problem_words_make_a_report_even_with_cancel_like_words(nlu: NLU) -> None:
    assert nlu.intent("我们这路公交线路被取消了 出行很不方便 希望恢复") == "report"


def test_human_request_wins_over_a_problem(nlu: NLU) -> None:
    assert nlu.intent("转人工 我家楼上漏水") == "human"
