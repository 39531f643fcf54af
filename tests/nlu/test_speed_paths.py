"""The faster paths give the answers of the plain ones: cached or not, one scan or two, C or Python YAML."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from nlu import NLU
from nlu.content import subject_text
from nlu.intent_model import PHRASES_PATH, load_phrases
from nlu.model import analyze
from nlu.numbers import case_number_and_phone, extract_case_number, extract_phone
from nlu.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy, parse_taxonomy
from nlu.text import Tokenizer
from nlu.vocabulary import Intent

LONG_POST = (
    "尊敬的领导您好！我是望江西路星河雅居3栋的居民，2019年5月10日起小区门口的路灯一直不亮，晚上黑灯瞎火，"
    "老人孩子出门很不安全，多次打12345反映都没有结果。" * 12
    + "我的联系电话（０５５１）６３４５６７８９，工单号ＢＨ２０２６１１２７－０００１，恳请相关部门尽快处理，谢谢！"
)
NUMBER_TEXTS = [
    LONG_POST,
    "BH20261127-0001 办到哪了 电话138 5512 3456",
    "bh 20261127 0001",
    "幺三八五五一二三四五六 是我手机",
    "座机 63456789，上次的单子20261127-0002还没人管",
    "2019年5月10日 3栋2单元 501室",
    "",
]


@pytest.mark.parametrize("text", NUMBER_TEXTS)
def test_case_number_and_phone_in_one_pass_match_the_extractors(text: str) -> None:
    assert case_number_and_phone(text) == (extract_case_number(text), extract_phone(text))


def test_a_long_post_keeps_its_phone_and_case_number(nlu: NLU) -> None:
    u = nlu.understand(LONG_POST)
    assert u.phone == "055163456789"
    assert u.case_number == "BH20261127-0001"
    assert u.majors[0].code == "04"


@pytest.mark.parametrize("text", [LONG_POST, "路灯不亮", "楼上漏水 13855123456 漏了三天", "a", ""])
def test_ngram_lookup_without_feature_strings_gives_the_same_vector(nlu: NLU, text: str) -> None:
    cleaned = subject_text(text)
    fast = nlu.model.vectorizer.transform_text(cleaned, [])
    plain = nlu.model.vectorizer.transform(analyze(cleaned, []))
    assert fast[0].tolist() == plain[0].tolist()
    assert fast[1].tolist() == plain[1].tolist()


@pytest.mark.parametrize("text", [LONG_POST, "路灯不亮", "灯灯灯灯", "楼上漏水 13855123456 漏了三天", "a"])
def test_a_texts_features_are_counted_like_numpy_counts_them(nlu: NLU, text: str) -> None:
    ids = [i for i in map(nlu.model.vocabulary.get, analyze(subject_text(text), [])) if i is not None]
    idx, values = nlu.model.vectorizer.transform(analyze(subject_text(text), []))
    unique, counts = np.unique(np.array(ids, dtype=np.int64), return_counts=True)
    tf = (1.0 + np.log(counts)).astype(np.float32) * nlu.model.idf[unique]
    assert idx.tolist() == unique.tolist()
    assert values.tolist() == pytest.approx((tf / np.sqrt(np.dot(tf, tf))).tolist())


def test_shipped_yaml_files_read_the_same_with_any_loader() -> None:
    taxonomy = load_taxonomy()
    plain = yaml.safe_load(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    assert parse_taxonomy(plain, digest=taxonomy.digest) == taxonomy
    phrases = yaml.safe_load(PHRASES_PATH.read_text(encoding="utf-8"))
    assert load_phrases() == {Intent(k): [str(p) for p in v] for k, v in phrases.items() if k != "version"}


def test_a_warm_start_answers_like_the_start_that_trained(nlu: NLU, nlu_cache: Path) -> None:
    again = NLU.load(extra_words=[], cache_dir=nlu_cache)
    for text in (LONG_POST, "小区电梯又坏了", "我那个投诉办结了没有", "5分"):
        first, second = nlu.understand(text), again.understand(text)
        assert (second.majors, second.minor, second.intent, second.confident) == (
            first.majors, first.minor, first.intent, first.confident)


def test_tokenizer_writes_its_dictionary_only_when_words_are_asked_for(tmp_path: Path) -> None:
    tokenizer = Tokenizer(["星河雅居", "路灯不亮"], tmp_path)
    assert tokenizer.words("") == []
    assert not tokenizer.dictionary_path.exists()
    assert "星河雅居" in tokenizer.words("星河雅居门口路灯不亮")
    assert tokenizer.dictionary_path.exists()


def test_tokenizer_rebuilds_a_missing_or_damaged_dictionary(tmp_path: Path) -> None:
    Tokenizer(["星河雅居"], tmp_path).words("星河雅居")
    path = Tokenizer(["星河雅居"], tmp_path).dictionary_path
    path.unlink()
    assert "星河雅居" in Tokenizer(["星河雅居"], tmp_path).words("星河雅居停车难")
    path.write_text("星河雅居 not-a-number\n\x00garbage\n", encoding="utf-8")
    assert "星河雅居" in Tokenizer(["星河雅居"], tmp_path).words("星河雅居停车难")
    assert "not-a-number" not in path.read_text(encoding="utf-8")
