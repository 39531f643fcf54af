"""NLU figures on the held-out set: accuracy, latency per message, start-up time and memory.

Run with ``python -m benchmarks nlu``. Start-up and memory are measured in fresh subprocesses so that
imports and caches count as they would for a restarted server; latency is single-threaded (one core).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ROOT / "tests" / "nlu" / "data" / "heldout.jsonl"
PHONES = ROOT / "tests" / "nlu" / "data" / "phones.jsonl"
GOALS = {"top1_major": 0.92, "top3_major": 0.98, "intent": 0.97, "phone_exact": 0.99}

_LOAD_SCRIPT = """
import json, resource, sys, time, tracemalloc
started = time.perf_counter()
from nlu import NLU, shipped_place_names
imported = time.perf_counter()
tracemalloc.start() if sys.argv[2] == "memory" else None
nlu = NLU.load(extra_words=shipped_place_names(), cache_dir=__import__("pathlib").Path(sys.argv[1]))
loaded = time.perf_counter()
traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
nlu.understand("路灯不亮")
print(json.dumps({"import_s": imported - started, "load_s": loaded - imported, "traced_bytes": traced,
                  "model_bytes": nlu.model.nbytes,
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _load_in_subprocess(cache_dir: Path, mode: str = "time") -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _LOAD_SCRIPT, str(cache_dir), mode],
        cwd=ROOT, check=True, capture_output=True, text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    from nlu import NLU, shipped_place_names
    from nlu.evaluation import evaluate, read_labelled

    with tempfile.TemporaryDirectory(prefix="bench-nlu-") as tmp:
        cache = Path(tmp)
        cold = _load_in_subprocess(cache)
        warm = [_load_in_subprocess(cache) for _ in range(3)]
        memory = _load_in_subprocess(cache, "memory")
        nlu = NLU.load(extra_words=shipped_place_names(), cache_dir=cache)

    rows = read_labelled(HELD_OUT)
    report = evaluate(nlu, rows + read_labelled(PHONES))
    figures = report.summary()
    texts = [r["text"] for r in rows]
    for text in texts[:50]:
        nlu.understand(text)  # warm the caches of the process
    latencies: list[float] = []  # wall clock, includes waiting for a CPU on a busy machine
    cpu_times: list[float] = []  # CPU time of this thread: the cost of one message on one core
    started, cpu_started = time.perf_counter(), time.thread_time()
    for _ in range(3):
        for text in texts:
            t0, c0 = time.perf_counter(), time.thread_time()
            nlu.understand(text)
            latencies.append(time.perf_counter() - t0)
            cpu_times.append(time.thread_time() - c0)
    elapsed, cpu_elapsed = time.perf_counter() - started, time.thread_time() - cpu_started

    warm_total = statistics.median(w["import_s"] + w["load_s"] for w in warm)
    print(f"held-out set: {len(rows)} messages ({report.majors} with a major), {report.phones} phone cases")
    counts = {
        "top1_major": (report.top1, report.majors), "top3_major": (report.top3, report.majors),
        "minor": (report.minor_hits, report.minors), "intent": (report.intent_hits, report.intents),
        "phone_exact": (report.phone_hits, report.phones),
    }
    for key, label in (
        ("top1_major", "top-1 major"), ("top3_major", "top-3 major"), ("minor", "minor"),
        ("macro_f1_major", "macro-F1 major"), ("intent", "intent"), ("phone_exact", "phone exact"),
    ):
        goal = GOALS.get(key)
        mark = "" if goal is None else f"   (goal >= {goal:.0%}: {'ok' if figures[key] >= goal else 'MISSED'})"
        value = f"{figures[key]:.3f}" if key == "macro_f1_major" else f"{figures[key]:.2%}"
        if key in counts:
            value += f" ({counts[key][0]}/{counts[key][1]})"
        print(f"{label:<16}{value}{mark}")
    print(f"confident        {figures['confident_share']:.1%} of reports, "
          f"{figures['confident_precision']:.1%} of those right")
    p50, p99 = _percentile(cpu_times, 0.50) * 1000, _percentile(cpu_times, 0.99) * 1000
    w50, w99 = _percentile(latencies, 0.50) * 1000, _percentile(latencies, 0.99) * 1000
    print(f"latency (CPU)    p50 {p50:.2f} ms, p99 {p99:.2f} ms per message (understand(), all extractors)"
          f"   (goal p99 < 2 ms: {'ok' if p99 < 2 else 'MISSED'})")
    print(f"latency (wall)   p50 {w50:.2f} ms, p99 {w99:.2f} ms (includes waits for a CPU on a shared machine)")
    print(f"throughput       {len(cpu_times) / cpu_elapsed:.0f} messages/s per core of CPU time, "
          f"{len(latencies) / elapsed:.0f} messages/s wall clock, one thread")
    print(f"cold start       {cold['import_s'] + cold['load_s']:.2f} s (import {cold['import_s']:.2f} s, "
          f"train + cache {cold['load_s']:.2f} s)")
    warm_import = statistics.median(w["import_s"] for w in warm)
    warm_load = statistics.median(w["load_s"] for w in warm)
    print(f"warm start       {warm_total:.2f} s (import {warm_import:.2f} s + NLU.load from cache {warm_load:.2f} s, "
          f"fresh process, median of 3)"
          f"   (goal < 1 s: {'ok' if warm_total < 1 else 'MISSED'})")
    model_mb = memory["traced_bytes"] / 1e6
    print(f"model memory     {model_mb:.0f} MB allocated by NLU.load (weights {memory['model_bytes'] / 1e6:.0f} MB), "
          f"process max RSS {memory['max_rss_kb'] / 1024:.0f} MB   (goal <= 60 MB: "
          f"{'ok' if model_mb <= 60 else 'MISSED'})")


if __name__ == "__main__":
    main()
