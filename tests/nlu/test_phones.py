from __future__ import annotations

import pytest

from nlu import extract_phone, extract_phones
from tests.nlu.conftest import load_jsonl


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("电话 138 5512 3456", "13855123456"),
        ("手机号１３９５５１２３４５６", "13955123456"),
        ("+86 139-5512-3456", "13955123456"),
        ("座机(0551)6345-6789", "055163456789"),
        ("打这个号码 63456789", "055163456789"),
        ("手机幺三八五五一二三四五六", "13855123456"),
        ("住在18栋1201 电话18955123456", "18955123456"),
    ],
)
def test_phone_numbers_are_normalised(text: str, phone: str) -> None:
    assert extract_phone(text) == phone


@pytest.mark.parametrize(
    "text",
    [
        "BH20261127-0001 处理到哪了",
        "2026-11-27 晚上出的事",
        "3栋2单元1302室",
        "价格13800元太贵了",
        "身份证340111199001011234",
        "打12345热线没人接",
        "138 5512 34567",
    ],
)
def test_case_numbers_dates_prices_and_room_numbers_are_not_phones(text: str) -> None:
    assert extract_phone(text) is None


def test_several_numbers_come_out_in_order() -> None:
    assert extract_phones("我的 138 0551 2234 他的 139-5516-7788") == ["13805512234", "13955167788"]


def test_every_labelled_phone_case_is_exact() -> None:
    rows = load_jsonl("phones.jsonl") + [r for r in load_jsonl("heldout.jsonl") if "phone" in r]
    wrong = [(r["text"], extract_phone(r["text"]), r["phone"]) for r in rows]
    wrong = [w for w in wrong if w[1] != w[2]]
    assert len(rows) >= 50
    assert wrong == []
