"""Prometheus text-format metrics, without a dependency.

A handful of counters and one histogram are all the bot needs: updates
handled by type, handler latency, actions reported, Bot API errors by code,
broadcast progress. `/metrics` renders them (webhook server or side server).
"""

from __future__ import annotations

import bisect
import threading
from collections import defaultdict

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _labels(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    if not names:
        return ""
    inner = ",".join(f'{n}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
                     for n, v in zip(names, values, strict=True))
    return "{" + inner + "}"


class Counter:
    def __init__(self, name: str, help_text: str, labels: tuple[str, ...] = ()):
        self.name, self.help, self.label_names = name, help_text, labels
        self.values: dict[tuple[str, ...], float] = defaultdict(float)
        self._lock = threading.Lock()

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        with self._lock:
            self.values[tuple(labels)] += amount

    def render(self, kind: str = "counter") -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {kind}"]
        for labels, value in sorted(self.values.items()):
            lines.append(f"{self.name}{_labels(self.label_names, labels)} {value:g}")
        return lines


class Gauge(Counter):
    def set(self, value: float, *labels: str) -> None:
        with self._lock:
            self.values[tuple(labels)] = value

    def render(self, kind: str = "gauge") -> list[str]:
        return super().render(kind)


class Histogram:
    def __init__(self, name: str, help_text: str, buckets: tuple[float, ...] = LATENCY_BUCKETS):
        self.name, self.help, self.buckets = name, help_text, buckets
        self.counts = [0] * (len(buckets) + 1)
        self.total = 0.0
        self._lock = threading.Lock()

    def observe(self, seconds: float) -> None:
        with self._lock:
            self.counts[bisect.bisect_left(self.buckets, seconds)] += 1
            self.total += seconds

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} histogram"]
        running = 0
        for bound, count in zip((*self.buckets, float("inf")), self.counts, strict=True):
            running += count
            le = "+Inf" if bound == float("inf") else f"{bound:g}"
            lines.append(f'{self.name}_bucket{{le="{le}"}} {running}')
        lines += [f"{self.name}_sum {self.total:g}", f"{self.name}_count {running}"]
        return lines


class Metrics:
    """Everything `/metrics` shows, for one bot process."""

    def __init__(self) -> None:
        self.updates = Counter("advocacy_updates_total", "Updates handled, by type.", ("type",))
        self.latency = Histogram("advocacy_update_seconds", "Time to handle one update.")
        self.actions = Counter("advocacy_actions_reported_total", "Action reports recorded, by channel.",
                               ("channel",))
        self.api_errors = Counter("advocacy_bot_api_errors_total", "Bot API errors, by code.", ("code",))
        self.broadcast = Gauge("advocacy_broadcast_recipients", "Broadcast progress by state.", ("state",))
        self.flood_limited = Counter("advocacy_flood_limited_total", "Updates dropped by flood control.")

    def render(self) -> str:
        lines: list[str] = []
        for metric in (self.updates, self.latency, self.actions, self.api_errors, self.broadcast,
                       self.flood_limited):
            lines += metric.render()
        return "\n".join(lines) + "\n"
