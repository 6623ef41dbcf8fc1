"""Benchmark harness: every benchmark records its figures here; at the end of
the run they are printed as one table and written to bench-results.json.

Benchmarks are pytest tests under tests/bench/, run by `make bench` (never by
`make test`). The machine they run on is shared and its load moves every
figure, so:

- a figure that matters is a ratio against a baseline measured in the same
  run, in turns with it (so a busy moment slows both sides), or it is
  printed as information;
- no benchmark fails on a time: a target is printed next to its figure as
  met or NOT met. Benchmarks fail only when what they run goes wrong (the
  Bot API refused a call, a process crashed).

Figures are medians over repeated runs; where the spread matters (the mix)
the range is recorded too, as `<figure>_range` [lowest, highest].
"""

import json
import os
from pathlib import Path

import pytest

RESULTS: dict[str, dict] = {}


@pytest.fixture(scope="session")
def record():
    """record(key, value, unit, meaning, target=None, met=None, also=None): one row
    of the final table. `target` (e.g. "<= 20 ms") is shown with `met` (True/False);
    `also` ({key: value}) goes to bench-results.json only (the row's meaning shows it)."""

    def _record(key: str, value, unit: str = "", meaning: str = "", target: str | None = None,
                met: bool | None = None, also: dict | None = None) -> None:
        RESULTS[key] = {"value": value, "unit": unit, "meaning": meaning, "target": target, "met": met,
                        "also": also or {}}

    return _record


@pytest.fixture(scope="session")
def before_tree(tmp_path_factory) -> Path:
    """The bot before issue 29's outbox (tests/bench/before.py), copied once per run."""
    from tests.bench.before import bot_before_the_outbox

    return bot_before_the_outbox(tmp_path_factory.mktemp("before") / "tree")


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return f"{value:,}" if isinstance(value, int) else str(value)


def pytest_sessionfinish(session, exitstatus):
    if not RESULTS:
        return
    RESULTS.setdefault("cores", {"value": os.cpu_count(), "unit": "", "meaning": "CPU cores",
                                 "target": None, "met": None})
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    if load is not None:
        RESULTS.setdefault("load_average_at_end", {
            "value": [round(v, 2) for v in load], "unit": "", "target": None, "met": None,
            "meaning": "1, 5 and 15 min load averages when the run ended (2 cores: above 2 is busy)"})
    width = max(len(k) for k in RESULTS)
    lines = ["", f"{'figure'.ljust(width)}  {'value':>14}  unit    meaning"]
    for key, row in RESULTS.items():
        target = ""
        if row["target"]:
            target = f"  [target {row['target']}: {'met' if row['met'] else 'NOT met'}]"
        shown = _shown(row["value"])
        lines.append(f"{key.ljust(width)}  {shown:>14}  {row['unit']:<6}  {row['meaning']}{target}")
    print("\n".join(lines))
    out = Path(session.config.rootpath) / "bench-results.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    for key, row in RESULTS.items():
        previous[key] = row["value"]
        previous.update(row.get("also") or {})
    out.write_text(json.dumps(previous, indent=2, sort_keys=True) + "\n")
