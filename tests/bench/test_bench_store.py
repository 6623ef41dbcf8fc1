"""Benchmarks of the action log: reporting throughput (each report its own
transaction, as the bot does it) and the campaign figures on a
1,000,000-action database, next to the plain aggregate over `actions` that
the rollup tables replace.

Targets: >= 1,000 reports/s; each `campaign_stats` call <= 50 ms median
(reported as met or not, never asserted). The naive aggregate is the
baseline in the same run (`stats_1m_naive_vs_rollup`). Both figures are also
measured against the bot before issue 29's outbox, in turns
(tests/bench/before.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import sqlite3
import statistics
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.store import CHANNELS, ActionReport, open_store
from bot.store.sqlite import stats_params, stats_queries
from tests.bench.before import close, copy_for_before, in_turns, versus, workers

REPORTS = 5_000
RUNS = 3
ACTIONS = 1_000_000
SUPPORTERS = 200_000
DAYS = 120
CAMPAIGNS = ("ua-150-18", "ua-151-18", "ua-170-19")
OFFICIALS = tuple(f"official-{n}" for n in range(6))
STATS_RUNS = 11
TODAY = date(2024, 6, 30)


def supporter(n: int) -> str:
    return hashlib.sha256(f"bench-supporter-{n}".encode()).hexdigest()


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


async def report_run(path, run: int) -> float:
    """Seconds for REPORTS reports from 50 supporters, one transaction each."""
    async with await open_store(path) as store:
        started = time.perf_counter()
        for n in range(REPORTS):
            await store.record_action(
                ActionReport(
                    campaign_id=CAMPAIGNS[n % 3],
                    official_id=OFFICIALS[n % 6],
                    channel=CHANNELS[n % len(CHANNELS)],
                    count=1 + n % 3,
                    status="attempted" if n % 10 == 0 else "done",
                    language="es" if n % 2 else "en",
                    country="Mexico" if n % 4 == 0 else None,
                    supporter=supporter(n % 500),
                    idempotency_key=f"run{run}-{n}",
                )
            )
        return time.perf_counter() - started


def test_reporting_throughput(tmp_path, record):
    seconds = [asyncio.run(report_run(tmp_path / f"r{run}.sqlite3", run)) for run in range(RUNS)]
    per_s = round(REPORTS / statistics.median(seconds), 1)
    record("report_per_s", per_s, "1/s", f"record_action, own transaction each (median of {RUNS})",
           target=">= 5,000/s", met=per_s >= 5_000)


def action_rows():
    """ACTIONS rows spread over campaigns, officials, channels, DAYS and SUPPORTERS."""
    rng = random.Random(150_18)
    keys = [supporter(n) for n in range(SUPPORTERS)]
    start = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC) - timedelta(days=DAYS - 1)
    for n in range(ACTIONS):
        at = start + timedelta(seconds=rng.randrange(DAYS * 86_400))
        channel = CHANNELS[rng.randrange(len(CHANNELS))]
        yield (
            CAMPAIGNS[n % 3],
            OFFICIALS[rng.randrange(6)],
            channel,
            rng.choice((1, 1, 1, 2, 3, 5)),
            "attempted" if channel == "call" and rng.random() < 0.3 else "done",
            "es" if rng.random() < 0.6 else "en",
            rng.choice((None, None, None, "Mexico", "USA", "Honduras")),
            keys[rng.randrange(SUPPORTERS)] if rng.random() < 0.98 else None,
            at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            f"bench-{n}",
        )


@pytest.fixture(scope="session")
def million(tmp_path_factory):
    """The 1M-action database, built once per session: one bulk transaction,
    then the rollups rebuilt with INSERT ... SELECT."""
    path = tmp_path_factory.mktemp("bench-store") / "million.sqlite3"
    started = time.perf_counter()

    async def create():
        async with await open_store(path):
            pass

    asyncio.run(create())
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous = OFF")
    db.execute("BEGIN")
    db.executemany(
        "INSERT INTO actions (campaign_id, official_id, channel, count, status, language,"
        " country, supporter, created_at, idempotency_key) VALUES (?,?,?,?,?,?,?,?,?,?)",
        action_rows(),
    )
    db.execute("COMMIT")
    db.close()

    async def rollups():
        async with await open_store(path) as store:
            await store.rebuild_rollups()

    asyncio.run(rollups())
    print(f"\nbuilt {ACTIONS:,}-action database in {time.perf_counter() - started:.1f} s")
    return path


async def time_stats(path, record) -> dict[str, float]:
    figures = {}
    async with await open_store(path) as store:
        for label, campaign in (("", CAMPAIGNS[0]), ("_all", None)):
            await store.campaign_stats(campaign, today=TODAY)  # warm the page cache
            samples = []
            for _ in range(STATS_RUNS):
                started = time.perf_counter()
                stats = await store.campaign_stats(campaign, today=TODAY)
                samples.append(time.perf_counter() - started)
            figures[f"stats_1m{label}_ms"] = median_ms(samples)
            assert stats.actions > 0 and sum(n for _, n in stats.by_day) > 0
            params = stats_params(campaign, TODAY - timedelta(days=89), TODAY)
            for name, sql in stats_queries(campaign).items():
                samples = []
                for _ in range(STATS_RUNS):
                    started = time.perf_counter()
                    await store._db.execute_fetchall(sql, params[name])
                    samples.append(time.perf_counter() - started)
                figures[f"stats_1m{label}_{name}_ms"] = median_ms(samples)
        # the baseline the rollups replace: the same figures straight from `actions`
        naive = (
            "SELECT COUNT(DISTINCT supporter), SUM(count) FROM actions WHERE campaign_id = ?",
            "SELECT channel, SUM(count) FROM actions WHERE campaign_id = ? GROUP BY channel",
        )
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            for sql in naive:
                await store._db.execute_fetchall(sql, (CAMPAIGNS[0],))
            samples.append(time.perf_counter() - started)
        figures["stats_1m_naive_ms"] = median_ms(samples)
        stats = await store.campaign_stats(today=TODAY)
        figures["store_db_mb"] = round(stats.db_bytes / 1_048_576, 1)
        assert stats.actions > ACTIONS  # counts are >= 1 each
    return figures


def test_stats_on_a_million_actions(million, record):
    figures = asyncio.run(time_stats(million, record))
    meanings = {
        "stats_1m_ms": "campaign_stats(one campaign), 1M actions (median of 11)",
        "stats_1m_all_ms": "campaign_stats(all campaigns), 1M actions (median of 11)",
        "stats_1m_naive_ms": "baseline: supporters+totals+by-channel straight from actions",
        "store_db_mb": "database size with 1M actions",
    }
    for key, value in figures.items():
        unit = "MB" if key.endswith("_mb") else "ms"
        timed_call = key in ("stats_1m_ms", "stats_1m_all_ms")
        target = {"target": "<= 50 ms", "met": value <= 50} if timed_call else {}
        record(key, value, unit, meanings.get(key, "one stats query, median of 11"), **target)
    record("stats_1m_naive_vs_rollup", round(figures["stats_1m_naive_ms"] / figures["stats_1m_ms"], 1), "x",
           "the naive aggregate's time / campaign_stats' time, same run")


async def sustained_run(path) -> float:
    async with await open_store(path) as store:
        started = time.perf_counter()
        for n in range(REPORTS):
            await store.record_action(
                ActionReport(CAMPAIGNS[n % 3], OFFICIALS[n % 6], "email", 1, "done", "en", None,
                             supporter(SUPPORTERS + n), f"sustained-{n}")
            )  # fmt: skip
        return time.perf_counter() - started


def test_reporting_throughput_on_a_million_actions(million, record):
    """Runs after the stats timings (it adds REPORTS rows to the cached database)."""
    seconds = asyncio.run(sustained_run(million))
    per_s = round(REPORTS / seconds, 1)
    record("report_per_s_1m", per_s, "1/s", "record_action on the 1M-action database, new supporters",
           target=">= 5,000/s", met=per_s >= 5_000)


VS_TURNS = 11
VS_STATS_CALLS = 25
VS_REPORTS = 3_000  # a few WAL checkpoints a turn: they, and the shared disk, are most of the noise


def test_store_against_the_bot_before(million, before_tree, record, tmp_path):
    """`campaign_stats` and reporting on the 1M-action database, this bot and the
    bot before the outbox, each in its own process on its own copy of the
    database (the same rows), in turns (tests/bench/before.py). Last in this file:
    this bot's worker adds its reports to the cached database."""
    copy = copy_for_before(million, tmp_path / "million-before.sqlite3", before_tree)
    pair = workers(before_tree, "store", "--database", str(million),
                   before_args=("store", "--database", str(copy)))
    try:
        stats = in_turns(pair, VS_TURNS, lambda turn: {"kind": "stats", "campaign": CAMPAIGNS[0],
                                                         "today": TODAY.isoformat(), "calls": VS_STATS_CALLS})
        reports = in_turns(pair, VS_TURNS, lambda turn: {"kind": "reports", "campaign": CAMPAIGNS[turn % 3],
                                                           "reports": VS_REPORTS})
    finally:
        close(pair)

    def ms(side: str) -> list[float]:
        return [t["median_s"] * 1000 for t in stats[side]]

    def per_s(side: str) -> list[float]:
        return [t["reports"] / t["seconds"] for t in reports[side]]

    versus(record, "stats_1m_ms", ms("after"), ms("before"), " ms",
           f"campaign_stats(one campaign), 1M actions, median of {VS_STATS_CALLS} a turn "
           "(target <= 50 ms above)",
           False, before_tree)
    versus(record, "report_per_s_1m", per_s("after"), per_s("before"), " /s",
           f"record_action on the 1M-action database, new supporters, {VS_REPORTS:,} a turn "
           "(target >= 5,000/s above)", True, before_tree, digits=0)
