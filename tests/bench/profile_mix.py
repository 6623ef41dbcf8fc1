"""Where the time per update of the mix goes: py-spy samples the full-stack
mixed stream (stack.py, our bot only) and each sample is put in one
category, by what it was doing. Prints a Markdown table for docs/development.md.

    .venv/bin/python -m tests.bench.profile_mix [--runs 3] [--compare] [--eager] [--gil]

`--compare` profiles the bot as it runs and with python-telegram-bot's eager
parsing of every Bot API answer (the bot before bot/chat/lazy_answers.py), in
turns, and prints one table with both.

py-spy (`pip install -e '.[profile]'`) samples the child process from outside
(non-blocking, so it does not pause it) and every thread, which is why it is
used here rather than cProfile: the SQLite work runs in aiosqlite's worker
thread, and cProfile's own cost per call would inflate python-telegram-bot's
many small calls. Samples taken while a thread waits (the event loop's
select, aiosqlite's queue) are idle and left out. Only samples from the mix
itself count: not loading the content or building the FAQ index before it.

A category is the first rule below that any frame of the sample matches, so
a handler rendering a template counts as "templates", and python-telegram-
bot parsing the answer to a send counts as "parse answers", not as the
handler that sent it. The µs column spreads the process CPU time per update
of the same (profiled) run over the categories by their share of samples;
sampling slows the run, so compare shares, and µs only between tables made
the same way.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# (category, test on the sample's frames), first match wins; see the docstring.
IDLE_LEAVES = ("EpollSelector.select", "_connection_worker_thread (aiosqlite/core.py:59)",
               "SimpleQueue.get", "Condition.wait", "Event.wait")


def _answer_parsing(frames: list[str]) -> bool:
    """python-telegram-bot turning a send's answer into a Message."""
    sends = [i for i, f in enumerate(frames) if "._send_message (telegram/" in f]
    return bool(sends) and any("de_json" in f or "_insert_callback_data" in f
                               for f in frames[sends[-1] + 1:])


def _has(*needles: str):
    return lambda frames: any(n in f for f in frames for n in needles)


RULES: list[tuple[str, object]] = [
    ("harness: building payloads, watching answers", _has("Stream.", "questions (stack.py")),
    ("in-memory Bot API (stands in for Telegram)",
     _has("bot/bot_api/transport.py", "bot/core/telegram_html.py")),
    ("PTB: parse answers into Message", _answer_parsing),
    ("PTB: parse incoming updates", _has("Update.de_json")),
    ("PTB: encode requests, decode answer JSON", _has("Bot._post (telegram/", "._do_post (telegram/",
                                                      "BaseRequest.post (telegram/")),
    ("conversation persistence", _has("bot/chat/persistence.py", "update_persistence")),
    ("job queue (a flow timeout per step)", _has("apscheduler", "telegram/ext/_jobqueue.py")),
    ("store (our queries, hand-off to the SQLite thread)", _has("bot/store/", "aiosqlite/")),
    ("FAQ matcher", _has("bot/ask/faq_matcher.py", "bot/ask/text_normalise.py")),
    ("templates (Jinja2)", _has("jinja2/", "bot/appeals/render.py")),
]
# The rest goes to whoever owns the deepest frame: our code, python-telegram-bot or asyncio
# (a standard-library frame such as copy or re counts for the caller above it).
OWNERS = (("(bot/", "our handlers, keyboards and texts"),
          ("(telegram/", "PTB: dispatch, handlers, conversations, objects"),
          ("(asyncio/", "asyncio event loop"))
WORKER = "SQLite (aiosqlite worker thread)"
OTHER = "other"


def categorise(frames: list[str]) -> str | None:
    """The sample's category, or None when it is idle or not part of the mix."""
    if not frames or any(leaf in frames[-1] for leaf in IDLE_LEAVES):
        return None
    if any("_connection_worker_thread" in f for f in frames[:4]):
        return WORKER
    if not any(f.startswith("run (asyncio/runners.py") for f in frames):
        return None  # start-up: content, matcher, interpreter (the mix runs in asyncio.run)
    for name, test in RULES:
        if test(frames):
            return name
    for frame in reversed(frames):
        for marker, name in OWNERS:
            if marker in frame:
                return name
    return OTHER


def summarise(raw: Path) -> Counter:
    """Samples per category from py-spy's raw (collapsed stacks) output."""
    counts: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = [f for f in stack.split(";") if not re.match(r"(thread|process) \(", f)]
        category = categorise(frames) if frames else None
        if category is not None:
            counts[category] += int(count)
    return counts


def table(counts: Counter, cpu_us: float) -> str:
    total = sum(counts.values())
    lines = ["| where | share | µs per update |", "| --- | ---: | ---: |"]
    for name, n in counts.most_common():
        lines.append(f"| {name} | {n * 100 / total:.1f}% | {n / total * cpu_us:,.0f} |")
    lines.append(f"| **all** ({total:,} samples) | 100% | {cpu_us:,.0f} |")
    return "\n".join(lines)


def comparison(before: tuple[Counter, float], after: tuple[Counter, float]) -> str:
    """One table: µs per update and share of each category, before and after."""
    (b_counts, b_cpu), (a_counts, a_cpu) = before, after
    b_total, a_total = sum(b_counts.values()), sum(a_counts.values())
    lines = ["| where | before µs | share | after µs | share |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, n in b_counts.most_common():
        m = a_counts.get(name, 0)
        lines.append(f"| {name} | {n / b_total * b_cpu:,.0f} | {n * 100 / b_total:.1f}% | "
                     f"{m / a_total * a_cpu:,.0f} | {m * 100 / a_total:.1f}% |")
    for name, m in a_counts.most_common():
        if name not in b_counts:
            lines.append(f"| {name} | 0 | 0% | {m / a_total * a_cpu:,.0f} | {m * 100 / a_total:.1f}% |")
    lines.append(f"| **CPU per update** | **{b_cpu:,.0f}** | | **{a_cpu:,.0f}** | |")
    return "\n".join(lines)


def child(eager: bool) -> None:
    """Run the mix once (our bot only) and print its figures as JSON."""
    import asyncio

    from bot.catalog import load_catalog
    from bot.runtime import build_matcher
    from tests.bench.stack import run_ours

    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    with tempfile.TemporaryDirectory() as tmp:
        run, _, _ = asyncio.run(run_ours(Path(tmp) / "profile.sqlite3", catalog, matcher,
                                         lazy_answers=not eager))
    print(json.dumps({"updates": run.updates, "per_s": run.per_s, "cpu_us": run.cpu_us,
                      "api_calls": run.api_calls}))


def profiled(raw: Path, rate: int, eager: bool, gil: bool = False) -> dict:
    """One profiled run of the mix in a child process; its figures. `gil`:
    only samples of the thread holding the GIL (a thread waiting for it after
    a SQLite call or a hand-off to another thread then no longer looks busy)."""
    spy = Path(sys.executable).with_name("py-spy")
    command = [str(spy), "record", "--nonblocking", "--threads", "-r", str(rate), "-f", "raw", "-o", str(raw),
               *(["--gil"] if gil else []), "--", sys.executable, "-m", "tests.bench.profile_mix", "--child"]
    command += ["--eager"] if eager else []
    done = subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(next(line for line in done.stdout.splitlines() if line.startswith("{")))


def main() -> None:  # pragma: no cover - a tool run by hand
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--runs", type=int, default=1, help="profiled runs (samples added up, CPU median)")
    parser.add_argument("--eager", action="store_true",
                        help="parse every Bot API answer, as python-telegram-bot does (before lazy answers)")
    parser.add_argument("--compare", action="store_true",
                        help="eager and lazy answers in turns, one table with both")
    parser.add_argument("--keep", type=Path, help="a folder to keep py-spy's raw output in")
    parser.add_argument("--gil", action="store_true", help="count only the thread holding the GIL")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--summarise", type=Path, help="only summarise an earlier raw file")
    parser.add_argument("--cpu-us", type=float, default=0.0, help="with --summarise")
    args = parser.parse_args()
    if args.child:
        child(args.eager)
        return
    if args.summarise:
        print(table(summarise(args.summarise), args.cpu_us))
        return
    modes = (True, False) if args.compare else (args.eager,)
    samples = {mode: Counter() for mode in modes}
    cpu = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for run in range(args.runs):
            for eager in modes:
                raw = folder / f"mix-{'eager' if eager else 'lazy'}-{run}.txt"
                figures = profiled(raw, args.rate, eager, args.gil)
                samples[eager] += summarise(raw)
                cpu[eager].append(figures["cpu_us"])
                mode = "eager" if eager else "lazy"
                print(f"run {run + 1}, {mode} answers: {figures['updates']:,} updates, "
                      f"{figures['per_s']:,.0f}/s under the profiler, "
                      f"{figures['cpu_us']:,.0f} µs CPU per update", file=sys.stderr)
    median_cpu = {mode: statistics.median(values) for mode, values in cpu.items()}
    if args.compare:
        print(comparison((samples[True], median_cpu[True]), (samples[False], median_cpu[False])))
    else:
        print(table(samples[args.eager], median_cpu[args.eager]))


if __name__ == "__main__":  # pragma: no cover
    main()
