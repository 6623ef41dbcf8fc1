"""Benchmark harness: every benchmark records its figures here; at the end of
the run they are printed as one table and written to bench-results.json.

Benchmarks are pytest tests under tests/bench/, run by `make bench` (never by
`make test`). Each figure should be a median over repeated runs, and where
possible stand next to a baseline measured in the same run.
"""

import json
import os
from pathlib import Path

import pytest

RESULTS: dict[str, dict] = {}


@pytest.fixture(scope="session")
def record():
    """record(key, value, unit, meaning): one row of the final table."""

    def _record(key: str, value: float, unit: str = "", meaning: str = "") -> None:
        RESULTS[key] = {"value": value, "unit": unit, "meaning": meaning}

    return _record


def pytest_sessionfinish(session, exitstatus):
    if not RESULTS:
        return
    RESULTS.setdefault("cores", {"value": os.cpu_count(), "unit": "", "meaning": "CPU cores"})
    width = max(len(k) for k in RESULTS)
    lines = ["", f"{'figure'.ljust(width)}  {'value':>12}  unit    meaning"]
    for key, row in RESULTS.items():
        value = row["value"]
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        lines.append(f"{key.ljust(width)}  {shown:>12}  {row['unit']:<6}  {row['meaning']}")
    print("\n".join(lines))
    out = Path(session.config.rootpath) / "bench-results.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.update({k: v["value"] for k, v in RESULTS.items()})
    out.write_text(json.dumps(previous, indent=2, sort_keys=True) + "\n")
