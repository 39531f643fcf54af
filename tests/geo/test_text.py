"""Text → places: full, shortened, misspelt, aliased and ambiguous names; nothing plausible → []."""

from __future__ import annotations

import pytest

from geo import GeoService, TextCandidate


def names(candidates: list[TextCandidate]) -> list[str]:
    return [c.name for c in candidates]


def test_a_full_name_in_a_complaint_gives_that_place_with_its_grid(geo: GeoService) -> None:
    found = geo.locate_text("星河雅居3栋楼下垃圾堆了三天没人清理！")
    assert names(found) == ["星河雅居"]
    top = found[0]
    assert (top.grid_id, top.grid_name, top.community, top.street) == (
        "34011100300101", "兰亭第1网格", "兰亭社区居民委员会", "芜湖路街道")
    assert top.score == 100.0 and top.matched == "星河雅居"
    assert (top.lat, top.lng) == (31.851386, 117.281476)


def test_every_gazetteer_name_written_out_is_found_first(geo: GeoService) -> None:
    misses = []
    for place in geo.snapshot.places:
        found = geo.locate_text(f"{place.name}门口路灯不亮了")
        if not found or found[0].name != place.name:
            misses.append((place.name, names(found)))
    assert misses == []


def test_each_candidates_grid_is_the_grid_its_position_falls_in(geo: GeoService) -> None:
    for text in ("春晖苑3栋", "住碧水", "望湖菜场", "从星河雅居到南湖雅居"):
        for candidate in geo.locate_text(text):
            assert geo.locate_point(candidate.lat, candidate.lng).grid_id == candidate.grid_id


@pytest.mark.parametrize(("text", "expected"), [
    ("碧水华园门口有人占道经营", "碧水花园"),  # 华 for 花: same sound
    ("观栏府东门积水", "观澜府"),  # 栏 for 澜
    ("世纪公圆里的路灯坏了", "世纪公园"),
    ("壁水家园2号楼", "碧水家园"),
    ("兰亭那边的杏花小学门口", "杏花小学"),
])
def test_a_name_typed_with_a_homophone_is_found_first(geo: GeoService, text: str, expected: str) -> None:
    assert names(geo.locate_text(text))[0] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("碧花园门口垃圾", "碧水花园"),  # a character dropped
    ("碧水花花园门口垃圾", "碧水花园"),  # a character doubled
    ("文华苑门口", "文华佳苑"),  # the generic tail shortened: 佳苑 → 苑
])
def test_a_name_with_a_character_dropped_added_or_shortened_is_found_first(
        geo: GeoService, text: str, expected: str) -> None:
    assert names(geo.locate_text(text))[0] == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("包公园里有人钓鱼", "包公公园"),  # alias from the alias table
    ("骆岗中央公园停车场满了", "骆岗公园"),
    ("安居社区医院门口乱停车", "安居社区卫生服务中心"),  # everyday short form
    ("金桂菜场污水横流", "金桂菜市场"),
])
def test_aliases_and_everyday_short_forms_find_the_place(geo: GeoService, text: str, expected: str) -> None:
    assert names(geo.locate_text(text))[0] == expected


def test_a_name_shared_by_several_places_offers_several_candidates(geo: GeoService) -> None:
    found = geo.locate_text("住碧水")
    assert len(found) >= 2
    assert all(c.name.startswith("碧水") for c in found)
    both_markets = geo.locate_text("望湖菜场")
    assert set(names(both_markets)) == {"望湖菜市场", "望湖农贸市场"}


def test_two_places_named_in_one_message_are_both_offered(geo: GeoService) -> None:
    assert names(geo.locate_text("从星河雅居到南湖雅居的路上井盖坏了")) == ["星河雅居", "南湖雅居"]


def test_an_exact_name_is_not_diluted_by_shorter_readings_of_it(geo: GeoService) -> None:
    assert names(geo.locate_text("碧水花园门口")) == ["碧水花园"]
    assert names(geo.locate_text("碧水华园")) == ["碧水花园"]


@pytest.mark.parametrize("text", [
    "", "   ", "12345", "hello", "路灯坏了", "有人在小区里遛狗不拴绳", "我很幸福", "我家在义城街道",
    "人民公园的椅子坏了", "包河区政府门口", "楼下花园的树倒了",
])
def test_a_text_naming_no_known_place_gives_nothing(geo: GeoService, text: str) -> None:
    assert geo.locate_text(text) == []
