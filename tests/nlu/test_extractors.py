from __future__ import annotations

import pytest

from nlu import detect_urgency, extract_case_number, extract_time
from nlu.extractors import PlaceFinder


@pytest.mark.parametrize(
    "text",
    [
        "BH20261127-0001",
        "bh20261127-0001 进度",
        "ＢＨ２０２６１１２７－０００１",
        "单号 bh 20261127 0001",
        "BH202611270001",
        "BH20261127—0001",
        "20261127-0001",
    ],
)
def test_case_numbers_are_normalised(text: str) -> None:
    assert extract_case_number(text) == "BH20261127-0001"


def test_no_case_number_in_phone_or_date() -> None:
    assert extract_case_number("电话13855123456 2026年11月27日") is None


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("昨天晚上开始停水", "昨天晚上"),
        ("路灯坏了三天了", "三天了"),
        ("凌晨两点还在施工", "凌晨两点"),
        ("每天晚上十点到十二点跳广场舞", "每天晚上十点到十二点"),
        ("一个多月了没人管", "一个多月了"),
        ("垃圾好几天没人收", "好几天"),
    ],
)
def test_time_hints(text: str, hint: str) -> None:
    assert extract_time(text) == hint


def test_no_time_hint_in_a_plain_message() -> None:
    assert extract_time("路灯不亮 能不能快一点来修") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("楼下饭店着火了 快来人", "fire"),
        ("楼道里好大一股煤气味", "gas"),
        ("电线掉下来了 有人触电了", "electric"),
        ("电梯里困了人 出不来了", "trapped"),
        ("有个老人摔倒了起不来 头在流血", "injury"),
        ("有小孩掉河里了", "drowning"),
    ],
)
def test_danger_to_people_is_urgent(text: str, kind: str) -> None:
    urgency = detect_urgency(text)
    assert urgency.urgent and urgency.kind == kind
    assert urgency.call in {"119", "110", "120"}


@pytest.mark.parametrize(
    "text",
    [
        "消防通道堵了 万一着火怎么办",
        "电动车在楼道充电 有火灾隐患",
        "天然气停了没法做饭",
        "燃气费太贵了",
        "上次着火的那栋楼还没修",
        "燃气灶打不着火 是不是停气了",
        "有人在沟边点火烧塑料 黑烟呛人",
        "路灯不亮",
    ],
)
def test_risks_and_ordinary_reports_are_not_urgent(text: str) -> None:
    assert detect_urgency(text).urgent is False


def test_place_prefers_gazetteer_names_with_building_tail() -> None:
    finder = PlaceFinder(["星河雅居", "南湖公园"])
    assert finder.find("星河雅居3栋2单元门口路灯不亮") == "星河雅居3栋2单元"
    assert finder.find("南湖公园里的厕所太脏") == "南湖公园"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("望江路与马鞍山路交叉口红绿灯坏了", "望江路与马鞍山路交叉口"),
        ("我们幸福里小区门口全是垃圾", "幸福里小区"),
        ("屯溪路88号门口有个坑", "屯溪路88号"),
        ("南二环路上堵车", "南二环路"),
        ("滨湖卓越城3栋2单元楼道灯坏了", "滨湖卓越城3栋2单元"),
    ],
)
def test_place_falls_back_to_road_and_compound_phrases(text: str, place: str) -> None:
    assert PlaceFinder([]).find(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "我的养老金少发了",
        "下班时间路口全是摆摊的",
        "能不能开通一条公交线路",
        "整个小区都停电了",
        "总有人开车路过往绿化带里扔垃圾",
        "老板跑路了",
    ],
)
def test_ordinary_words_are_not_taken_for_places(text: str) -> None:
    assert PlaceFinder(["星河雅居"]).find(text) is None
