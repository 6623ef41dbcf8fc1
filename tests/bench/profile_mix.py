"""Where the time per update of the mix goes: py-spy samples the full-stack
mixed stream (stack.py, our bot only) and each sample is put in one
category, by what it was doing. Prints a Markdown table for the README.

    .venv/bin/python -m tests.bench.profile_mix [--rate 250] [--keep FILE]

py-spy (`pip install py-spy`) samples the child process from outside
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
    ("in-memory Bot API (stands in for Telegram)", _has("bot/transport.py", "bot/telegram_html.py")),
    ("PTB: parse answers into Message", _answer_parsing),
    ("PTB: parse incoming updates", _has("Update.de_json")),
    ("PTB: encode requests, decode answer JSON", _has("Bot._post (telegram/", "._do_post (telegram/",
                                                      "BaseRequest.post (telegram/")),
    ("conversation persistence", _has("bot/chat/persistence.py", "update_persistence")),
    ("job queue (a flow timeout per step)", _has("apscheduler", "telegram/ext/_jobqueue.py")),
    ("store (our queries, hand-off to the SQLite thread)", _has("bot/store/", "aiosqlite/")),
    ("FAQ matcher", _has("bot/faq_matcher.py", "bot/text_normalise.py")),
    ("templates (Jinja2)", _has("jinja2/", "bot/appeals.py")),
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


def child() -> None:
    """Run the mix once (our bot only) and print its figures as JSON."""
    import asyncio

    from bot.catalog import load_catalog
    from bot.runtime import build_matcher
    from tests.bench.stack import run_ours

    catalog = load_catalog(ROOT / "content", ROOT / "seeds")
    matcher = build_matcher(catalog)
    with tempfile.TemporaryDirectory() as tmp:
        run, _, _ = asyncio.run(run_ours(Path(tmp) / "profile.sqlite3", catalog, matcher))
    print(json.dumps({"updates": run.updates, "per_s": run.per_s, "cpu_us": run.cpu_us,
                      "api_calls": run.api_calls}))


def main() -> None:  # pragma: no cover - a tool run by hand
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=int, default=250, help="samples per second")
    parser.add_argument("--keep", type=Path, help="also keep py-spy's raw output here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--summarise", type=Path, help="only summarise an earlier raw file")
    parser.add_argument("--cpu-us", type=float, default=0.0, help="with --summarise")
    args = parser.parse_args()
    if args.child:
        child()
        return
    if args.summarise:
        print(table(summarise(args.summarise), args.cpu_us))
        return
    with tempfile.TemporaryDirectory() as tmp:
        raw = args.keep or Path(tmp) / "mix.txt"
        spy = Path(sys.executable).with_name("py-spy")
        done = subprocess.run([str(spy), "record", "--nonblocking", "--threads", "-r", str(args.rate),
                               "-f", "raw", "-o", str(raw), "--", sys.executable, "-m",
                               "tests.bench.profile_mix", "--child"],
                              cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
        figures = json.loads(next(line for line in done.stdout.splitlines() if line.startswith("{")))
        print(f"{figures['updates']:,} updates, {figures['per_s']:,.0f}/s under the profiler, "
              f"{figures['cpu_us']:,.0f} µs CPU per update, {figures['api_calls']:,} Bot API calls\n")
        print(table(summarise(raw), figures["cpu_us"]))


if __name__ == "__main__":  # pragma: no cover
    main()
