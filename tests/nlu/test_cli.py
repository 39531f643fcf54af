from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli_nlu import nlu_app
from nlu import NLU

runner = CliRunner()


def test_classify_writes_one_line_per_input_and_reports_bad_lines(nlu: NLU, nlu_cache: Path) -> None:
    lines = [
        json.dumps({"id": 1, "text": "望江路路灯晚上黑灯瞎火的 电话138 5512 3456"}, ensure_ascii=False),
        "this is not json",
        json.dumps({"id": 3, "text": "楼下着火了"}, ensure_ascii=False),
    ]
    result = runner.invoke(nlu_app, ["classify", "--cache-dir", str(nlu_cache)], input="\n".join(lines))
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.exit_code == 1
    assert [o["id"] for o in out] == [1, None, 3]
    first = out[0]
    assert first["majors"][0]["code"] == "04" and len(first["majors"]) == 3
    assert first["minor"]["code"] == "0401"
    assert (first["intent"], first["phone"], first["address"], first["urgent"]) == (
        "report", "13855123456", "望江路", False)
    assert "error" in out[1]
    assert out[2]["urgent"] is True


def test_eval_prints_accuracy_and_confusions(nlu: NLU, nlu_cache: Path, tmp_path: Path) -> None:
    labelled = tmp_path / "backlog.jsonl"
    rows = [{"text": "电梯坏了三天了", "major": "07"}, {"text": "路灯不亮", "major": "05"}]
    labelled.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    result = runner.invoke(nlu_app, ["eval", str(labelled), "--cache-dir", str(nlu_cache)])
    assert result.exit_code == 0, result.output
    assert "top-1 major:  50.0%" in result.output
    assert "top-3 major:" in result.output and "macro-F1:" in result.output
    assert "05 -> 04  园林绿化 -> 市政设施: 1" in result.output


def test_eval_of_a_missing_file_fails_cleanly(nlu: NLU, nlu_cache: Path, tmp_path: Path) -> None:
    result = runner.invoke(nlu_app, ["eval", str(tmp_path / "none.jsonl"), "--cache-dir", str(nlu_cache)])
    assert result.exit_code == 2
    assert "cannot read" in result.output
