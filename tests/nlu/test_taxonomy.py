from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nlu import TaxonomyError, load_taxonomy
from nlu.taxonomy import DEFAULT_TAXONOMY_PATH, parse_taxonomy

MAJORS = {
    "01": "市容环卫", "02": "街面秩序", "03": "违法建设", "04": "市政设施", "05": "园林绿化",
    "06": "环境保护", "07": "物业住房", "08": "交通出行", "09": "公共安全", "10": "市场监管",
    "11": "水电气暖", "12": "劳动就业", "13": "社会保障", "14": "民政服务", "15": "卫生健康",
    "16": "教育文体", "17": "农林水务", "18": "邻里纠纷", "19": "公安事务", "20": "政务服务",
}


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    return data


def test_shipped_taxonomy_has_the_twenty_majors_and_300_described_minors() -> None:
    taxonomy = load_taxonomy()
    assert {m.code: m.name for m in taxonomy.majors} == MAJORS
    assert len(taxonomy.minors) >= 300
    for minor in taxonomy.minors:
        assert minor.keywords and minor.synonyms and minor.examples, minor.code
    assert all(len(taxonomy.minors_of(code)) >= 10 for code in MAJORS)


def test_lookups_by_code() -> None:
    taxonomy = load_taxonomy()
    assert taxonomy.name_of("04") == "市政设施"
    assert taxonomy.name_of("0401") == "路灯不亮"
    assert "0401" in [m.code for m in taxonomy.minors_of("04")]
    with pytest.raises(TaxonomyError, match="unknown major"):
        taxonomy.minors_of("99")


def test_duplicate_minor_code_is_rejected_with_its_code() -> None:
    data = shipped()
    data["minors"].append(dict(data["minors"][0]))
    with pytest.raises(TaxonomyError, match="duplicate minor code '0101'"):
        parse_taxonomy(data)


def test_duplicate_major_code_is_rejected() -> None:
    data = shipped()
    data["majors"].append({"code": "04", "name": "又一个市政"})
    with pytest.raises(TaxonomyError, match="duplicate major code '04'"):
        parse_taxonomy(data)


def test_minor_under_an_unknown_major_is_rejected() -> None:
    data = shipped()
    data["minors"].append({"code": "2101", "name": "外星人", "keywords": ["飞碟"]})
    with pytest.raises(TaxonomyError, match="unknown major '21'"):
        parse_taxonomy(data)


@pytest.mark.parametrize("keywords", [[], None, ["  "]])
def test_minor_without_keywords_is_rejected(keywords: Any) -> None:
    data = shipped()
    data["minors"][5]["keywords"] = keywords
    with pytest.raises(TaxonomyError, match=r"0106.*empty keywords"):
        parse_taxonomy(data)


def test_malformed_codes_and_files_give_clear_errors(tmp_path: Path) -> None:
    data = shipped()
    data["minors"][0]["code"] = "101"
    with pytest.raises(TaxonomyError, match="four digits"):
        parse_taxonomy(data)
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomy(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("majors: [unclosed", encoding="utf-8")
    with pytest.raises(TaxonomyError, match="not valid YAML"):
        load_taxonomy(broken)
    with pytest.raises(TaxonomyError, match="'majors' must be a non-empty list"):
        parse_taxonomy({"minors": []})


def test_major_without_minors_is_rejected() -> None:
    data = shipped()
    data["minors"] = [m for m in data["minors"] if not str(m["code"]).startswith("17")]
    with pytest.raises(TaxonomyError, match=r"major\(s\) 17 have no minors"):
        parse_taxonomy(data)


def test_only_the_administrative_major_is_procedural_and_the_flag_must_be_a_yes_or_no() -> None:
    assert [m.code for m in load_taxonomy().majors if m.procedural] == ["20"]
    data = shipped()
    data["majors"][0]["procedural"] = "sometimes"
    with pytest.raises(TaxonomyError, match="procedural must be true or false"):
        parse_taxonomy(data)
