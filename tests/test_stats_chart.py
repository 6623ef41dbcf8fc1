"""The /stats picture counts whole actions: its count axes tick in whole numbers."""

from __future__ import annotations

from datetime import date, timedelta

from bot.charts import stats_chart_png, stats_figure
from bot.store import CampaignStats


def _stats(per_day: list[int], by_channel: dict[str, int]) -> CampaignStats:
    today = date(2018, 9, 20)
    days = [(today - timedelta(days=len(per_day) - 1 - n), count) for n, count in enumerate(per_day)]
    return CampaignStats(campaign_id="ua-150-18", today=today, actions=sum(per_day), attempted=0, capped=0,
                         supporters=1, by_channel=by_channel, by_official={}, by_day=days,
                         last_7_days=sum(per_day[-7:]), open_problems=0, open_replies=0, db_bytes=0)


def test_small_counts_get_whole_number_ticks():
    figure = stats_figure(_stats([0] * 27 + [1, 2, 0], {"email": 2, "letter": 1}), "UA 150.18")
    figure.canvas.draw()
    per_day, per_channel = figure.axes
    for ticks in (per_day.get_yticks(), per_channel.get_xticks()):
        assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), list(ticks)
    assert stats_chart_png(_stats([1, 2], {"email": 3}), "x").startswith(b"\x89PNG")
