"""Does the GIL between the event loop and the encoder set the answer's p99?
Two ways of taking the ranking away from the loop's interpreter, measured in
turns with the bot as it runs, on the load benchmark's crowd
(test_bench_load.py: 300 people at once, the semantic tier on).

    .venv/bin/python -m tests.bench.rank_elsewhere [--people 300] [--rounds 3]
                                                   [--variants thread switch1 switch05 process lexical]

- ``thread``: as the bot runs (bot/ask/rank_batcher.py: one worker thread
  beside the loop, no gathering window, Python's switch interval, 5 ms);
- ``switch1`` / ``switch05``: the same with ``sys.setswitchinterval`` 1 ms /
  0.5 ms while the crowd runs, so a thread waiting for the GIL gets it sooner
  (the encoder between numpy's products, or the loop);
- ``process``: the batch's texts sent over a pipe to a child process
  (``forkserver``, safe beside threads) that holds its own copy of the tier
  and sends the rankings back; the worker thread only waits on the pipe
  (no GIL held), so the loop's interpreter does no encoding at all. The child
  is started once, before the rounds, and checked to give the same rankings;
- ``free``: a ranking that costs the bot nothing: a 1 ms sleep per batch and
  each question's ranking computed before the rounds (the same rankings), so
  what is left is the chat's waiting for a ranking with no encoding anywhere;
- ``gather`` / ``gather10``: the batcher's gathering window (``GATHER_S``,
  off as shipped: whatever is waiting at the instant) set to 5 / 10 ms:
  once a question arrives the worker waits that long
  for others before it encodes, so batches are larger and each question
  costs less of the encoder's CPU (the bot never waits for a batch to fill);
- ``lexical``: the lexical tier alone (the floor).

The CPU share is the bot process's CPU time over the run's wall time; with
``process`` the child's share is printed beside it (in ``CPU 0.28 (child 0.10)``,
the child's figure is read from ``/proc``, so Linux only).

A bench-only swap of the batcher's ranking function from outside: nothing
here runs in the bot. It prints each run (answer p50 / p99, /start's p99,
the bot process's CPU share, the load average) and the medians, and the
child's and this process's RSS (this process holds the tier too, so it is
not what a bot with its encoder in a child would hold).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from bot.ask.rank_batcher import RankBatcher

SWITCH = {"thread": None, "switch1": 0.001, "switch05": 0.0005, "process": None, "free": None,
          "gather": None, "gather10": None, "lexical": None}
GATHER_S = {"gather": 0.005, "gather10": 0.010}
CACHE = Path(tempfile.gettempdir()) / "advocacy-bot-bench-semantic"  # as tests/bench/stack.py


def child(conn, entries, cache_dir: str) -> None:
    """In the child: build the tier (its vectors from the cache), then rank
    every batch the pipe brings until it closes or brings None."""
    from bot.ask.semantic_matcher import SemanticTier, hold_blas_to_one_thread

    tier = SemanticTier.build(entries, cache_dir=Path(cache_dir))
    hold_blas_to_one_thread()
    conn.send("ready")
    while True:
        try:
            texts = conn.recv()
        except EOFError:
            return
        if texts is None:
            return
        conn.send(tier.rank_many(texts))


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    """A process's user + system CPU time so far (``/proc/<pid>/stat``)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", nargs="+", default=list(SWITCH), choices=list(SWITCH))
    args = parser.parse_args(argv)

    from bot.catalog import load_catalog
    from bot.runtime import build_matcher
    from tests.bench import test_bench_load as load
    from tests.bench.stack import ROOT, semantic_tier

    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    tier = semantic_tier(catalog).result()
    in_thread = tier._batcher._rank_many  # a bench's swap, restored after each run
    remote = None
    if "process" in args.variants:
        entries = [(entry.id, dict(entry.questions.as_mapping())) for entry in catalog.faq.values()]
        context = multiprocessing.get_context("forkserver")
        ours, theirs = context.Pipe()
        started = time.perf_counter()
        process = context.Process(target=child, args=(theirs, entries, str(CACHE)), daemon=True)
        process.start()
        assert ours.recv() == "ready"
        print(f"child ready in {time.perf_counter() - started:.2f} s, RSS {rss_mb(process.pid):.1f} MB "
              f"(this process {rss_mb(os.getpid()):.1f} MB)", flush=True)
        lock = threading.Lock()

        def remote(texts):
            with lock:
                ours.send(list(texts))
                return ours.recv()

        probe = ["what is a safe third country", "puedo pedir asilo en mexico", "hola"]
        assert remote(probe) == in_thread(probe), "the child ranks differently"

    crowd = load.scripts(args.people)
    free = None
    if "free" in args.variants:
        known = {text: ranked for _, texts in crowd for text in texts
                 for ranked in in_thread([text])}

        def free(texts):
            time.sleep(0.001)
            unknown = [text for text in texts if text not in known]
            if unknown:  # the chat ranked another string than the one asked: encoded here, and said
                print(f"free: {len(unknown)} not computed before", flush=True)
                known.update(zip(unknown, in_thread(unknown), strict=True))
            return [known[text] for text in texts]

    runs: dict[str, list[tuple[float, float, float, float]]] = {variant: [] for variant in args.variants}
    for round_ in range(args.rounds):
        for variant in args.variants:  # in turns, so a busy moment slows every variant
            shipped = tier._batcher
            if variant in GATHER_S:  # its own worker; the shipped batcher's idles out (IDLE_S)
                tier._batcher = RankBatcher(in_thread, gather_s=GATHER_S[variant])
            tier._batcher._rank_many = {"process": remote, "free": free}.get(variant, in_thread)
            if SWITCH[variant] is not None:
                sys.setswitchinterval(SWITCH[variant])
            child_cpu = cpu_s(process.pid) if remote is not None else 0.0
            wall = time.perf_counter()
            try:
                with tempfile.TemporaryDirectory() as folder:
                    run = asyncio.run(load.crowd(Path(folder), catalog, matcher, crowd,
                                                 "lexical" if variant == "lexical" else "batched"))
            finally:
                sys.setswitchinterval(0.005)
                tier._batcher = shipped
                tier._batcher._rank_many = in_thread
            child_share = (cpu_s(process.pid) - child_cpu) / (time.perf_counter() - wall) if remote else 0.0
            p50, p99 = load._ms(run["answers"])
            start_p99 = load._ms(run["starts"])[1]
            runs[variant].append((p50, p99, start_p99, run["cpu_share"]))
            print(f"round {round_} {variant}: answer p50 / p99 {p50} / {p99} ms, /start p99 {start_p99} ms, "
                  f"CPU {run['cpu_share']:.2f} (child {child_share:.2f}), late {run['late']}, "
                  f"batch mean {statistics.mean(run['batches'] or [0]):.2f}, "
                  f"load {os.getloadavg()[0]:.2f}",
                  flush=True)
    print("\n| variant | answer p50 / p99 (medians) | p99 each run | /start p99 | CPU share |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for variant, figures in runs.items():
        p50, p99, start, cpu = (statistics.median(column) for column in zip(*figures, strict=True))
        print(f"| {variant} | {p50:.1f} / {p99:.1f} ms | {', '.join(f'{f[1]:.0f}' for f in figures)} | "
              f"{start:.1f} ms | {cpu:.2f} |")
    if remote is not None:
        print(f"\nchild RSS {rss_mb(process.pid):.1f} MB, this process {rss_mb(os.getpid()):.1f} MB")
        ours.send(None)
        process.join(5)


if __name__ == "__main__":
    main()
