"""The bot before issue 29's change, measured in the same run as this one, in turns.

Issue 29 asks that `make bench` print its load figures and its CPU-bound
figures (the mix, reports, stats) as met or NOT met against the bot before
the change, measured in the same run. This module is what those benchmarks
share:

- `bot_before_the_outbox`: a copy of the bot as it was before the per-chat
  outbox (the first parent of the commit that added bot/chat/outbox.py, i.e.
  2aa080a), made with `git archive`, with this tree's benchmark drivers
  (DRIVERS) copied in. Its `bot` package cannot share a process with this
  tree's, so each bot runs in its own process.
- `Worker`: one long-lived process of one tree serving turns
  (tests/bench/turn_drivers.py): set up once, then one measured turn per
  request on its stdin, the figures back as a JSON line on its stdout.
- `in_turns`: the two bots' workers asked for a turn one after the other,
  before/after then after/before (A B B A A B ...), so a busy moment of the
  shared machine falls on both alike and neither always goes first; only one
  of them works at any moment (the other waits on its stdin).
- `versus`: one table row per figure: after, before, the median of the
  turns' ratios, and met / NOT met by the rule below.

The met rule, defined once here: after is "not worse than before beyond the
run's own noise" when the ratio, oriented so that above 1 is better (after /
before for a throughput, before / after for a time), is at least MET_RATIO =
0.90. Why 0.90: this tree against itself through the same turns (A/A, load
average 3-5) gave ratios of 0.92-1.11 on every figure but one report rate
(1.18: its turns wait on the shared disk and SQLite's checkpoints), so a
ratio below 0.90 is a slowdown the run's own noise rarely explains, and one
above it is no evidence of one (docs/development.md, Performance). Each row
also shows the lowest and highest of the turns' own ratios, so a reader sees that run's spread.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path

from tests.bench.stack import ROOT

MET_RATIO = 0.90
# Run by both bots, so copied into the before tree; they use only what both trees have.
DRIVERS = ("appeal_crowd.py", "turn_drivers.py")
PREFIX = "TURN "  # a worker's answer line (anything else it prints is passed over)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout


def before_commit() -> str:
    """The commit before the outbox: the first parent of the one that added bot/chat/outbox.py."""
    added = _git("log", "--diff-filter=A", "--format=%H", "--", "bot/chat/outbox.py").split()[-1]
    return _git("rev-parse", f"{added}^1").strip()


def bot_before_the_outbox(destination: Path) -> Path:
    """A copy of the bot as it was before the outbox, with this tree's drivers in it."""
    before = before_commit()
    destination.mkdir()
    archive = subprocess.run(["git", "archive", before, "bot", "tests", "content", "seeds"], cwd=ROOT,
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(destination)], input=archive, check=True)
    for driver in DRIVERS:
        shutil.copy(ROOT / "tests" / "bench" / driver, destination / "tests" / "bench")
    (destination / "COMMIT").write_text(before)
    return destination


# How to take a database back to the schema the bot before knows (it refuses a newer
# one): the SQL undoing each migration added since. 11 only adds a table.
UNDO = {11: "DROP TABLE update_offset"}


def copy_for_before(source: Path, destination: Path, before_root: Path) -> Path:
    """A copy of the SQLite database `source` (closed) that the bot before can open:
    the migrations it does not have undone (UNDO); nothing else differs, so both
    bots work on the same rows."""
    newest = max(int(p.name[:4]) for p in (before_root / "bot" / "store" / "migrations").glob("*.sql"))
    with sqlite3.connect(source) as src, sqlite3.connect(destination) as dst:
        src.backup(dst)
        newer = [v for (v,) in dst.execute("SELECT version FROM schema_migrations WHERE version > ? "
                                            "ORDER BY version", (newest,))]
        missing = sorted(set(newer) - set(UNDO))
        assert not missing, f"tests/bench/before.py UNDO does not know how to undo migrations {missing}"
        for version in newer:
            dst.execute(UNDO[version])
        dst.execute("DELETE FROM schema_migrations WHERE version > ?", (newest,))
    return destination


def label(root: Path) -> str:
    """"this bot" or "the bot before the outbox (2aa080a)"."""
    commit = root / "COMMIT"
    return f"the bot before the outbox ({commit.read_text()[:7]})" if commit.exists() else "this bot"


class Worker:
    """`python -m tests.bench.turn_drivers <args>` in `root`, with `root`'s bot."""

    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.turn_drivers", *args], cwd=root, text=True, bufsize=1,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(root)})
        self.ready: dict | None = None

    def _answer(self) -> dict:
        for line in self.process.stdout:
            if line.startswith(PREFIX):
                return json.loads(line[len(PREFIX):])
        raise RuntimeError(f"the worker in {self.root} ended (exit {self.process.wait()})")

    def wait_ready(self) -> dict:
        """Its first line, once set up: which `bot` it imported (asserted to be its tree's)."""
        if self.ready is None:
            self.ready = self._answer()
            assert Path(self.ready["bot"]).resolve().is_relative_to(self.root.resolve()), self.ready
        return self.ready

    def turn(self, **request) -> dict:
        self.wait_ready()
        self.process.stdin.write(json.dumps(request) + "\n")
        return self._answer()

    def close(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        if self.process.wait(timeout=120) != 0:
            raise RuntimeError(f"the worker in {self.root} exited with {self.process.returncode}")


def workers(before: Path, *args: str, before_args: tuple[str, ...] | None = None) -> dict[str, Worker]:
    """{"before": ..., "after": ...}, both started with `args` (the bot before with
    `before_args` if given); they set up side by side, untimed."""
    started = {"before": Worker(before, *(args if before_args is None else before_args)),
               "after": Worker(ROOT, *args)}
    for worker in started.values():
        worker.wait_ready()
    return started


def in_turns(pair: dict[str, Worker], turns: int, request=lambda turn: {}) -> dict[str, list[dict]]:
    """`turns` turns of each worker, alternating which goes first: {side: [answers]}.
    `request(turn)` is the request of that turn (the same for both)."""
    answers: dict[str, list[dict]] = {side: [] for side in pair}
    sides = list(pair)
    for turn in range(turns):
        for side in sides if turn % 2 == 0 else reversed(sides):
            answers[side].append(pair[side].turn(**request(turn)))
    return answers


def close(pair: dict[str, Worker]) -> None:
    for worker in pair.values():
        worker.close()


def versus(record, key: str, after: list[float], before: list[float], unit: str, meaning: str,
           higher_is_better: bool, before_root: Path, digits: int = 3) -> bool:
    """One row, `<key>_vs_before`: the ratio, met when >= MET_RATIO; after and
    before (the medians of their turns) in its meaning, and in bench-results.json
    as `<key>_after`, `<key>_before` and `<key>_vs_before_range`.

    `after[i]` and `before[i]` are turn i of each: the same work, next to each
    other in time. The ratio is the median of the turns' ratios (after / before
    for a throughput, before / after for a time: above 1, after is better)."""
    pairs = [(a / b if higher_is_better else b / a) for a, b in zip(after, before, strict=True)]
    ratio = statistics.median(pairs)
    a, b = statistics.median(after), statistics.median(before)
    met = ratio >= MET_RATIO
    orientation = "after / before" if higher_is_better else "before / after"
    record(f"{key}_vs_before", round(ratio, 3), "ratio",
           f"{meaning}: after {a:,.{digits}f}{unit}, before {b:,.{digits}f}{unit} "
           f"({label(before_root)}), " + (
               f"medians of {len(after)} turns each in turns; {orientation} per turn, median "
               f"(lowest {min(pairs):.2f}, highest {max(pairs):.2f})" if len(pairs) > 1 else orientation),
           target=f">= {MET_RATIO:.2f} of before", met=met,
           also={f"{key}_after": round(a, digits), f"{key}_before": round(b, digits),
                 f"{key}_vs_before_range": [round(min(pairs), 3), round(max(pairs), 3)]})
    return met
