"""The NLU on real residents' posts (a city's public message board), when they are available.

Run with ``python -m benchmarks nlu_real``. Reads ``../shared/data/real_posts/`` relative to the repository
and says so, or says it is absent and skips: the project ships none of that text and never reads it at
run time. Nothing here trains the shipped model.

Weak labels: each post carries the official reply, which usually names the department that handled it.
``benchmarks/data/department_crosswalk.csv`` maps department names (a bureau, office, brigade or company:
``住建局``, ``派出所``, ``供电公司``, never a subject word such as ``消防`` or ``户籍`` alone, which replies use
for the matter itself) to the majors in that department's remit, the first listed its main one. The remits
follow the departments' published functions (the housing bureau also runs municipal roads and lights and
regulates town gas; the planning and natural-resources bureau also registers property; police also settle
neighbours' disputes). The department named most often in the reply (the latest mention on a tie: replies
are signed at the end) gives the label; replies that name only a street office, a township, the
government's general office or the petition office name no subject and are left out. Known noise: a
department answers for matters outside its remit, and a reply that forwards the post names the forwarding
office. "Top-1 (department-compatible)" counts the first major right when it is any major of the
department's remit; "strict" only when it is the department's main major.

Hand labels: ``benchmarks/data/real_posts_hand_labels.csv`` gives 300 posts of each half (a fixed sample by
a hash of the id) the major of their main problem, and a second major where a post raises another problem
or two majors fit about equally. They were written by readers who saw the taxonomy and the posts, but
neither the replies nor anything of the model. They measure the model against the subject itself, and the
weak labels against it (how often a weak label's remit holds the hand label: the weak labels' own noise).
A second reader labelled the same 600 posts apart from the first (``major_b``, ``second_b``); the two
work alike from the same instructions, so their agreement says the labels are consistent, not that they
are right. The file holds ids and codes only, no text.

Posts are split by a hash of their id into a dev half (whose misses may be studied, never copied) and a
test half. ``intake nlu learn``'s training is measured by training on the dev half and testing on the test
half and the other way round, and by training on four fifths and testing on the fifth left, five times
round; those models are thrown away.
"""

from __future__ import annotations

import csv
import hashlib
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "data" / "real_posts"
CROSSWALK = Path(__file__).resolve().parent / "data" / "department_crosswalk.csv"
HAND_LABELS = Path(__file__).resolve().parent / "data" / "real_posts_hand_labels.csv"
GOALS = {"top1": 0.75, "top3": 0.92, "learned_top1": 0.85, "p99_ms": 2.0}
TITLE_APPEALS = {"建议": "建议", "咨询": "咨询", "请问": "咨询", "举报": "举报", "投诉": "投诉", "求助": "求助",
                 "表扬": "表扬", "感谢": "表扬"}
CONTENT_FREE = [
    "2019年", "2019年5月10日", "C4市", "A3区", "K2区L6县", "12345", "BH", "ok", "您好", "尊敬的领导：您好！",
    "在吗", "谢谢", "此致敬礼", "1", "？？？", "2020-01-05 10:30", "A市A2区", "第3条", "。。。", "哈哈哈",
    "今天星期五", "收到", "😀😀", "你好，我想反映一个问题", "请尽快处理，谢谢！",
]


@dataclass(frozen=True)
class Post:
    id: str
    text: str  # title and body, as a resident would send them
    body: str
    title: str
    majors: tuple[str, ...]  # the department's remit, main major first; empty when the reply names none
    hand: tuple[str, ...] = ()  # the hand label's major, then its second major if any; empty if not labelled
    other_reader: tuple[str, ...] = ()  # the same, by the second reader

    @property
    def half(self) -> str:
        return "dev" if hashlib.sha256(self.id.encode()).digest()[0] % 2 == 0 else "test"


def crosswalk() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    with CROSSWALK.open(encoding="utf-8") as f:
        return [(re.compile(r["pattern"]), tuple(r["majors"].split())) for r in csv.DictReader(f)]


def weak_label(reply: str, table: list[tuple[re.Pattern[str], tuple[str, ...]]]) -> tuple[str, ...] | None:
    counts: Counter[int] = Counter()
    last: dict[int, int] = {}
    for i, (pattern, _) in enumerate(table):
        for m in pattern.finditer(reply):
            counts[i] += 1
            last[i] = m.start()
    if not counts:
        return None
    return table[max(counts, key=lambda i: (counts[i], last[i]))][1]


def hand_labels() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each hand-labelled post's (first reader's, second reader's) major and second major."""
    with HAND_LABELS.open(encoding="utf-8") as f:
        return {r["id"]: (tuple(c for c in (r["major"], r["second"]) if c),
                          tuple(c for c in (r["major_b"], r["second_b"]) if c)) for r in csv.DictReader(f)}


def load_posts() -> list[Post]:
    """Every post, with its weak label and its hand label where it has them."""
    table = crosswalk()
    hand = hand_labels()
    with (REAL / "posts_with_replies.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    posts: list[Post] = []
    for row in rows:
        title, body = row["title"].strip(), row["text"].strip()
        majors = weak_label(row["reply"], table) or ()
        first, second = hand.get(row["id"], ((), ()))
        posts.append(Post(row["id"], f"{title}\n{body}", body, title, majors, first, second))
    return posts


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def score(classify: Any, posts: list[Post], field: str = "text") -> dict[str, Any]:
    per: Counter[str] = Counter()
    hit1: Counter[str] = Counter()
    hit3: Counter[str] = Counter()
    top1 = strict = top3 = confident = confident_hits = unknown = 0
    misses: list[tuple[Post, list[str]]] = []
    for post in posts:
        result = classify(getattr(post, field))
        codes = [m.code for m in result.majors[:3]]
        ok = codes[0] in post.majors
        per[post.majors[0]] += 1
        hit1[post.majors[0]] += ok
        hit3[post.majors[0]] += any(c in post.majors for c in codes)
        top1 += ok
        strict += codes[0] == post.majors[0]
        top3 += any(c in post.majors for c in codes)
        confident += result.confident
        confident_hits += result.confident and ok
        unknown += getattr(result, "unknown", False)
        if not ok:
            misses.append((post, codes))
    n = len(posts) or 1
    return {"n": len(posts), "top1": top1 / n, "strict": strict / n, "top3": top3 / n,
            "confident": confident / n, "confident_precision": confident_hits / max(confident, 1),
            "unknown": unknown / n, "per": per, "hit1": hit1, "hit3": hit3, "misses": misses}


def _mark(value: float, goal: float) -> str:
    return f"(goal >= {goal:.2f}: {'ok' if value >= goal else 'MISSED'})"


def main() -> None:
    if not REAL.is_dir():
        print(f"real posts: {REAL} is absent - skipped (the benchmark reads it only when it is there)")
        return
    from nlu import NLU, shipped_place_names

    print(f"real posts: reading {REAL} (measurement only; never trained on)")
    every = load_posts()
    posts = [p for p in every if p.majors]
    dev = [p for p in posts if p.half == "dev"]
    test = [p for p in posts if p.half == "test"]
    handed = [p for p in every if p.hand]
    print(f"weak labels: {len(posts)} of {len(every)} posts name a department in {CROSSWALK.name} "
          f"(dev half {len(dev)}, test half {len(test)})")
    both = [p for p in handed if p.majors]
    agree = sum(bool(set(p.hand) & set(p.majors)) for p in both)
    print(f"  label noise measured on the {len(both)} hand-labelled posts that have a weak label: the weak "
          f"label's remit holds the hand label (its major or second) for {agree}/{len(both)} = "
          f"{agree / max(len(both), 1):.3f}, about what a perfect classifier would score against them")
    with tempfile.TemporaryDirectory(prefix="bench-nlu-real-") as tmp:
        nlu = NLU.load(extra_words=shipped_place_names(), cache_dir=Path(tmp))
        _shipped(nlu, posts, dev, test)
        _by_hand(nlu.classify, "shipped model", handed)
        _readers(nlu.classify, handed)
        _appeal(nlu, posts)
        _content_free(nlu)
        _latency(nlu, posts)
        _learned(nlu, dev, test, handed)


def _shipped(nlu: Any, posts: list[Post], dev: list[Post], test: list[Post]) -> None:
    every = score(nlu.classify, posts)
    print(f"shipped model, title + body, all {every['n']}: top-1 (department-compatible) {every['top1']:.3f} "
          f"{_mark(every['top1'], GOALS['top1'])}, strict {every['strict']:.3f}, top-3 {every['top3']:.3f} "
          f"{_mark(every['top3'], GOALS['top3'])}")
    for name, half in (("dev", dev), ("test", test)):
        r = score(nlu.classify, half)
        print(f"  {name} half {r['n']}: top-1 {r['top1']:.3f}, strict {r['strict']:.3f}, top-3 {r['top3']:.3f}")
    body = score(nlu.classify, posts, "body")
    print(f"  body only (no title): top-1 {body['top1']:.3f}, top-3 {body['top3']:.3f}")
    print(f"  confident {every['confident']:.1%} of posts, {every['confident_precision']:.1%} of those right; "
          f"unknown {every['unknown']:.1%}")
    per = every["per"]
    line = ", ".join(f"{k} {every['hit1'][k] / per[k]:.2f}/{every['hit3'][k] / per[k]:.2f} ({per[k]})"
                     for k in sorted(per))
    print(f"  per major (department's main major) top-1/top-3 (n): {line}")
    short = [p for p in posts if len(p.text) < 100]
    long_ = [p for p in posts if len(p.text) > 500]
    for name, group in (("under 100 chars", short), ("over 500 chars", long_)):
        if group:
            r = score(nlu.classify, group)
            print(f"  {name} ({r['n']}): top-1 {r['top1']:.3f}")


def score_hand(classify: Any, posts: list[Post]) -> dict[str, Any]:
    """Against hand labels: top-1 on the main major, top-1 on the main or second major, main major in top 3."""
    main = either = top3 = confident = confident_hits = 0
    misses: list[tuple[Post, list[str]]] = []
    for post in posts:
        result = classify(post.text)
        codes = [m.code for m in result.majors[:3]]
        main += codes[0] == post.hand[0]
        either += codes[0] in post.hand
        top3 += post.hand[0] in codes
        confident += result.confident
        confident_hits += result.confident and codes[0] in post.hand
        if codes[0] not in post.hand:
            misses.append((post, codes))
    n = len(posts) or 1
    return {"n": len(posts), "top1": main / n, "either": either / n, "top3": top3 / n, "confident": confident / n,
            "confident_precision": confident_hits / max(confident, 1), "misses": misses}


def _by_hand(classify: Any, name: str, posts: list[Post]) -> None:
    r = score_hand(classify, posts)
    print(f"{name}, hand labels, {r['n']} posts: top-1 {r['top1']:.3f} {_mark(r['top1'], GOALS['top1'])}, "
          f"top-1 on the major or its second {r['either']:.3f}, top-3 {r['top3']:.3f} "
          f"{_mark(r['top3'], GOALS['top3'])}; confident on {r['confident']:.1%}, "
          f"{r['confident_precision']:.1%} of those right (the major or its second)")
    if len({p.half for p in posts}) > 1:
        for half in ("dev", "test"):
            h = score_hand(classify, [p for p in posts if p.half == half])
            print(f"  {half} half {h['n']}: top-1 {h['top1']:.3f}, major or second {h['either']:.3f}, "
                  f"top-3 {h['top3']:.3f}")


def _readers(classify: Any, posts: list[Post]) -> None:
    """How far the two readers agree: the second reader scored as the model is, against the first."""
    both = [p for p in posts if p.other_reader]
    if not both:
        return
    n = len(both)
    main = sum(p.other_reader[0] == p.hand[0] for p in both)
    either = sum(p.other_reader[0] in p.hand for p in both)
    model = sum(classify(p.text).majors[0].code == p.other_reader[0] for p in both)
    print(f"  a second reader of the same {n} posts, scored as the model is against the first: top-1 "
          f"{main / n:.3f}, top-1 on the major or its second {either / n:.3f} (how consistent the labels are); "
          f"the model against the second reader: top-1 {model / n:.3f}")


def _appeal(nlu: Any, posts: list[Post]) -> None:
    counts: Counter[str] = Counter()
    checked = agree = 0
    for post in posts:
        kind = nlu.understand(post.text).appeal.value
        counts[kind] += 1
        cue = next((TITLE_APPEALS[w] for w in TITLE_APPEALS if w in post.title), None)
        if cue is not None:  # the title says what kind of appeal it is; the body is read without it
            checked += 1
            agree += nlu.understand(post.body).appeal.value == cue
    share = ", ".join(f"{k} {v / len(posts):.1%}" for k, v in counts.most_common())
    print(f"appeal type (title + body): {share}")
    if checked:
        print(f"  appeal type from the body alone agrees with the title's own word (建议/咨询/举报/投诉/求助/表扬) "
              f"on {agree}/{checked} = {agree / checked:.3f}")


def _content_free(nlu: Any) -> None:
    confident = [t for t in CONTENT_FREE if nlu.classify(t).confident]
    unknown = sum(nlu.understand(t).unknown for t in CONTENT_FREE)
    print(f"content-free probes (dates, codes, greetings, formulas): {len(CONTENT_FREE)}, "
          f"classified with confidence: {len(confident)} {confident if confident else ''}; unknown: {unknown}")


PASSES = 3


def _latency(nlu: Any, posts: list[Post]) -> None:
    """CPU time of this thread per message (time.thread_time), each post understood once per pass.

    The headline is a single pass: a resident's message is understood once, so no per-text memo (the
    facade's last classification, the normaliser's small cache) may help. Posts whose first 100 characters
    repeat an earlier post's are left out, so no pass finds anything of a post in those caches. Three
    passes over all posts (the caches hold far fewer than a pass) give three p99s; their median is
    reported, which a burst of load from other processes on a shared machine moves less. The same post
    understood again at once (its memo warm) is shown apart: it is not what a resident gets.
    """
    seen: set[str] = set()
    texts: list[str] = []
    for post in posts:
        text = post.text[:2000]
        if text[:100] not in seen:
            seen.add(text[:100])
            texts.append(text)
    for text in texts[:30]:
        nlu.understand(text)
    passes = [_one_pass(nlu, texts) for _ in range(PASSES)]
    p99s = sorted(_percentile(cpu, 0.99) * 1000 for cpu in passes)
    cpu = passes[0]
    p99 = p99s[len(p99s) // 2]
    longs = [i for i, t in enumerate(texts) if len(t) >= 1000]
    print(f"latency on real posts cut to 2,000 chars (CPU, one thread, understand(), each post once): "
          f"p99 {p99:.2f} ms (median of {PASSES} passes: {', '.join(f'{v:.2f}' for v in p99s)}), "
          f"mean {statistics.mean(cpu) * 1000:.2f} ms, p50 {_percentile(cpu, 0.5) * 1000:.2f} ms, "
          f"n {len(texts)} (goal p99 <= 2 ms: {'ok' if p99 <= GOALS['p99_ms'] else 'MISSED'})")
    if longs:
        worst = sorted(_percentile([p[i] for i in longs], 0.99) * 1000 for p in passes)[len(passes) // 2]
        print(f"  posts of 1,000-2,000 chars ({len(longs)}): p99 {worst:.2f} ms")
    again: list[float] = []
    for text in texts:
        nlu.understand(text)
        c0 = time.thread_time()
        nlu.understand(text)
        again.append(time.thread_time() - c0)
    print(f"  the same post again at once (its classification memoised, not a resident's case): "
          f"p99 {_percentile(again, 0.99) * 1000:.2f} ms")


def _one_pass(nlu: Any, texts: list[str]) -> list[float]:
    cpu: list[float] = []
    for text in texts:
        c0 = time.thread_time()
        nlu.understand(text)
        cpu.append(time.thread_time() - c0)
    return cpu


def _learned(nlu: Any, dev: list[Post], test: list[Post], handed: list[Post]) -> None:
    """Two-fold: trained on one half, tested on the other, then the other way round (both models thrown away)."""
    try:
        from nlu.learning import LabelledText, train_candidate
    except ImportError:
        print("learn: not available")
        return
    for train_name, train_half, test_name, test_half in (("dev", dev, "test", test), ("test", test, "dev", dev)):
        started = time.perf_counter()
        rows = [LabelledText(p.text, _within_remit(nlu, p)) for p in train_half]
        candidate = train_candidate(nlu, rows)
        took = time.perf_counter() - started
        r = score(candidate.classify, test_half)
        print(f"learn (trained on the {train_name} half's {len(rows)} weakly labelled posts + the taxonomy, "
              f"{took:.1f} s), {test_name} half {r['n']}: top-1 (department-compatible) {r['top1']:.3f} "
              f"{_mark(r['top1'], GOALS['learned_top1'])}, strict {r['strict']:.3f}, top-3 {r['top3']:.3f}")
        _by_hand(candidate.classify, f"  the same candidate on the {test_name} half",
                 [p for p in handed if p.half == test_name])
    _learned_by_fifths(nlu, dev + test, handed)


FOLDS = 5


def _fold(post: Post) -> int:
    return hashlib.sha256(f"fold:{post.id}".encode()).digest()[0] % FOLDS


def _learned_by_fifths(nlu: Any, posts: list[Post], handed: list[Post]) -> None:
    """Trained on four fifths of the weakly labelled posts, tested on the fifth left, five times round (as
    ``intake nlu learn`` holds out every fifth row): does more history of this kind help?"""
    from nlu.learning import LabelledText, train_candidate

    weak = hand = weak_n = hand_n = 0
    started = time.perf_counter()
    for fold in range(FOLDS):
        rows = [LabelledText(p.text, _within_remit(nlu, p)) for p in posts if _fold(p) != fold]
        candidate = train_candidate(nlu, rows)
        w = score(candidate.classify, [p for p in posts if _fold(p) == fold])
        h = score_hand(candidate.classify, [p for p in handed if _fold(p) == fold])
        weak, weak_n = weak + round(w["top1"] * w["n"]), weak_n + w["n"]
        hand, hand_n = hand + round(h["top1"] * h["n"]), hand_n + h["n"]
    took = time.perf_counter() - started
    print(f"learn on four fifths, tested on the fifth left, {FOLDS} times round ({took:.0f} s): "
          f"top-1 (department-compatible) {weak / weak_n:.3f} on {weak_n} posts "
          f"{_mark(weak / weak_n, GOALS['learned_top1'])}; hand labels {hand / hand_n:.3f} on {hand_n}")


def _within_remit(nlu: Any, post: Post) -> str:
    """The training label of a post: of its department's remit, the major the shipped model ranks highest.

    A bureau with several majors (city management: sanitation, street order, illegal building…) labels
    a noise complaint as much as a rubbish one; training every one of them on the bureau's main major
    would teach the candidate that noise is rubbish.
    """
    if len(post.majors) == 1:
        return post.majors[0]
    ranked = [m.code for m in nlu.classify(post.text).majors]
    return min(post.majors, key=lambda code: ranked.index(code) if code in ranked else len(ranked))


def list_dev_misses(limit: int = 60) -> None:
    """Misses of the dev half only (the test half's are never listed): weak labels, then hand labels."""
    from nlu import NLU

    nlu = NLU.load()
    dev = [p for p in load_posts() if p.half == "dev"]
    for post, codes in score(nlu.classify, [p for p in dev if p.majors])["misses"][:limit]:
        print(f"weak {'/'.join(post.majors)} -> {','.join(codes)}  {post.text[:160]!r}")
    for post, codes in score_hand(nlu.classify, [p for p in dev if p.hand])["misses"][:limit]:
        print(f"hand {'/'.join(post.hand)} -> {','.join(codes)}  {post.text[:160]!r}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["dev"]:
        list_dev_misses(int(sys.argv[2]) if len(sys.argv) > 2 else 60)
    else:
        main()
