"""The one rule by which an answer is compared with the words a dialog expects."""

from __future__ import annotations

import pytest

from bot.text import is_word, normalise


@pytest.mark.parametrize(("said", "word"), [("取消？", "取消"), ("确认？", "确认"), ("确认！", "确认"),
                                             ("ＯＫ", "ok"), (" 2。", "2"), ("好的~", "好的"), ("跳过，", "跳过")])
def test_punctuation_width_and_case_do_not_change_the_word(said: str, word: str) -> None:
    assert normalise(said) == word
    assert is_word(said, {word})


def test_other_words_stay_other_words() -> None:
    assert not is_word("确认一下地址", {"确认"})
    assert not is_word("不取消", {"取消"})
