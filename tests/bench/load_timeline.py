"""Where an answer's time goes with hundreds of people asking at once: the
load benchmark's crowd (test_bench_load.py) with a timeline of each update
and each question, printed as a Markdown table for docs/ask-evaluation.md.

    .venv/bin/python -m tests.bench.load_timeline [--people 300] [--runs 3] [--variants batched before]
                                                  [--slowest 0.02]

For every question (not /start) it takes the time from the update entering
the update queue to its handler taking one of the chat's places
(bot/chat/ordering.py: 16 at a time), the place held (the handler, its Bot
API calls, the store), and inside the handler the reading of the question:
the lexical tier (on the event loop), the wait for the semantic tier's
ranking (its worker thread, in batches), the decision. For the tier's worker,
each batch's size, wall time and CPU time (wall over CPU: waiting for a
core, or for the GIL the event loop holds). For the event loop, how late a
1 ms sleep wakes (the loop busy), and how many of the 16 places are taken.
The wait for a ranking is cut in three: until its batch starts (the worker
busy with the batch before), its batch, and from the batch's end until the
question runs again on the loop (the hand-over); then, since a waiting
question gives its place back, the wait to take one again. Every garbage
collection (``gc.callbacks``: generation and pause) and every store hop
(aiosqlite's ``_execute``: to its thread and back) is noted too.

Then the slowest ``--slowest`` share of the questions (2%) taken apart one by
one: how long each waited to reach the update processor, behind its own
chat's previous update, for a place, for its ranking (in its three parts)
and for a place again, the store hops and the collections that fell within
its time, and the event loop's worst lateness meanwhile (a median per part
over the runs, its maximum, and its mean share of the answer).

It wraps functions of the running bot from outside (the crowd, the update
processor, ``ask_off_loop``'s steps, the batcher's ``_run``): nothing here
runs in the bot itself, and what it measures costs the same in every variant.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import statistics
import tempfile
import time
from pathlib import Path

import aiosqlite
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
        self.lag_at: list[tuple[float, float]] = []  # (when the late wake-up came, lateness s)
        self.gcs: list[tuple[float, float, int]] = []  # a collection's start, end (perf_counter), generation
        self.hops: list[tuple[float, float, int | None]] = []  # a store hop's start, end, update id
        self.chats: dict[int, int] = {}  # chat id -> the update id in flight for it
        self.submitted: dict[str, float] = {}  # question -> when it was handed to the worker
        self.ranked: dict[str, tuple[float, float]] = {}  # question -> its batch's start, end
        self.processor = None


NOW = Timeline()


def install() -> None:
    lexical, ranked, decide, consults = (combined._lexical, combined._ranked_off_loop, combined.decide,
                                         combined._consults)

    async def ask_off_loop(matcher, tier, question, fallback=None, waiting=None):
        noted: dict = {"update": _update_of_task()}
        t = time.perf_counter()
        noted["at"] = t
        lang, text, first, scores = lexical(matcher, question, fallback)
        noted["lexical"] = (time.perf_counter() - t) * 1000
        got = None
        if consults(tier, text, scores):
            t = time.perf_counter()
            noted["wait_at"] = t
            async with (waiting or contextlib.nullcontext)():
                got = await ranked(tier, text)
                inner = time.perf_counter()
            if text in NOW.ranked and text in NOW.submitted:
                start, end = NOW.ranked[text]
                noted["to batch"] = (start - NOW.submitted[text]) * 1000
                noted["batch"] = (end - start) * 1000
                noted["to loop"] = (inner - end) * 1000
            noted["wait"] = (inner - t) * 1000
            noted["back"] = (time.perf_counter() - inner) * 1000
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
        end = time.perf_counter()
        NOW.batches.append(((end - wall) * 1000, (time.thread_time() - cpu) * 1000,
                            len(batch)))
        for question, _ in batch:
            NOW.ranked.setdefault(question, (wall, end))

    rank_batcher.RankBatcher._run = timed_run
    submit = rank_batcher.RankBatcher.submit

    def timed_submit(self, question):
        NOW.submitted.setdefault(question, time.perf_counter())
        return submit(self, question)

    rank_batcher.RankBatcher.submit = timed_submit

    class NotedUpdate(Update):
        @classmethod
        def de_json(cls, data, bot):
            NOW.updates[data["update_id"]] = {"put": time.perf_counter(), "text": data["message"]["text"]}
            NOW.chats[data["message"]["chat"]["id"]] = data["update_id"]
            return Update.de_json(data, bot)

    load.Update = NotedUpdate

    class NotedAPI(load.SlowBotAPI):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.listeners.append(_replied)

    load.SlowBotAPI = NotedAPI

    execute = aiosqlite.Connection._execute

    async def timed_execute(self, fn, *args, **kwargs):
        t = time.perf_counter()
        try:
            return await execute(self, fn, *args, **kwargs)
        finally:
            NOW.hops.append((t, time.perf_counter(), _update_of_task()))

    aiosqlite.Connection._execute = timed_execute
    gc.callbacks.append(_gc_noted)

    process = ordering.PerSupporterUpdateProcessor.do_process_update

    async def noted_process(self, update, coroutine):
        NOW.processor = self
        noted = NOW.updates.setdefault(update.update_id, {})

        noted["arrived"] = time.perf_counter()
        previous = self._tails.get(ordering.ordering_key(update))
        if previous is not None and not previous.done():
            noted["behind"] = True
            previous.add_done_callback(lambda _: noted.setdefault("previous_done", time.perf_counter()))

        async def timed():
            noted["slot"] = time.perf_counter()
            TASKS[asyncio.current_task()] = update.update_id
            try:
                return await coroutine
            finally:
                noted["done"] = time.perf_counter()
                TASKS.pop(asyncio.current_task(), None)

        await process(self, update, timed())

    ordering.PerSupporterUpdateProcessor.do_process_update = noted_process


async def watched(*args):
    stop = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            processor = NOW.processor
            taken = processor.taken if processor is not None else 0
            now = time.perf_counter()
            NOW.lags.append(((now - t - 0.001) * 1000, taken))
            NOW.lag_at.append((now, now - t - 0.001))

    watcher = asyncio.create_task(watch())
    try:
        return await load.crowd(*args)
    finally:
        stop.set()
        await watcher


TASKS: dict = {}  # the task running an update -> its update id


def _update_of_task() -> int | None:
    try:
        return TASKS.get(asyncio.current_task())
    except RuntimeError:  # no running loop
        return None


def _replied(call) -> None:
    chat = call.params.get("chat_id")
    update = NOW.chats.get(int(chat)) if chat is not None else None
    if update is not None:
        NOW.updates.get(update, {}).setdefault("reply", time.perf_counter())


_GC_STARTED: list[float] = []


def _gc_noted(phase: str, info: dict) -> None:
    if phase == "start":
        _GC_STARTED[:] = [time.perf_counter()]
    elif _GC_STARTED:
        NOW.gcs.append((_GC_STARTED[0], time.perf_counter(), info["generation"]))


def _overlap(spans, start: float, end: float) -> float:
    """Seconds of ``spans`` ((start, end, ...)) inside [start, end]."""
    return sum(max(0.0, min(e, end) - max(s, start)) for s, e, *_ in spans)


def slowest(share: float = 0.02) -> list[dict]:
    """Where the slowest ``share`` of the questions' time went (ms), each row one question."""
    questions = [(uid, u) for uid, u in NOW.updates.items()
                 if "reply" in u and "slot" in u and not u["text"].startswith("/")]
    questions.sort(key=lambda pair: pair[1]["reply"] - pair[1]["put"], reverse=True)
    asks = {a["update"]: a for a in NOW.asks if a.get("update") is not None}
    out = []
    for uid, u in questions[:max(1, int(len(questions) * share))]:
        put, reply = u["put"], u["reply"]
        ask = asks.get(uid, {})
        hops = [(s, e) for s, e, who in NOW.hops if who == uid and s < reply]
        lags = [lag for at, lag in NOW.lag_at if put <= at <= reply + 0.002]
        out.append({
            "answer": (reply - put) * 1000,
            "to processor": (u["arrived"] - put) * 1000,
            "behind own chat": ((u.get("previous_done", u["arrived"]) - u["arrived"]) * 1000
                                if u.get("behind") else 0.0),
            "queued for a place": (u["slot"] - u.get("previous_done", u["arrived"])) * 1000,
            "place to reading": ((ask["at"] - u["slot"]) * 1000) if "at" in ask else float("nan"),
            "semantic wait": ask.get("wait", 0.0),
            "  until its batch starts": ask.get("to batch", 0.0),
            "  its batch": ask.get("batch", 0.0),
            "  batch end to the loop": ask.get("to loop", 0.0),
            "back to a place": ask.get("back", 0.0),
            "store hops before reply": _overlap(hops, put, reply) * 1000,
            "GC in its time": _overlap(NOW.gcs, put, reply) * 1000,
            "gen2 in its time": _overlap([g for g in NOW.gcs if g[2] == 2], put, reply) * 1000,
            "loop lateness max": max(lags, default=0.0) * 1000,
        })
    return out


def _p(samples, q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def rows(figures: dict) -> dict[str, list[float]]:
    """Each row's samples for one run."""
    first = min((u["put"] for u in NOW.updates.values() if "put" in u), default=0.0)
    NOW.gcs[:] = [g for g in NOW.gcs if g[0] >= first]  # not the bot's start (bot/core/heap.py collects once)
    questions = [u for u in NOW.updates.values() if "slot" in u and not u["text"].startswith("/")]
    tier = [a for a in NOW.asks if "wait" in a]
    return {
        "answer (the benchmark's figure)": [s * 1000 for s in figures["answers"]],
        "queued for one of the 16 places": [(u["slot"] - u["put"]) * 1000 for u in questions],
        "place held (handler, Bot API calls, store)": [(u["done"] - u["slot"]) * 1000 for u in questions],
        "lexical tier (event loop)": [a["lexical"] for a in NOW.asks],
        "wait for the semantic ranking": [a["wait"] for a in tier],
        "  of which: until its batch starts": [a["to batch"] for a in tier if "to batch" in a],
        "  of which: its batch": [a["batch"] for a in tier if "batch" in a],
        "  of which: from the batch's end to the loop": [a["to loop"] for a in tier if "to loop" in a],
        "then back to a place": [a["back"] for a in tier],
        "decision": [a["decide"] for a in NOW.asks],
        "a batch, wall": [b[0] for b in NOW.batches],
        "a batch, CPU": [b[1] for b in NOW.batches],
        "a batch, questions": [b[2] for b in NOW.batches],
        "event loop lateness (1 ms sleep)": [lag for lag, _ in NOW.lags],
        "places taken (of 16)": [taken for _, taken in NOW.lags],
        "a GC pause, gen 0/1": [(e - s) * 1000 for s, e, g in NOW.gcs if g < 2],
        "a GC pause, gen 2": [(e - s) * 1000 for s, e, g in NOW.gcs if g == 2],
        "a store hop (to aiosqlite's thread and back)": [(e - s) * 1000 for s, e, _ in NOW.hops],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", nargs="+", default=["batched", "before"],
                        choices=load.VARIANTS)
    parser.add_argument("--slowest", type=float, default=0.02, help="the share of questions taken apart")
    options = parser.parse_args()
    install()
    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    people = load.scripts(options.people)
    table: dict[str, dict[str, list[tuple[float, float]]]] = {v: {} for v in options.variants}
    extra: dict[str, list[str]] = {v: [] for v in options.variants}
    slow: dict[str, list[dict]] = {v: [] for v in options.variants}
    for _ in range(options.runs):
        for variant in options.variants:  # in turns: a busy moment slows each
            NOW.__init__()
            with tempfile.TemporaryDirectory() as folder:
                figures = asyncio.run(watched(Path(folder), catalog, matcher, people, variant))
            for name, samples in rows(figures).items():
                if samples:
                    noted = (statistics.median(samples), _p(samples, 0.99))
                    table[variant].setdefault(name, []).append(noted)
            slow[variant].extend(slowest(options.slowest))
            tier = [a for a in NOW.asks if "wait" in a]
            late = sum(a["late"] for a in tier)
            gen2 = [(e - s) * 1000 for s, e, g in NOW.gcs if g == 2]
            extra[variant].append(f"{len(tier)} of {len(NOW.asks)} reached the tier, {late} late; "
                                  f"CPU {figures['cpu_share']:.2f} cores; GC: {len(NOW.gcs)} collections, "
                                  f"{sum(e - s for s, e, _ in NOW.gcs) * 1000:.0f} ms in all, gen 2: "
                                  f"{len(gen2)} ({', '.join(f'{g:.0f}' for g in gen2)} ms)")
    for variant in options.variants:
        print(f"\n{variant}, {options.people} people, median of {options.runs} runs (p50 / p99):\n")
        print("| step | p50 | p99 |\n| --- | ---: | ---: |")
        for name, runs in table[variant].items():
            p50 = statistics.median(r[0] for r in runs)
            p99 = statistics.median(r[1] for r in runs)
            print(f"| {name} | {p50:.1f} | {p99:.1f} |")
        for said in extra[variant]:
            print(f"- {said}")
        rows_ = slow[variant]
        if rows_:
            print(f"\nthe slowest {options.slowest:.0%} of the questions ({len(rows_)} over the runs), "
                  "where their time went (ms): median, and the mean share of the answer\n")
            print("| part | median | max | share of the answer |\n| --- | ---: | ---: | ---: |")
            for name in rows_[0]:
                values = [r[name] for r in rows_ if r[name] == r[name]]
                share = (statistics.mean(r[name] / r["answer"] for r in rows_ if r[name] == r[name])
                         if name != "answer" else 1.0)
                print(f"| {name} | {statistics.median(values):.1f} | {max(values):.1f} | {share:.0%} |")


if __name__ == "__main__":
    main()
