"""FAQ matcher (the lexical tier): accuracy on the three evaluation sets, index
build time and per-question latency, against the matcher as it was before the
speed-up (tests/bench/faq_before/, a frozen copy) timed in the same run.

Information only: the machine's cores are shared, so no figure here fails on
an absolute time; targets are reported as met or not. Targets: a build within
300 ms (a content reload without a pause), faq_p99_ms <= 2 ms (5 ms before),
and ``faq_speedup_p50`` >= 2.

Latency is measured on every question of the three sets, in rounds that
alternate the two matchers, so that a burst of load from another process
falls on both alike.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import yaml

from bot.ask.faq_matcher import FaqMatcher
from tests.ask.test_faq_matcher import evaluate, load_faq_entries
from tests.bench.faq_before.faq_matcher import FaqMatcher as FaqMatcherBefore

ROOT = Path(__file__).resolve().parents[2]
EVAL_SETS = ("faq_eval.yaml", "faq_eval_fresh.yaml", "faq_eval_blind.yaml")
SHORT_NAMES = {"faq_eval.yaml": "eval", "faq_eval_fresh.yaml": "fresh", "faq_eval_blind.yaml": "blind"}
BUILDS = 10
ROUNDS = 6


def eval_items(name: str) -> list[dict]:
    return yaml.safe_load((ROOT / "tests" / "data" / name).read_text("utf-8"))


def all_questions() -> list[tuple[str, str]]:
    return [(item["q"], item["lang"]) for name in EVAL_SETS for item in eval_items(name)]


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


def record_accuracy(record, tier: str, matcher) -> None:
    """right / wrong / off-topic declined / top-3 of ``matcher`` on each set."""
    for name in EVAL_SETS:
        scores = evaluate(matcher, eval_items(name))
        short = SHORT_NAMES[name]
        record(f"{tier}_{short}_right_pct", round(100 * scores.right_rate, 1), "%", f"{name}: right answers")
        record(f"{tier}_{short}_wrong_pct", round(100 * scores.wrong_rate, 1), "%", f"{name}: wrong answers")
        record(f"{tier}_{short}_declined_pct", round(100 * scores.off_declined_rate, 1), "%",
               f"{name}: off-topic questions declined")
        record(f"{tier}_{short}_top3_pct", round(100 * scores.top3_rate, 1), "%",
               f"{name}: right entry answered or among the first three")


def test_bench_faq_matcher(record) -> None:
    entries = load_faq_entries()
    assert entries, "no FAQ entries under content/faq"

    build_ms, before_build_ms = [], []
    for _ in range(BUILDS):
        start = time.perf_counter()
        matcher = FaqMatcher.build(entries)
        build_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        before = FaqMatcherBefore.build(entries)
        before_build_ms.append((time.perf_counter() - start) * 1000)

    questions = all_questions()
    for question, lang in questions:  # warm the caches the way a running bot has them
        matcher.match(question, lang)
        before.match(question, lang)
    latencies: dict[str, list[float]] = {"now": [], "before": []}
    for _ in range(ROUNDS):
        for name, timed in (("before", before), ("now", matcher)):
            for question, lang in questions:
                start = time.perf_counter()
                timed.match(question, lang)
                latencies[name].append((time.perf_counter() - start) * 1000)
    median, p99 = percentiles(latencies["now"])
    before_median, before_p99 = percentiles(latencies["before"])

    phrasings = sum(len(v or ()) for _, q in entries for v in q.values())
    shown = f"{len(questions)} questions of the three sets x {ROUNDS}"
    build = statistics.median(build_ms)
    record("faq_build_ms", round(build, 3), "ms", f"median of {BUILDS} index builds ({phrasings} phrasings)",
           target="<= 300 ms", met=build <= 300)
    record("faq_median_ms", median, "ms", f"median match, {shown}")
    record("faq_p99_ms", p99, "ms", f"99th percentile match, {len(latencies['now'])} in all",
           target="<= 2 ms", met=p99 <= 2)
    record("faq_before_build_ms", statistics.median(before_build_ms), "ms",
           "index build, matcher before the speed-up (tests/bench/faq_before)")
    record("faq_before_median_ms", before_median, "ms", "median match, matcher before the speed-up, same run")
    record("faq_before_p99_ms", before_p99, "ms", "99th percentile, matcher before the speed-up, same run")
    record("faq_speedup_p50", round(before_median / median, 2), "x", "before / now, median",
           target=">= 2", met=before_median / median >= 2)
    record("faq_speedup_p99", round(before_p99 / p99, 2), "x", "before / now, 99th percentile")
    record_accuracy(record, "lexical", matcher)
