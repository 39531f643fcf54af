from __future__ import annotations

import pytest

from nlu import NLU


@pytest.mark.parametrize(
    ("text", "major", "minor"),
    [
        ("晚上黑灯瞎火的 走路都怕", "04", "0401"),
        ("小区里面的下水道堵了 单元门口全是脏水", "07", "0710"),
        ("马路边的下水道堵了 脏水漫到路上", "04", "0409"),
        ("树枝压在电线上 一刮风就晃", "05", "0505"),
        ("楼上邻居天天半夜跺脚", "18", "1801"),
        ("工地半夜还在打桩", "06", "0601"),
        ("小区消防通道被车堵死了", "09", "0901"),
        ("家里闻到好大一股煤气味", "09", "0904"),
        ("天然气停了没法做饭", "11", "1106"),
        ("河水发黑发臭", "06", "0608"),
        ("培训班老板跑路了学费不退", "16", "1615"),
    ],
)
def test_boundary_rules_of_the_centre(nlu: NLU, text: str, major: str, minor: str) -> None:
    result = nlu.classify(text)
    assert result.major.code == major
    assert result.minor is not None and result.minor.code == minor


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ("陆灯坏了好几天了", "04"),  # voice input slip
        ("井该没了 好危险", "04"),
        ("拉圾三天没人收了😡😡", "01"),
        ("物叶不管楼道卫生", "07"),
        ("俺家困难想申请低宝", "14"),
        ("老板欠俺工资三个月了咋办", "12"),
        ("ＫＴＶ唱到凌晨三点", "06"),
    ],
)
def test_typos_dialect_emoji_and_full_width_text(nlu: NLU, text: str, major: str) -> None:
    assert nlu.classify(text).major.code == major


def test_scores_are_probabilities_ranked_best_first(nlu: NLU) -> None:
    result = nlu.classify("路灯不亮")
    scores = [m.score for m in result.majors]
    assert scores == sorted(scores, reverse=True)
    assert abs(sum(scores) - 1.0) < 0.01
    assert len(result.majors) == 20 and result.confident


def test_vague_message_is_not_confident_so_the_dialog_offers_three(nlu: NLU) -> None:
    result = nlu.classify("那个事情你们管不管")
    assert not result.confident
    assert len({m.code for m in result.majors[:3]}) == 3


def test_minor_belongs_to_the_top_major(nlu: NLU) -> None:
    for text in ("孩子在学校被欺负", "电梯坏了三天", "共享单车堆满了路口"):
        result = nlu.classify(text)
        assert result.minor is not None and result.minor.code[:2] == result.major.code
