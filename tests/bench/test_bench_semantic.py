"""The semantic FAQ tier: the combined decision's four figures on the
development set, per-question latency, start-up time and the memory the tier
adds. Information only (the machine's 2 cores are shared, so the figures are
noisy); issue 25's target is an answer p99 <= 60 ms with the tier (the full
stack's figure is in test_bench_features.py).

Latency is measured on every question of the three evaluation sets: through
the tier alone (``rank``; its CPU per question alone and sixteen at a time,
as the chat's worker batches them) and through the whole decision (``ask``: lexical,
then the tier unless the lexical answer is sure), next to the lexical
matcher alone in the same run. Start-up and
memory are measured in fresh processes (semantic_probe.py): the model load,
then the phrasing embeddings with an empty cache (cold) and with the cache
written by the cold run (warm).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bot.ask.combined_matcher import _consults, ask
from bot.ask.faq_matcher import FaqMatcher
from bot.ask.semantic_matcher import MISSING
from tests.ask.noisy_questions import variants
from tests.ask.test_faq_matcher import load_faq_entries
from tests.ask_evaluation import score
from tests.bench.test_bench_faq import all_questions, eval_items

pytestmark = pytest.mark.skipif(MISSING is not None, reason=str(MISSING))

ROOT = Path(__file__).resolve().parents[2]
REPEATS = 5
PROBES = 3


def _percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.99 * len(samples)))]


def _timed(call, questions, clock=time.perf_counter) -> list[float]:
    out = []
    for _ in range(REPEATS):
        for question, lang in questions:
            start = clock()
            call(question, lang)
            out.append((clock() - start) * 1000)
    return out


def test_bench_semantic_latency(record, tmp_path: Path) -> None:
    from bot.ask.semantic_matcher import SemanticTier

    entries = load_faq_entries()
    lexical = FaqMatcher.build(entries)
    tier = SemanticTier.build(entries, cache_dir=tmp_path)
    questions = all_questions()
    for question, lang in questions[:20]:  # warm up
        tier.rank(question)
        lexical.match(question, lang)

    lexical_ms = _timed(lambda q, lang: lexical.match(q, lang), questions)
    rank_ms = _timed(lambda q, lang: tier.rank(q), questions)
    # CPU time of this thread (BLAS is held to one thread, so all the work is
    # here): what a question costs, without the waiting a busy machine adds.
    rank_cpu_ms = _timed(lambda q, lang: tier.rank(q), questions, clock=time.thread_time)
    # And the whole process's CPU: BLAS threads spinning beside the caller
    # showed here and not above (10 ms against 4 ms a question before BLAS
    # was held to one thread for the process).
    rank_process_ms = _timed(lambda q, lang: tier.rank(q), questions, clock=time.process_time)
    # Sixteen at once, as the chat's worker ranks questions waiting together.
    texts = [q for q, _ in questions]
    started = time.process_time()
    for _ in range(REPEATS):
        for i in range(0, len(texts), 16):
            tier.rank_many(texts[i:i + 16])
    batch_cpu_ms = (time.process_time() - started) * 1000 / (REPEATS * len(texts))
    combined_ms = _timed(lambda q, lang: ask(lexical, tier, q, lang), questions)
    reaching = sum(_consults(tier, q, lexical.scored(q, lexical.language_of(q, lang))[1])
                   for q, lang in questions)

    lex50, lex99 = _percentiles(lexical_ms)
    rank50, rank99 = _percentiles(rank_ms)
    comb50, comb99 = _percentiles(combined_ms)
    cpu50, cpu99 = _percentiles(rank_cpu_ms)
    shown = f"{len(questions)} eval questions x {REPEATS}"
    record("semantic_rank_p50_ms", rank50, "ms", f"tier alone (embed + similarities), {shown}")
    record("semantic_rank_p99_ms", rank99, "ms", "tier alone, 99th percentile")
    record("semantic_rank_cpu_p50_ms", cpu50, "ms", "tier alone, CPU time of the calling thread")
    record("semantic_rank_cpu_p99_ms", cpu99, "ms", "tier alone, CPU time, 99th percentile")
    record("semantic_rank_process_cpu_p50_ms", _percentiles(rank_process_ms)[0], "ms",
           "tier alone, CPU time of the whole process (all threads), median")
    record("semantic_rank_batch16_cpu_ms", round(batch_cpu_ms, 3), "ms",
           "tier alone, process CPU per question when ranked 16 at a time (rank_many)")
    record("combined_p50_ms", comb50, "ms", f"the whole decision ({reaching} of "
           f"{len(questions)} questions reach it)")
    record("combined_p99_ms", comb99, "ms", "the whole decision, 99th percentile (target <= 60)")
    record("lexical_p99_ms", lex99, "ms", "lexical alone, same run (baseline)")
    record("combined_over_lexical_p50", round(comb50 / lex50, 2), "x", "combined p50 / lexical p50")
    for noisy in (False, True):
        items = eval_items("faq_eval_blind.yaml")
        figures = score(lexical, tier, variants(items) if noisy else items).as_dict()
        name = "dev_noisy" if noisy else "dev"
        for key in ("right_first_pct", "right_first_or_offered_pct", "wrong_pct",
                    "off_topic_not_answered_pct"):
            record(f"combined_{name}_{key}", figures[key], "%", name)


def _probe(cache: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([sys.executable, str(ROOT / "tests" / "bench" / "semantic_probe.py"), str(cache)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_bench_semantic_startup_and_memory(record) -> None:
    cold, warm = [], []
    for _ in range(PROBES):
        with tempfile.TemporaryDirectory() as cache:
            cold.append(_probe(Path(cache)))
            warm.append(_probe(Path(cache)))
    median = statistics.median
    record("semantic_load_s", median(r["load_s"] for r in warm), "s",
           f"import + model load (median of {PROBES} fresh processes)")
    record("semantic_build_cold_s", median(r["build_s"] for r in cold), "s",
           "embed every FAQ phrasing (empty cache)")
    record("semantic_build_warm_s", median(r["build_s"] for r in warm), "s",
           "phrasing embeddings read from the cache")
    record("semantic_rss_added_mb", median(r["rss_after_build_mb"] - r["rss_before_mb"] for r in warm), "MB",
           "RSS added by the tier (model + vectors), warm start")
