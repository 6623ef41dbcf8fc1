"""Answers with hundreds of people at once, the semantic tier on.

PEOPLE simulated people each send /start and then QUESTIONS questions, one
at a time, pausing 0.5–1 s (seeded) after each reply, as people do; every
Bot API call takes API_LATENCY, as over HTTPS. The bot is the real
`Application` with its update processor (16 updates at a time, each
person's in order) on the in-memory Bot API. A reply time is from the update
entering the update queue to the bot's first Bot API call to that chat
returning. Every question is a new string (tests/bench/stack.py), so no cache
flatters it, and about half of them reach the semantic tier.

Four bots in the same run, one after another, on the same people and
questions: the tier as the bot runs it (``rank_in_time``: one worker ranking
every waiting question in one batch, each question waiting ``WAIT_S`` at most
before the lexical tier answers it alone, its processing place given back
while it waits, the loaded heap frozen), the bot before those last two
("before": a question holds its place through the wait, and full garbage
collections rescan the whole heap, as main at 083a516), the tier ranked one
question per call in the loop's executor (the bot before the batching), and
the lexical tier alone.
At 300 people the four take turns ``ROUNDS`` times and the figures are the
medians (with the range), the machine's load moving every run.
Issue 25's target: answer p99 <= 60 ms with the tier (reported, not asserted;
2 shared cores).

Then appeals (issue 29): PEOPLE people each doing /start, a question, the
email flow to the appeal, "Sent" and Follow, with the real pacing of
messages to one chat (this bot: its per-chat budget, bot/chat/send_budget.py;
the bot before: a second's pause inside the handler), through the bot
before the per-chat outbox (a copy of it at the commit before) and this bot,
in turns, each in its own process (tests/bench/appeal_crowd.py); this bot
through its own poller too, at both sizes. Targets at 300 people: a tap
answered within 1 s at p99, an appeal within 4 s at p99; counts exact.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

from telegram import Update

import bot.chat.ask as chat_ask
from bot.ask.rank_batcher import WAIT_S, RankBatcher
from bot.catalog import load_catalog
from bot.chat.context import SERVICES_KEY
from bot.core import heap
from bot.runtime import build_matcher
from tests.bench.before import label, versus
from tests.bench.stack import NOW, ROOT, SlowBotAPI, fixed_clock, questions, started_ours

PEOPLE = (300, 1_000)
QUESTIONS = 3
API_LATENCY = 0.005
PAUSE_S = (0.5, 1.0)


ROUNDS = {300: 3, 1_000: 1}
VARIANTS = ("batched", "before", "unbatched", "lexical")


class Unbatched:
    """The tier without ``rank_soon``: ``ask_off_loop`` then ranks each question
    alone in the loop's executor, as the bot did before the batching."""

    def __init__(self, tier) -> None:
        self._tier = tier

    def rank(self, question: str):
        return self._tier.rank(question)


def scripts(people: int) -> list[tuple[str, list[str]]]:
    """(language, [/start and the questions]) per person; every question new."""
    supply = questions()
    out = []
    for n in range(people):
        lang = "es" if n % 3 == 2 else "en"
        out.append((lang, ["/start", *(next(supply[lang]) for _ in range(QUESTIONS))]))
    return out


async def crowd(tmp_path, catalog, matcher, people: list[tuple[str, list[str]]], tier_as: str) -> dict:
    """Run the people through one bot; reply times (s) of /start and questions, and CPU."""
    with as_before() if tier_as == "before" else contextlib.nullcontext():
        return await _crowd(tmp_path, catalog, matcher, people, tier_as)


@contextlib.contextmanager
def as_before(release: bool = False, freeze: bool = False, hand_back: bool = False):
    """The bot as it ran before (main at 083a516), but for what is named: the
    wait for a ranking holds the question's place (bot/chat/ordering.py
    ``place_released``), the heap is not frozen (bot/core/heap.py), and the
    ranking comes back through ``asyncio.wait_for(wrap_future(...))``."""
    saved = chat_ask.place_released, heap.freeze, RankBatcher.rank_within
    if not release:
        chat_ask.place_released = contextlib.nullcontext
    if not freeze:
        heap.freeze = lambda: 0
    if not hand_back:
        RankBatcher.rank_within = _rank_within_before
    try:
        yield
    finally:
        chat_ask.place_released, heap.freeze, RankBatcher.rank_within = saved


async def _rank_within_before(self, question: str, wait_s: float | None):
    """``RankBatcher.rank_within`` as it was at 083a516."""
    future = self.submit(question)
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), wait_s)
    except TimeoutError:
        future.cancel()
        self.late += 1
        return None


async def _crowd(tmp_path, catalog, matcher, people: list[tuple[str, list[str]]], tier_as: str) -> dict:
    api = SlowBotAPI(API_LATENCY, clock=fixed_clock)
    async with started_ours(tmp_path / f"load-{len(people)}-{tier_as}.sqlite3", catalog, matcher,
                            supporters=1, api=api) as bot:
        services = bot.application.bot_data[SERVICES_KEY]
        tier = services.semantic.result()
        late = tier.late
        if tier_as == "unbatched":
            services.semantic = _done(Unbatched(tier))
        elif tier_as == "lexical":
            services.semantic = None
        waiting: dict[int, tuple[float, asyncio.Future]] = {}

        def seen(call) -> None:
            chat = call.params.get("chat_id")
            pending = waiting.pop(int(chat), None) if chat is not None else None
            if pending is not None and not pending[1].done():
                pending[1].set_result(time.perf_counter() - pending[0])

        api.listeners.append(seen)
        loop = asyncio.get_running_loop()
        queue, telegram_bot = bot.application.update_queue, bot.application.bot
        starts: list[float] = []
        answers: list[float] = []
        update_ids = iter(range(1, 10**9))

        async def person(n: int, lang: str, texts: list[str]) -> None:
            pace = random.Random(n)
            user_id = 800_000 + n
            user = {"id": user_id, "is_bot": False, "first_name": f"P{n}", "language_code": lang}
            await asyncio.sleep(pace.uniform(0, PAUSE_S[1]))  # people do not all start on one tick
            for k, text in enumerate(texts):
                message = {"message_id": 10 + k, "date": int(NOW), "chat": {"id": user_id, "type": "private"},
                           "from": user, "text": text}
                if text.startswith("/"):
                    message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
                replied: asyncio.Future = loop.create_future()
                waiting[user_id] = (time.perf_counter(), replied)
                queue.put_nowait(Update.de_json({"update_id": next(update_ids), "message": message},
                                                telegram_bot))
                (starts if k == 0 else answers).append(await asyncio.wait_for(replied, 60))
                await asyncio.sleep(pace.uniform(*PAUSE_S))

        cpu0, wall0 = time.process_time(), time.perf_counter()
        tier._batcher.batches.clear()  # this run's batches only (a bench's peek at the batcher)
        await asyncio.gather(*(person(n, lang, texts) for n, (lang, texts) in enumerate(people)))
        await queue.join()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        assert not api.refusals, "the Bot API refused a call"
        batches = list(tier.batch_sizes) if tier_as in ("batched", "before") else []
    return {"starts": starts, "answers": answers, "cpu_share": cpu / wall, "batches": batches,
            "late": tier.late - late}


def _done(value):
    from concurrent.futures import Future

    future: Future = Future()
    future.set_result(value)
    return future


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return round(statistics.median(ordered) * 1000, 1), round(p99 * 1000, 1)


def test_bench_answers_with_hundreds_of_people_at_once(tmp_path, record):
    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    for people in PEOPLE:
        crowd_ = scripts(people)
        runs: dict[str, list[dict]] = {tier_as: [] for tier_as in VARIANTS}
        for _ in range(ROUNDS[people]):  # in turns, so a busy moment slows every variant
            for tier_as in VARIANTS:
                runs[tier_as].append(asyncio.run(crowd(tmp_path, catalog, matcher, crowd_, tier_as)))
        for tier_as, figures in runs.items():
            p50s, p99s = zip(*(_ms(run["answers"]) for run in figures), strict=True)
            p50, p99 = statistics.median(p50s), statistics.median(p99s)
            key = f"load_{people}_{tier_as}"
            meaning = {"batched": "with the semantic tier as the bot runs it (batched, a wait of "
                                  f"{WAIT_S * 1000:.0f} ms at most, then the lexical tier alone)",
                       "before": "main at 083a516: a question holds its place while it waits for its "
                                 "ranking, the heap not frozen, the ranking handed back through wait_for",
                       "unbatched": "the tier ranked one question per call (before the batching)",
                       "lexical": "the lexical tier alone"}[tier_as]
            runs_said = f"median of {len(figures)} runs" if len(figures) > 1 else "one run"
            target = {"target": "<= 60", "met": p99 <= 60} if tier_as == "batched" else {}
            record(f"{key}_answer_p50_ms", p50, "ms", f"{people} people at once, a question to its answer, "
                   f"{meaning}, {API_LATENCY * 1000:.0f} ms per Bot API call ({runs_said})")
            record(f"{key}_answer_p99_ms", p99, "ms",
                   f"the same, 99th percentile of {len(figures[0]['answers'])} ({runs_said})", **target)
            if len(figures) > 1:
                record(f"{key}_answer_p99_ms_range", [min(p99s), max(p99s)], "ms", "lowest and highest run")
            record(f"{key}_start_p99_ms", statistics.median(_ms(run["starts"])[1] for run in figures), "ms",
                   "/start to its reply, 99th percentile")
            record(f"{key}_cpu_share", round(statistics.median(run["cpu_share"] for run in figures), 2),
                   "cores", "process CPU time / wall time while they ran (information)")
            if tier_as in ("batched", "before"):
                batches = [size for run in figures for size in run["batches"]]
                record(f"{key}_batch_mean", round(statistics.mean(batches), 2), "",
                       f"questions per encoder batch (largest {max(batches)})")
            if tier_as == "batched":
                late = [run["late"] for run in figures]
                asked = len(figures[0]["answers"])
                record(f"{key}_late", statistics.median(late), "", f"questions of {asked} "
                       "whose ranking was not there in time: answered by the lexical tier alone "
                       f"(each run: {late})")


# -- appeals: the email flow to the appeal, "Sent" and Follow (issue 29) ------------

APPEAL_PEOPLE = (300, 1_000)
POLLING_PEOPLE = (300, 1_000)  # through the poller too (at 1,000 about 30 s since the per-chat budget)
TAP_TARGET_S, APPEAL_TARGET_S = 1.0, 4.0  # at 300 people, p99


def run_crowd(root: Path, people: int, out: Path, polling: bool = False) -> dict:
    """tests.bench.appeal_crowd in a fresh process, with `root`'s bot (`polling`: through its poller)."""
    subprocess.run([sys.executable, "-m", "tests.bench.appeal_crowd", "--people", str(people),
                    "--out", str(out), *(["--polling"] if polling else [])], cwd=root, check=True,
                   env={**os.environ, "PYTHONPATH": str(root)})
    return json.loads(out.read_text())


def _s(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (round(statistics.median(ordered), 3),
            round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 3))


def test_bench_appeals_with_hundreds_of_people_before_and_after_the_outbox(tmp_path, record, before_tree):
    """Each person: /start, a question, the email flow to the appeal, Sent, Follow
    (tests/bench/appeal_crowd.py); the bot before the outbox (tests/bench/before.py)
    and this one, in turns, each in its own process. Counts must be exact
    (asserted); times are printed against issue 29's targets at 300 people, and
    against the bot before by the met rule of tests/bench/before.py. Then this
    bot again through its own poller (bot/chat/polling.py) over getUpdates
    ("polling"), next to the updates fed straight in ("after")."""
    before = before_tree
    for people in APPEAL_PEOPLE:
        p99s: dict[str, dict[str, float]] = {}
        sides = (("before", before), ("after", ROOT), ("polling", ROOT))
        for side, root in sides if people in POLLING_PEOPLE else sides[:2]:
            figures = run_crowd(root, people, tmp_path / f"{side}-{people}.json", polling=side == "polling")
            assert figures["refusals"] == 0, "the Bot API refused a call"
            assert (figures["reports"], figures["actions"], figures["follows"]) == (people,) * 3, figures
            assert len(figures["appeals"]) == people and len(figures["taps"]) == people * 10
            key = f"load_appeals_{people}_{side}"
            meaning = label(root) + (" through its poller (getUpdates)" if side == "polling" else "")
            graded = people == 300
            tap_p50, tap_p99 = _s(figures["taps"])
            appeal_p50, appeal_p99 = _s(figures["appeals"])
            record(f"{key}_tap_p50_s", tap_p50, "s", f"{people} people, paced 0.5-1 s, /start, a question, "
                   f"the email flow, Sent, Follow; {meaning}: a tap (not delivering an appeal) to its "
                   "first reply, median")
            record(f"{key}_tap_p99_s", tap_p99, "s", f"the same, 99th percentile of {len(figures['taps'])}",
                   **({"target": f"<= {TAP_TARGET_S:g}", "met": tap_p99 <= TAP_TARGET_S} if graded else {}))
            questions = [t for t, k in zip(figures["taps"], figures["tap_steps"], strict=True) if k == 1]
            record(f"{key}_question_p99_s", _s(questions)[1], "s", "of those taps, the question to its "
                   "answer (the semantic tier), 99th percentile (information)")
            record(f"{key}_appeal_p50_s", appeal_p50, "s", "the tap that delivers the appeal to its report "
                   "prompt (the appeal, its text, the translation, the prompt), median")
            record(f"{key}_appeal_p99_s", appeal_p99, "s", f"the same, 99th percentile of {people}",
                   **({"target": f"<= {APPEAL_TARGET_S:g}", "met": appeal_p99 <= APPEAL_TARGET_S}
                      if graded else {}))
            record(f"{key}_cpu_share", round(figures["cpu_share"], 2), "cores",
                   f"process CPU time / wall time ({figures['wall_s']:.0f} s) while they ran")
            record(f"{key}_counted", f"{figures['reports']}/{figures['follows']}", "",
                   f"reports / follows in the store: {people} each (asserted)")
            p99s[side] = {"tap": tap_p99, "appeal": appeal_p99}
        for figure, what in (("tap", "a tap (not delivering an appeal) to its first reply"),
                             ("appeal", "the tap that delivers the appeal to its report prompt")):
            versus(record, f"load_appeals_{people}_{figure}_p99_s", [p99s["after"][figure]],
                   [p99s["before"][figure]], " s", f"{people} people paced like people: {what}, 99th "
                   "percentile (one run each)", False, before)
