"""Where an answer's time goes with hundreds of people asking at once: the
load benchmark's crowd (test_bench_load.py) with a timeline of each update
and each question, printed as a Markdown table for docs/ask-evaluation.md.

    .venv/bin/python -m tests.bench.load_timeline [--people 300] [--runs 3] [--variants batched before]

For every question (not /start) it takes the time from the update entering
the update queue to its handler taking one of the chat's places
(bot/chat/ordering.py: 16 at a time), the place held (the handler, its Bot
API calls, the store), and inside the handler the reading of the question:
the lexical tier (on the event loop), the wait for the semantic tier's
ranking (its worker thread, in batches), the decision. For the tier's worker,
each batch's size, wall time and CPU time (wall over CPU: waiting for a
core, or for the GIL the event loop holds). For the event loop, how late a
1 ms sleep wakes (the loop busy), and how many of the 16 places are taken.

It wraps functions of the running bot from outside (the crowd, the update
processor, ``ask_off_loop``'s steps, the batcher's ``_run``): nothing here
runs in the bot itself, and what it measures costs the same in every variant.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from telegram import Update

import bot.ask.combined_matcher as combined
import bot.ask.rank_batcher as rank_batcher
import bot.chat.ask as chat_ask
import bot.chat.ordering as ordering
from bot.catalog import load_catalog
from bot.runtime import build_matcher
from tests.bench import test_bench_load as load
from tests.bench.stack import ROOT


class Timeline:
    """What the wrapped functions noted during one crowd."""

    def __init__(self) -> None:
        self.updates: dict[int, dict] = {}  # update id -> put, text, slot, done
        self.asks: list[dict] = []  # per question read: lexical, wait, decide (ms), reached the tier
        self.batches: list[tuple[float, float, int]] = []  # wall ms, CPU ms, size
        self.lags: list[tuple[float, int]] = []  # loop lateness ms, places taken
        self.processor = None


NOW = Timeline()


def install() -> None:
    lexical, ranked, decide, consults = (combined._lexical, combined._ranked_off_loop, combined.decide,
                                         combined._consults)

    async def ask_off_loop(matcher, tier, question, fallback=None):
        noted: dict = {}
        t = time.perf_counter()
        lang, text, first, scores = lexical(matcher, question, fallback)
        noted["lexical"] = (time.perf_counter() - t) * 1000
        got = None
        if consults(tier, text, scores):
            t = time.perf_counter()
            got = await ranked(tier, text)
            noted["wait"] = (time.perf_counter() - t) * 1000
            noted["late"] = got is None
        t = time.perf_counter()
        asked = decide(matcher, lang, text, first, scores, got)
        noted["decide"] = (time.perf_counter() - t) * 1000
        NOW.asks.append(noted)
        return asked

    chat_ask.ask_off_loop = ask_off_loop

    run = rank_batcher.RankBatcher._run

    def timed_run(self, batch) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        run(self, batch)
        NOW.batches.append(((time.perf_counter() - wall) * 1000, (time.thread_time() - cpu) * 1000,
                            len(batch)))

    rank_batcher.RankBatcher._run = timed_run

    class NotedUpdate(Update):
        @classmethod
        def de_json(cls, data, bot):
            NOW.updates[data["update_id"]] = {"put": time.perf_counter(), "text": data["message"]["text"]}
            return Update.de_json(data, bot)

    load.Update = NotedUpdate

    process = ordering.PerSupporterUpdateProcessor.do_process_update

    async def noted_process(self, update, coroutine):
        NOW.processor = self
        noted = NOW.updates.setdefault(update.update_id, {})

        async def timed():
            noted["slot"] = time.perf_counter()
            try:
                return await coroutine
            finally:
                noted["done"] = time.perf_counter()

        await process(self, update, timed())

    ordering.PerSupporterUpdateProcessor.do_process_update = noted_process


async def watched(*args):
    stop = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            processor = NOW.processor
            taken = processor.limit - processor._slots._value if processor is not None else 0
            NOW.lags.append(((time.perf_counter() - t - 0.001) * 1000, taken))

    watcher = asyncio.create_task(watch())
    try:
        return await load.crowd(*args)
    finally:
        stop.set()
        await watcher


def _p(samples, q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def rows(figures: dict) -> dict[str, list[float]]:
    """Each row's samples for one run."""
    questions = [u for u in NOW.updates.values() if "slot" in u and not u["text"].startswith("/")]
    tier = [a for a in NOW.asks if "wait" in a]
    return {
        "answer (the benchmark's figure)": [s * 1000 for s in figures["answers"]],
        "queued for one of the 16 places": [(u["slot"] - u["put"]) * 1000 for u in questions],
        "place held (handler, Bot API calls, store)": [(u["done"] - u["slot"]) * 1000 for u in questions],
        "lexical tier (event loop)": [a["lexical"] for a in NOW.asks],
        "wait for the semantic ranking": [a["wait"] for a in tier],
        "decision": [a["decide"] for a in NOW.asks],
        "a batch, wall": [b[0] for b in NOW.batches],
        "a batch, CPU": [b[1] for b in NOW.batches],
        "a batch, questions": [b[2] for b in NOW.batches],
        "event loop lateness (1 ms sleep)": [lag for lag, _ in NOW.lags],
        "places taken (of 16)": [taken for _, taken in NOW.lags],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", nargs="+", default=["batched", "before"],
                        choices=load.VARIANTS)
    options = parser.parse_args()
    install()
    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    people = load.scripts(options.people)
    table: dict[str, dict[str, list[tuple[float, float]]]] = {v: {} for v in options.variants}
    extra: dict[str, list[str]] = {v: [] for v in options.variants}
    for _ in range(options.runs):
        for variant in options.variants:  # in turns: a busy moment slows each
            NOW.__init__()
            with tempfile.TemporaryDirectory() as folder:
                figures = asyncio.run(watched(Path(folder), catalog, matcher, people, variant))
            for name, samples in rows(figures).items():
                if samples:
                    noted = (statistics.median(samples), _p(samples, 0.99))
                    table[variant].setdefault(name, []).append(noted)
            tier = [a for a in NOW.asks if "wait" in a]
            late = sum(a["late"] for a in tier)
            extra[variant].append(f"{len(tier)} of {len(NOW.asks)} reached the tier, {late} late; "
                                  f"CPU {figures['cpu_share']:.2f} cores")
    for variant in options.variants:
        print(f"\n{variant}, {options.people} people, median of {options.runs} runs (p50 / p99):\n")
        print("| step | p50 | p99 |\n| --- | ---: | ---: |")
        for name, runs in table[variant].items():
            p50 = statistics.median(r[0] for r in runs)
            p99 = statistics.median(r[1] for r in runs)
            print(f"| {name} | {p50:.1f} | {p99:.1f} |")
        for said in extra[variant]:
            print(f"- {said}")


if __name__ == "__main__":
    main()
