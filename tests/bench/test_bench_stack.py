"""Full-stack update cost: the mixed stream of 1,000 supporters through the
real Application on the in-memory Bot API, against python-telegram-bot's
floor (a minimal echo bot fed the very same updates), in the same run.

Runs alternate ours / echo RUNS times and each figure is the median, so a
busy neighbour on the machine slows both sides of a pair alike. See
stack.py for the mix and how it is fed.

Target: the mix at >= 50% of the echo bot's throughput.

Second figure: the same mix when each Bot API call takes API_LATENCY (as an
HTTPS round trip to Telegram does), with the bot's concurrency setting
(PerSupporterUpdateProcessor) and with one update at a time, which is
python-telegram-bot's default.
"""

from __future__ import annotations

import asyncio
import statistics

from telegram.ext import SimpleUpdateProcessor

from bot.catalog import load_catalog
from bot.chat.ordering import PerSupporterUpdateProcessor
from bot.runtime import build_matcher
from tests.bench.stack import ROOT, SUPPORTERS, SlowBotAPI, fixed_clock, run_echo, run_ours

RUNS = 3
API_LATENCY = 0.005
LATENCY_SUPPORTERS = 100


def test_bench_full_stack_mix(tmp_path, record):
    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    ours, echo, kinds = [], [], None
    for run in range(RUNS):
        result, recorded, kinds = asyncio.run(run_ours(tmp_path / f"mix{run}.sqlite3", catalog, matcher))
        assert result.errors == 0, "the Bot API refused calls during the mix"
        ours.append(result)
        echo.append(asyncio.run(run_echo(recorded)))
    total = sum(kinds.values())
    mix = ", ".join(f"{kinds[k] * 100 / total:.0f}% {k}" for k in ("menu", "text", "letter", "report"))
    ours_per_s = statistics.median(r.per_s for r in ours)
    echo_per_s = statistics.median(r.per_s for r in echo)
    ratio = statistics.median(o.per_s / e.per_s for o, e in zip(ours, echo, strict=True))
    record("mix_updates_per_s", round(ours_per_s, 1), "1/s",
           f"{total:,} updates from {SUPPORTERS:,} supporters ({mix}), median of {RUNS}")
    record("baseline_updates_per_s", round(echo_per_s, 1), "1/s",
           "the same updates through a minimal python-telegram-bot echo bot")
    record("mix_vs_baseline", round(ratio, 3), "ratio", "ours / baseline throughput (median of pairs)")
    record("cpu_us_per_update", round(statistics.median(r.cpu_us for r in ours), 1), "µs",
           "process CPU time per update of the mix (all threads)")
    record("baseline_cpu_us_per_update", round(statistics.median(r.cpu_us for r in echo), 1), "µs",
           "process CPU time per update of the echo bot")
    record("mix_api_calls_per_update", round(ours[0].api_calls / ours[0].updates, 2), "",
           f"Bot API calls per update (echo bot: {echo[0].api_calls / echo[0].updates:.2f})")


def test_bench_mix_with_api_latency(tmp_path, record):
    """What concurrency buys once the Bot API is a network away."""
    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    figures = {}
    for label, processor in (("ordered", PerSupporterUpdateProcessor()),
                             ("sequential", SimpleUpdateProcessor(1))):
        api = SlowBotAPI(API_LATENCY, clock=fixed_clock)
        result, _, _ = asyncio.run(run_ours(tmp_path / f"{label}.sqlite3", catalog, matcher,
                                            supporters=LATENCY_SUPPORTERS, api=api, processor=processor))
        assert result.errors == 0
        figures[label] = result.per_s
    ms = API_LATENCY * 1000
    record("mix_api_latency_updates_per_s", round(figures["ordered"], 1), "1/s",
           f"the mix ({LATENCY_SUPPORTERS} supporters), {ms:.0f} ms per Bot API call, "
           f"{PerSupporterUpdateProcessor().limit} concurrent, each supporter in order")
    record("mix_api_latency_sequential_per_s", round(figures["sequential"], 1), "1/s",
           "the same, one update at a time (python-telegram-bot's default)")
    assert figures["ordered"] > figures["sequential"]
