"""Learning from the centre's history: reading it, versions, switching only when better, rollback."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli_nlu import nlu_app
from nlu import NLU, shipped_place_names
from nlu.learning import HistoryError, read_crosswalk, read_history
from nlu.store import ModelStore

runner = CliRunner()

PLACES = ["望江路", "金寨路", "包河大道", "徽州大道", "马鞍山路", "芜湖路", "宁国路", "屯溪路"]
LIGHTS = ["路灯晚上不亮", "路灯一直闪", "路灯坏了好几天", "一排路灯都黑着", "路灯白天还亮着浪费电"]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _history(tmp_path: Path) -> tuple[Path, Path]:
    """A centre that files street lights under its own "绿化亮化" section (the taxonomy's 05)."""
    rows = [[f"{place}{light}", "绿化亮化科"] for place in PLACES for light in LIGHTS]
    rows.append(["", "绿化亮化科"])
    rows.append(["楼下垃圾没人收", "不认识的科室"])
    history = _write_csv(tmp_path / "history.csv", ["text", "category"], rows)
    crosswalk = _write_csv(tmp_path / "crosswalk.csv", ["category", "code"], [["绿化亮化科", "05"]])
    return history, crosswalk


def test_history_rows_are_read_through_the_crosswalk_and_bad_rows_are_named(nlu: NLU, tmp_path: Path) -> None:
    history, crosswalk = _history(tmp_path)
    rows, problems = read_history(history, crosswalk, nlu.taxonomy)
    assert len(rows) == len(PLACES) * len(LIGHTS) and {r.code for r in rows} == {"05"}
    assert any("empty text" in p for p in problems)
    assert any("不认识的科室" in p and "not in the crosswalk" in p for p in problems)


def test_unusable_files_raise_a_clear_error(nlu: NLU, tmp_path: Path) -> None:
    bad_code = _write_csv(tmp_path / "cw.csv", ["category", "code"], [["城管科", "99"]])
    with pytest.raises(HistoryError, match="not a code of the taxonomy"):
        read_crosswalk(bad_code, nlu.taxonomy)
    no_text = _write_csv(tmp_path / "h.csv", ["内容x", "category"], [["路灯不亮", "04"]])
    with pytest.raises(HistoryError, match="no text column"):
        read_history(no_text, None, nlu.taxonomy)
    with pytest.raises(HistoryError, match="cannot read"):
        read_history(tmp_path / "missing.csv", None, nlu.taxonomy)


def test_store_switches_atomically_and_rolls_back_in_order(nlu: NLU, tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    first = store.save(nlu.model, {"taxonomy": nlu.taxonomy.digest})
    second = store.save(nlu.model, {"taxonomy": nlu.taxonomy.digest})
    assert (first, second) == ("v0001", "v0002") and store.current() is None
    store.switch(first)
    store.switch(second)
    assert store.current() == second
    assert store.rollback() == first and store.current() == first
    assert store.rollback() is None and store.current() is None


def test_learn_switches_every_process_only_when_better_and_rollback_returns(
    nlu: NLU, nlu_cache: Path, tmp_path: Path
) -> None:
    history, crosswalk = _history(tmp_path)
    models = tmp_path / "models"
    running = NLU.load(extra_words=shipped_place_names(), cache_dir=nlu_cache, models_dir=models)
    text = "屯溪路路灯晚上不亮"
    assert running.classify(text).major.code == "04"
    args = ["learn", str(history), "--crosswalk", str(crosswalk), "--no-database",
            "--models-dir", str(models), "--cache-dir", str(nlu_cache)]
    result = runner.invoke(nlu_app, args)
    assert result.exit_code == 0, result.output
    assert "switched to v0001" in result.output and "candidate 100.0%" in result.output
    running.refresh(force=True)  # a running server looks once a second; here we do not wait
    assert running.version == "v0001" and running.classify(text).major.code == "05"

    again = runner.invoke(nlu_app, args)  # the same history cannot do better than the model it made
    assert again.exit_code == 1 and "not switched" in again.output
    assert ModelStore(models).current() == "v0001"

    listed = runner.invoke(nlu_app, ["versions", "--models-dir", str(models)])
    assert "* v0001" in listed.output
    back = runner.invoke(nlu_app, ["rollback", "--models-dir", str(models)])
    assert back.exit_code == 0 and "to the shipped model" in back.output
    running.refresh(force=True)
    assert running.version is None and running.classify(text).major.code == "04"


def test_a_version_trained_for_another_taxonomy_is_not_used(nlu: NLU, nlu_cache: Path, tmp_path: Path) -> None:
    store = ModelStore(tmp_path / "models")
    store.switch(store.save(nlu.model, {"taxonomy": "some other taxonomy"}))
    loaded = NLU.load(extra_words=shipped_place_names(), cache_dir=nlu_cache, models_dir=store.root)
    assert loaded.version is None and loaded.model is loaded.shipped
