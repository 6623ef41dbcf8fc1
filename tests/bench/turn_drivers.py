"""A benchmark's bot as a process that serves measured turns (tests/bench/before.py).

Run with the working directory at a checkout, so that `bot` is that
checkout's: the benchmarks start one on this tree and one on the copy of the
bot before issue 29's outbox, and ask each for a turn in turns. It uses only
what both trees have (tests/bench/stack.py's bots and stream, the store's
`open_store`, `record_action` and `campaign_stats`, the Simulator).

    python -m tests.bench.turn_drivers mix --supporters 500
    python -m tests.bench.turn_drivers store --database million.sqlite3
    python -m tests.bench.turn_drivers chat

Each sets up (untimed), prints `TURN {"bot": <its bot package>}`, then for
every JSON line on its stdin measures one turn and prints `TURN <figures>`;
it ends when its stdin closes. A turn is:

- mix: the next round of the mix's stream (one step of every supporter)
  through our bot, then the same updates through the plain echo bot, in this
  process: updates, wall and CPU seconds of each (tests/bench/test_bench_stack.py);
- store, {"kind": "stats"}: `campaign_stats` of one campaign on the
  1M-action database, `calls` times, the median; {"kind": "reports"}:
  `reports` reports by new supporters, one transaction each, the seconds
  (tests/bench/test_bench_store.py);
- chat, {"kind": "stats"}: an organizer's /stats with its picture kept,
  full stack, `calls` times, the median; {"kind": "report"}: "Sent" on a
  report prompt, full stack, `calls` times, the median
  (tests/bench/test_bench_features.py).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

PREFIX = "TURN "


def answer(figures: dict) -> None:
    print(PREFIX + json.dumps(figures), flush=True)


async def requests(**ready) -> AsyncIterator[dict]:
    """The requests on stdin, read off the event loop (the bot's tasks keep running),
    after the line saying it is ready (its `bot` package and `ready`)."""
    import bot

    answer({"bot": bot.__file__, **ready})
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        yield json.loads(line)


def _run(run) -> dict:
    return {"updates": run.updates, "wall_s": run.wall_s, "cpu_s": run.cpu_s, "errors": run.errors}


async def mix(supporters: int) -> None:
    from bot.catalog import load_catalog
    from bot.runtime import build_matcher
    from tests.bench.stack import ROOT, feed_round, started_echo, started_ours

    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    with tempfile.TemporaryDirectory() as tmp:
        async with contextlib.AsyncExitStack() as stack:
            ours = await stack.enter_async_context(
                started_ours(Path(tmp) / "mix.sqlite3", catalog, matcher, supporters))
            echo = await stack.enter_async_context(started_echo())
            async for request in requests(rounds=ours.stream.rounds):
                payloads = ours.stream.payloads(request["round"])  # built outside the timed region
                run = await feed_round(ours.application, payloads, ours.api)
                echoed = await feed_round(echo.application, payloads, echo.api)
                answer({"ours": _run(run), "echo": _run(echoed)})


def supporter(n: int) -> str:
    return hashlib.sha256(f"bench-turns-supporter-{n}".encode()).hexdigest()


async def store(database: Path) -> None:
    from bot.store import ActionReport, open_store

    reported = 0
    async with await open_store(database) as store_:
        async for request in requests():
            if request["kind"] == "stats":
                today = date.fromisoformat(request["today"])
                await store_.campaign_stats(request["campaign"], today=today)  # warm the page cache
                samples = []
                for _ in range(request["calls"]):
                    started = time.perf_counter()
                    await store_.campaign_stats(request["campaign"], today=today)
                    samples.append(time.perf_counter() - started)
                answer({"median_s": statistics.median(samples)})
                continue
            started = time.perf_counter()
            for _ in range(request["reports"]):
                reported += 1
                await store_.record_action(ActionReport(
                    campaign_id=request["campaign"], official_id="official-0", channel="email", count=1,
                    status="done", language="en", country=None, supporter=supporter(reported),
                    idempotency_key=f"turns-{reported}"))
            answer({"seconds": time.perf_counter() - started, "reports": request["reports"]})


ORGANIZER = 777
STATS_ACTIONS = 2_000
REPORT_DATA = "rep:d:ua-150-18:luis-videgaray:email:es"


async def chat() -> None:
    """/stats with its picture kept, and "Sent", full stack (as test_bench_features.py)."""
    from bot.bot_api.simulator import Simulator
    from bot.bot_api.transport import InMemoryBotAPI
    from bot.core.flood_gate import FloodGate
    from bot.store import ActionReport, open_store
    from tests.bench.stack import build_application, fixed_clock, services_for

    now = [fixed_clock()]

    def clock() -> float:
        return now[0]

    async def timed(sim, payload: dict) -> float:
        started = time.perf_counter()
        calls = await sim.process(payload)
        elapsed = time.perf_counter() - started
        assert calls and all(c.ok for c in calls)
        return elapsed

    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "chat.sqlite3"
        services = services_for(database, organizers=frozenset({ORGANIZER}))
        services.clock = clock
        services.flood = FloodGate(limit=1_000_000)  # one organizer asking many times
        today = datetime.fromtimestamp(clock(), tz=UTC)
        channels = ("letter", "email", "call", "tweet")
        async with await open_store(database) as store_:
            for n in range(STATS_ACTIONS):
                await store_.record_action(ActionReport(
                    "ua-150-18", "luis-videgaray", channels[n % 4], 1 + n % 3, "done",
                    "es" if n % 2 else "en", None, f"{n:064x}", f"bench-stats-{n}",
                    today - timedelta(minutes=n * 21)))
            services.store = store_
            api = InMemoryBotAPI(clock=clock)
            application = build_application(services, request=api)
            async with application:
                await application.start()
                sim = Simulator(application, api, clock=clock)
                organizer = sim.user(ORGANIZER)
                stats = {"message_id": 1, "date": int(clock()), "chat": organizer.chat,
                         "from": organizer.profile, "text": "/stats ua-150-18",
                         "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}
                await timed(sim, {"message": stats})  # imports matplotlib, draws the picture
                people = iter(range(700_000, 10**9))
                async for request in requests():
                    samples = []
                    for _ in range(request["calls"]):
                        if request["kind"] == "stats":
                            # within the picture's minute: it is kept (the clock barely moves)
                            now[0] += 0.01
                            samples.append(await timed(sim, {"message": stats}))
                            continue
                        user = sim.user(next(people))
                        prompt = api._new_message(user.id, text="Did you send it?", reply_markup={
                            "inline_keyboard": [[{"text": "Sent", "callback_data": REPORT_DATA}]]})
                        samples.append(await timed(sim, {"callback_query": {
                            "id": str(user.id), "from": user.profile, "message": prompt,
                            "chat_instance": str(user.id), "data": REPORT_DATA}}))
                    answer({"median_s": statistics.median(samples)})
                await application.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    kinds = parser.add_subparsers(dest="kind", required=True)
    kinds.add_parser("mix").add_argument("--supporters", type=int, default=500)
    kinds.add_parser("store").add_argument("--database", type=Path, required=True)
    kinds.add_parser("chat")
    args = parser.parse_args()
    if args.kind == "mix":
        asyncio.run(mix(args.supporters))
    elif args.kind == "store":
        asyncio.run(store(args.database))
    else:
        asyncio.run(chat())


if __name__ == "__main__":
    main()
