"""Thread CPU of one question's path on the event loop, lexical side.

    .venv/bin/python -m tests.bench.question_cpu [--passes 2] [--profile]

Runs what ``combined_matcher.ask_off_loop`` runs on the loop for each
development question, as written and noisy (language, ``scored``,
``_consults``, then ``passage_scores``, ``kind_of`` and the decision), with a
constant semantic ranking standing in for the tier (its own CPU is in its
worker thread, not here), and prints the thread CPU per question: median,
p99, mean. Thread CPU, not wall time: the 2 cores are shared and wall time
would count the waits for one. ``--profile`` prints cProfile's cumulative
table instead. To compare two trees, run it in each in turns (``cd`` there
with ``PYTHONPATH`` set to it); docs/ask-evaluation.md "Speed and memory"
has the figures of branch ``lexfast``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

from bot.ask import combined_matcher
from tests.ask.noisy_questions import variants
from tests.ask.test_faq_matcher import load_eval
from tests.ask_evaluation import DATA, DEV_SETS, build


class ConstantRanker:
    """Every entry, the same similarities for every question: the fused
    decision and the answers' index run as with the tier."""

    def __init__(self, ids) -> None:
        self._ranked = [(entry, 0.5 + 0.001 * (i % 7)) for i, entry in enumerate(ids)]

    def rank(self, question: str):
        return self._ranked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=2, help="passes over the questions")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    matcher, _ = build(lexical_only=True)
    ranker = ConstantRanker(matcher.ids)
    questions = []
    for path in DEV_SETS:
        items = load_eval(DATA / path.name)
        questions += [(item["q"], item.get("lang") if item.get("lang") in ("en", "es") else None)
                      for item in items + variants(items)]

    def one(question: str, fallback: str | None) -> None:
        lang, text, first, scores = combined_matcher._lexical(matcher, question, fallback)
        ranked = ranker.rank(text) if combined_matcher._consults(ranker, text, scores) else None
        combined_matcher.decide(matcher, lang, text, first, scores, ranked)

    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [one(q, fallback) for q, fallback in questions])
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        return
    spent = []
    for _ in range(args.passes):
        for question, fallback in questions:
            start = time.thread_time_ns()
            one(question, fallback)
            spent.append(time.thread_time_ns() - start)
    spent.sort()
    print(f"{len(questions)} questions x {args.passes}: thread CPU per question median "
          f"{statistics.median(spent) / 1000:.0f} µs, p99 {spent[int(len(spent) * 0.99)] / 1000:.0f} µs, "
          f"mean {statistics.mean(spent) / 1000:.0f} µs")


if __name__ == "__main__":
    main()
