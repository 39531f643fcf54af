"""Geo figures: index build, point lookups (single and batch), text lookups, and accuracy.

Run with ``.venv/bin/python -m benchmarks geo``. Points are uniform over the district's bounding box
(checked against a brute-force answer); texts are complaint sentences built from every gazetteer place
with the name written out, misspelt (a homophone, a dropped or doubled character), shortened or
replaced by an alias, plus sentences that name no place at all.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

import numpy as np
import shapely
from rapidfuzz.distance import Indel
from rapidfuzz.process import cdist

from geo import GeoService
from geo.chars import clean, fold
from geo.gazetteer import Place, core_name, name_keys, short_forms

TEMPLATES = (
    "{}门口垃圾堆了好几天没人清理", "我住在{}，楼下路灯坏了", "{}3栋楼道里堆满杂物",
    "请问{}附近的井盖谁管", "{}那边有人占道经营", "投诉{}晚上广场舞太吵",
)
# Common pinyin-input slips (same or near-same sound), written independently of geo/chars.py.
SLIPS = {
    "花": "华", "园": "圆", "苑": "院", "景": "井", "庭": "亭", "湖": "胡", "水": "税", "城": "成",
    "府": "付", "湾": "弯", "家": "佳", "居": "局", "邸": "底", "馆": "管", "寓": "玉", "新": "心",
    "名": "明", "澜": "兰", "翠": "萃", "星": "兴", "河": "和", "锦": "金", "绣": "秀", "梅": "美",
    "柳": "六", "桂": "贵", "阳": "杨", "福": "富", "晖": "辉", "鹭": "路", "瑞": "锐", "韵": "运",
    "溪": "西", "松": "淞", "竹": "珠", "悦": "月", "御": "裕", "翡": "菲", "骆": "洛", "岗": "港",
    "徽": "辉", "庐": "卢", "桐": "同", "塘": "堂", "棠": "堂", "银": "音", "纪": "记", "郡": "君",
}
NO_PLACE = (
    "路灯坏了好几天了", "楼下有人乱扔垃圾", "小区门口井盖丢了", "晚上施工噪音太大", "有人占道经营",
    "垃圾桶满了没人清", "电动车在楼道里充电", "下水道堵了，污水横流", "我很幸福", "幸福生活从家开始",
    "公园里的健身器材坏了", "菜市场门口乱停车", "马路上有个大坑", "我家楼上漏水", "请问怎么办理居住证",
    "小区花园里的树倒了", "街道办电话是多少", "新华社报道了这件事", "楼下停车场收费不合理",
    "学校门口有人卖烟给学生", "我在人民公园", "包河区政府在哪", "这个月物业费涨了", "大院里有狗叫",
)


def _time(label: str, fn: Callable[[], object], repeat: int = 1) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    elapsed = (time.perf_counter() - started) / repeat
    print(f"{label:<44} {elapsed * 1000:9.1f} ms")
    return elapsed


def bench_build() -> GeoService:
    print("-- build")
    geo = GeoService.load()
    snap = geo.snapshot
    _time("load (layer + index + gazetteer + text index)", GeoService.load, repeat=3)
    print(f"{'grids / index cells / places / name keys':<44} {len(snap.layer)} / {snap.layer.cell_count} / "
          f"{len(snap.places)} / {snap.matcher.key_count}")
    return geo


def bench_points(geo: GeoService) -> None:
    print("-- points")
    layer = geo.snapshot.layer
    rng = np.random.default_rng(2026)
    minx, miny, maxx, maxy = shapely.total_bounds(layer.geometries)
    lat, lng = rng.uniform(miny, maxy, 1_000_000), rng.uniform(minx, maxx, 1_000_000)
    inside = layer.indices_at(lat, lng) >= 0
    ilat, ilng = lat[inside][:200_000], lng[inside][:200_000]
    # accuracy against brute force (every polygon tested, smallest id wins on shared edges)
    expected = np.full(ilat.shape[0], -1)
    for index, geom in enumerate(layer.geometries):
        hit = shapely.intersects_xy(geom, ilng, ilat) & (expected < 0)
        expected[hit] = index
    got = layer.indices_at(ilat, ilng)
    print(f"{'inside points checked / wrong grid':<44} {ilat.shape[0]} / {int((got != expected).sum())}")
    pairs = list(zip(ilat[:100_000].tolist(), ilng[:100_000].tolist(), strict=True))
    locate = geo.locate_point
    started = time.perf_counter()
    for a, b in pairs:
        locate(a, b)
    elapsed = time.perf_counter() - started
    print(f"{'locate_point (gcj02, inside) lookups/s':<44} {len(pairs) / elapsed:12,.0f}")
    started = time.perf_counter()
    for a, b in pairs[:50_000]:
        locate(a, b, "wgs84")
    elapsed = time.perf_counter() - started
    print(f"{'locate_point (wgs84 input) lookups/s':<44} {50_000 / elapsed:12,.0f}")
    samples = []
    clock = time.perf_counter_ns
    for a, b in pairs[:50_000]:
        t0 = clock()
        locate(a, b)
        samples.append(clock() - t0)
    samples.sort()
    print(f"{'locate_point p50 / p99 µs':<44} {samples[len(samples) // 2] / 1000:.2f} / "
          f"{samples[int(len(samples) * 0.99)] / 1000:.2f}")
    started = time.perf_counter()
    for _ in range(3):
        geo.grid_indices(lat, lng)
    elapsed = (time.perf_counter() - started) / 3
    print(f"{'batch grid_indices (1M bbox points, -1 outside)':<44} {lat.shape[0] / elapsed:12,.0f}")
    started = time.perf_counter()
    for _ in range(3):
        geo.grid_indices(ilat, ilng)
    elapsed = (time.perf_counter() - started) / 3
    print(f"{'batch grid_indices (inside only) points/s':<44} {ilat.shape[0] / elapsed:12,.0f}")
    outside = [(31.80, 117.50), (31.70, 117.2), (39.915, 116.404)] * 1000
    started = time.perf_counter()
    for a, b in outside:
        locate(a, b)
    elapsed = time.perf_counter() - started
    print(f"{'locate_point (outside, nearest grid) /s':<44} {len(outside) / elapsed:12,.0f}")


def _variants(places: list[Place], rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    names = {p.name for p in places}
    sets: dict[str, list[tuple[str, str]]] = {
        "full name": [], "homophone slip": [], "dropped character (not the first)": [],
        "dropped first character (refused by design)": [], "doubled character": [],
        "shortened tail (佳苑→苑)": [], "alias / short form": [],
    }
    for place in places:
        name = place.name
        sets["full name"].append((name, place.name))
        slips = [i for i, ch in enumerate(name) if ch in SLIPS]
        if slips:
            i = rng.choice(slips)
            sets["homophone slip"].append((name[:i] + SLIPS[name[i]] + name[i + 1:], place.name))
        if len(name) >= 4:
            i = rng.randrange(1, len(name))
            dropped = name[:i] + name[i + 1:]
            if dropped not in names:
                sets["dropped character (not the first)"].append((dropped, place.name))
            if name[1:] not in names:
                sets["dropped first character (refused by design)"].append((name[1:], place.name))
            j = rng.randrange(len(name))
            sets["doubled character"].append((name[:j + 1] + name[j:], place.name))
        core = core_name(name)
        if place.kind == "compound" and core and len(name) - len(core) == 2:
            short = core + name[-1]
            if short not in names:
                sets["shortened tail (佳苑→苑)"].append((short, place.name))
        sets["alias / short form"].extend(
            (form, place.name) for form in short_forms(name) if form not in names)
    return sets


def _ambiguous(geo: GeoService, cases: list[tuple[str, str]]) -> list[bool]:
    """True where the variant is as close (or closer) to another place's name or alias as to its own.

    Decided without the matcher: the smallest Indel distance from the variant to every name and
    alias of the gazetteer (after folding homophones; ties broken as typed), and which places reach it.
    """
    written = [w for w, _ in cases]
    own = {place.name: index for index, place in enumerate(geo.snapshot.places)}
    places = geo.snapshot.places
    keys = [k for k in name_keys(places) if k.kind != "core"]
    folded_keys = [fold(k.text) for k in keys]
    owners = np.array([k.place for k in keys])
    folded = cdist([fold(clean(w)) for w in written], folded_keys, scorer=Indel.distance, workers=1)
    typed = cdist([clean(w) for w in written], [k.text for k in keys], scorer=Indel.distance, workers=1)
    matrix = folded * 100 + typed  # homophones first, then the characters as typed break ties
    result = []
    for row, (_, expected) in zip(matrix, cases, strict=True):
        result.append(set(owners[row == row.min()].tolist()) != {own[expected]})
    return result


def bench_text(geo: GeoService) -> None:
    print("-- texts (top-1 on variants closer to their own place than to any other; the rest should list it)")
    rng = random.Random(7)
    places = geo.snapshot.places
    all_top1 = all_total = 0
    durations: list[float] = []
    for label, cases in _variants(places, rng).items():
        flags = _ambiguous(geo, cases)
        top1 = clear = listed = unclear = 0
        for (written, expected), ambiguous in zip(cases, flags, strict=True):
            text = rng.choice(TEMPLATES).format(written)
            t0 = time.perf_counter()
            found = geo.locate_text(text)
            durations.append(time.perf_counter() - t0)
            if ambiguous:
                unclear += 1
                listed += expected in [c.name for c in found]
            else:
                clear += 1
                top1 += bool(found) and found[0].name == expected
        if "refused" not in label:
            all_top1 += top1
            all_total += clear
        rate = f"{top1 / clear:7.1%}  ({top1}/{clear})" if clear else "      -"
        extra = f"; ambiguous {unclear}, listed {listed / unclear:.0%}" if unclear else ""
        print(f"{'top-1 ' + label:<44} {rate}{extra}")
    print(f"{'top-1 all messages naming a place':<44} {all_top1 / all_total:7.1%}  ({all_top1}/{all_total})")
    cores = [(core_name(p.name), p.name) for p in places if p.kind == "compound" and core_name(p.name)]
    among, sizes = 0, []
    for core, expected in cores[:400]:
        found = geo.locate_text(f"我住{core}")
        among += expected in [c.name for c in found]
        sizes.append(len(found))
    print(f"{'bare core name (我住碧水): listed among candidates':<44} {among / len(sizes):7.1%}  "
          f"(mean {statistics.mean(sizes):.1f} candidates; ambiguous by nature, the dialog asks)")
    false_hits = sum(bool(geo.locate_text(text)) for text in NO_PLACE)
    print(f"{'texts naming no place that got a candidate':<44} {false_hits}/{len(NO_PLACE)}")
    durations.sort()
    print(f"{'locate_text mean / p99 µs':<44} {statistics.mean(durations) * 1e6:.0f} / "
          f"{durations[int(len(durations) * 0.99)] * 1e6:.0f}")
    print(f"{'locate_text texts/s':<44} {len(durations) / sum(durations):12,.0f}")


def main() -> None:
    geo = bench_build()
    bench_points(geo)
    bench_text(geo)


if __name__ == "__main__":
    main()
