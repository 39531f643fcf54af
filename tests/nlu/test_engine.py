from __future__ import annotations

from pathlib import Path

import pytest

import nlu.training as training_module
from nlu import NLU, ModelCacheError, Understanding
from nlu.model import LinearModel, model_path


def test_understand_fills_every_field(nlu: NLU) -> None:
    u = nlu.understand("星河雅居3栋门口晚上黑灯瞎火的 昨天晚上到现在 电话138 5512 3456")
    assert isinstance(u, Understanding)
    assert u.intent == "report"
    assert u.majors[0].code == "04" and len(u.majors) == 3
    assert u.minor is not None and u.minor.code == "0401"
    assert u.confident
    assert u.phone == "13855123456"
    assert u.place == "星河雅居3栋"
    assert u.time_hint is not None and "昨天晚上" in u.time_hint
    assert not u.urgent and u.urgency_kind is None
    assert u.case_number is None


def test_understand_an_emergency_and_a_status_question(nlu: NLU) -> None:
    fire = nlu.understand("对面楼着火了 好多烟")
    assert fire.urgent and fire.urgency_kind == "fire" and fire.intent == "report"
    status = nlu.understand("ｂｈ20261127－0001 怎么样了")
    assert status.intent == "status" and status.case_number == "BH20261127-0001"


def test_taxonomy_lookups_are_exposed(nlu: NLU) -> None:
    assert nlu.taxonomy.name_of("0704") == "电梯故障"
    assert len(nlu.taxonomy.minors_of("07")) >= 10


def test_second_load_uses_the_cache_without_training(
    nlu: NLU, nlu_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("retrained although a cached model exists")

    monkeypatch.setattr(training_module, "train", no_training)
    again = NLU.load(cache_dir=nlu_cache)
    assert again.classify("路灯不亮").major.code == "04"


def test_damaged_cache_is_rebuilt(nlu: NLU, tmp_path: Path) -> None:
    path = model_path(tmp_path, nlu.taxonomy.digest)
    path.write_bytes(b"not a model")
    rebuilt = NLU.load(cache_dir=tmp_path)
    assert rebuilt.classify("电梯坏了").major.code == "07"
    assert path.stat().st_size > 1000


def test_extra_words_are_the_place_names(tmp_path: Path, nlu_cache: Path) -> None:
    custom = NLU.load(extra_words=["翡翠湖畔"], cache_dir=nlu_cache)
    assert custom.understand("翡翠湖畔5栋电梯坏了").place == "翡翠湖畔5栋"


def test_unwritable_cache_still_gives_a_working_nlu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: object, path: Path) -> None:
        raise ModelCacheError(f"cannot write model cache {path}: read-only")

    monkeypatch.setattr(LinearModel, "save", refuse)
    fresh = NLU.load(cache_dir=tmp_path)
    assert fresh.classify("小区电梯又坏了").major.code == "07"


def test_very_long_message_is_understood(nlu: NLU) -> None:
    u = nlu.understand("楼下垃圾没人收 " * 800 + "电话13855123456")
    assert u.majors[0].code == "01" and u.phone == "13855123456"
