"""Pictures of the campaign figures: a PNG for the Telegram /stats command and
a small SVG for the organizers' dashboard.

The PNG uses matplotlib, imported inside the function: importing it takes
about half a second, which the bot should not pay at start-up or on any
command other than /stats. Drawing one takes about 180 ms more (the figures
under it about 7 ms), so `StatsCharts` keeps each case's picture for a
minute. The SVG is written by hand so the dashboard page needs no library,
no script and nothing from another host.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from io import BytesIO
from typing import Any

from bot.store.base import CampaignStats

PNG_SIZE = (8.0, 4.0)  # inches at 100 dpi: 800 x 400 pixels
PNG_DAYS = 30
CHART_FRESH_S = 60.0  # a /stats picture is drawn at most once a minute per case
BAR_COLOUR = "#1a1a1a"
ACCENT = "#ffd700"  # Amnesty yellow


def stats_chart_png(stats: CampaignStats, title: str) -> bytes:
    """Actions per day over the last 30 days, and the split by channel."""
    buffer = BytesIO()
    stats_figure(stats, title).savefig(buffer, format="png")
    return buffer.getvalue()


def stats_figure(stats: CampaignStats, title: str):
    """The matplotlib Figure behind `stats_chart_png`. Counts are whole
    numbers, so the count axes only have whole-number ticks (matplotlib's
    default would step by 0.25 when a day has two actions)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    days = stats.by_day[-PNG_DAYS:]
    figure = Figure(figsize=PNG_SIZE, dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    per_day, per_channel = figure.subplots(1, 2, width_ratios=(3, 1))
    figure.suptitle(title, fontsize=12, fontweight="bold")

    per_day.bar(range(len(days)), [n for _, n in days], color=BAR_COLOUR, width=0.8)
    per_day.set_title(f"Actions per day (last {len(days)} days)", fontsize=9)
    ticks = list(range(0, len(days), 7))
    per_day.set_xticks(ticks, [days[i][0].strftime("%d %b") for i in ticks], fontsize=8)
    per_day.tick_params(axis="y", labelsize=8)
    per_day.yaxis.set_major_locator(MaxNLocator(integer=True))
    per_day.spines[["top", "right"]].set_visible(False)

    channels = sorted(stats.by_channel.items(), key=lambda item: item[1])
    per_channel.barh([c for c, _ in channels], [n for _, n in channels], color=ACCENT,
                     edgecolor=BAR_COLOUR)  # fmt: skip
    per_channel.set_title("By channel (all time)", fontsize=9)
    per_channel.tick_params(labelsize=8)
    per_channel.xaxis.set_major_locator(MaxNLocator(integer=True))
    per_channel.spines[["top", "right"]].set_visible(False)
    if not channels:
        per_channel.text(0.5, 0.5, "no actions yet", ha="center", va="center", fontsize=9,
                         transform=per_channel.transAxes)  # fmt: skip
    return figure


def chart_inputs(stats: CampaignStats, title: str) -> tuple[Any, ...]:
    """Everything `stats_chart_png` draws: equal inputs give the same picture."""
    return title, tuple(stats.by_day[-PNG_DAYS:]), tuple(sorted(stats.by_channel.items()))


@dataclass
class _Drawn:
    at: float  # the clock when drawing started
    inputs: tuple[Any, ...]
    png: asyncio.Future[bytes]


class StatsCharts:
    """The /stats picture of each case, drawn at most once a minute, off the event loop.

    A picture younger than `fresh_for` seconds (by the bot's clock) is sent
    again as it is, so it may be up to a minute behind; the figures in the
    text sent with it are always current. An older one is drawn anew only if
    what it shows changed (a new action, a new day): an unchanged case keeps
    its picture. Requests arriving while a picture is being drawn wait for
    that drawing instead of starting their own. A drawing that fails is
    forgotten, so the next /stats tries again.

    Kept per case and title (the title is in the organizer's language for
    "all cases"), in memory: a handful of PNGs of about 30 kB.
    """

    def __init__(self, clock: Callable[[], float], fresh_for: float = CHART_FRESH_S):
        self._clock = clock
        self._fresh_for = fresh_for
        self._drawn: dict[tuple[str | None, str], _Drawn] = {}

    async def png(self, case_id: str | None, stats: CampaignStats, title: str) -> bytes:
        key, inputs, now = (case_id, title), chart_inputs(stats, title), self._clock()
        drawn = self._drawn.get(key)
        if drawn is None or not (0 <= now - drawn.at < self._fresh_for or drawn.inputs == inputs):
            drawing = asyncio.ensure_future(asyncio.to_thread(_draw, stats, title))
            drawn = self._drawn[key] = _Drawn(now, inputs, drawing)
        try:
            # shielded: one organizer giving up must not cancel the drawing others wait for
            return await asyncio.shield(drawn.png)
        except Exception:
            if self._drawn.get(key) is drawn:
                del self._drawn[key]
            raise


def _draw(stats: CampaignStats, title: str) -> bytes:
    return stats_chart_png(stats, title)  # looked up at call time, so tests can count drawings


def per_day_svg(by_day: Sequence[tuple[date, int]], width: int = 720, height: int = 180) -> str:
    """A bar per day, scaled to the busiest day; each bar has a tooltip.

    Scales with its container (viewBox, width 100%), so it fits a phone.
    """
    top, bottom, left = 16, 22, 4
    plot_height = height - top - bottom
    peak = max((n for _, n in by_day), default=0)
    step = (width - 2 * left) / max(len(by_day), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" class="per-day" aria-label="Actions per day">',
        f'<line x1="{left}" y1="{top + plot_height}" x2="{width - left}" '
        f'y2="{top + plot_height}" stroke="#999" stroke-width="1"/>',
    ]
    for index, (day, count) in enumerate(by_day):
        bar = plot_height * count / peak if peak else 0
        x = left + index * step
        parts.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{top + plot_height - bar:.1f}" '
            f'width="{step * 0.8:.1f}" height="{bar:.1f}" fill="{BAR_COLOUR}">'
            f"<title>{escape(day.isoformat())}: {count:,}</title></rect>"
        )
    if by_day:
        label_y = height - 6
        parts.append(
            f'<text x="{left}" y="{label_y}" font-size="11" fill="#555">'
            f"{escape(by_day[0][0].isoformat())}</text>"
            f'<text x="{width - left}" y="{label_y}" font-size="11" fill="#555" '
            f'text-anchor="end">{escape(by_day[-1][0].isoformat())}</text>'
        )
    parts.append(f'<text x="{left}" y="11" font-size="11" fill="#555">busiest day: {peak:,}</text></svg>')
    return "".join(parts)
