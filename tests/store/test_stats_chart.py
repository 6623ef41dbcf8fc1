"""The /stats picture: drawn at most once a minute per case (bot/store/charts.py
`StatsCharts`), off the event loop, while the figures in the text are always
current. End to end through the Application; drawings are counted by
wrapping `stats_chart_png`. Its count axes tick in whole numbers."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.store import ActionReport, CampaignStats, charts
from bot.store.charts import StatsCharts, stats_chart_png, stats_figure
from tests.conftest import ORGANIZER_ID

CASE = "ua-150-18"


@pytest.fixture
def drawings(monkeypatch):
    """Each drawing's (title, thread name), in order."""
    drawn: list[tuple[str, str]] = []
    draw = charts.stats_chart_png

    def counted(stats, title):
        drawn.append((title, threading.current_thread().name))
        return draw(stats, title)

    monkeypatch.setattr(charts, "stats_chart_png", counted)
    return drawn


async def report(services, n: int, channel: str = "email") -> None:
    at = datetime.fromtimestamp(services.clock(), tz=UTC)
    await services.store.record_action(ActionReport(CASE, "luis-videgaray", channel, 1, "done", "en", None,
                                                    services.supporter(900 + n), f"chart-{n}", at))


async def stats(organizer, argument: str = CASE) -> tuple[str, bytes]:
    """(the text, the PNG) of one /stats."""
    calls = await organizer.send(f"/stats {argument}".strip())
    assert [c.method for c in calls] == ["sendMessage", "sendPhoto"] and all(c.ok for c in calls)
    return calls[0].text, calls[1].files["photo"][1]


async def test_a_second_stats_within_a_minute_sends_the_same_picture(bot, services, clock, drawings):
    sim, _ = bot
    organizer = sim.user(user_id=ORGANIZER_ID)
    await report(services, 1)
    text, first = await stats(organizer)
    assert first.startswith(b"\x89PNG") and "Done: <b>1</b>" in text
    assert len(drawings) == 1 and drawings[0][0] == "UA 150.18"
    assert drawings[0][1] != threading.main_thread().name  # drawn off the event loop

    await report(services, 2, "call")  # a new action: the text shows it at once, the picture may wait
    clock.advance(59)
    text, again = await stats(organizer)
    assert "Done: <b>2</b>" in text and "• call: 1" in text
    assert again == first and len(drawings) == 1

    clock.advance(2)  # 61 s after the drawing: drawn anew, with the new action
    text, fresh = await stats(organizer)
    assert "Done: <b>2</b>" in text
    assert fresh != first and fresh.startswith(b"\x89PNG") and len(drawings) == 2

    clock.advance(600)  # older than a minute, but nothing it shows has changed: kept
    assert (await stats(organizer))[1] == fresh and len(drawings) == 2

    clock.advance(86_400)  # a new day moves the 30-day window: drawn anew
    assert (await stats(organizer))[1] != fresh and len(drawings) == 3


async def test_each_case_and_language_has_its_own_picture(bot, services, drawings):
    sim, _ = bot
    organizer = sim.user(user_id=ORGANIZER_ID)
    await report(services, 1)
    _, one_case = await stats(organizer)
    _, all_cases = await stats(organizer, "")
    assert all_cases != one_case
    assert [title for title, _ in drawings] == ["UA 150.18", "all campaigns"]
    _, again = await stats(organizer, "")
    assert again == all_cases and len(drawings) == 2
    await organizer.send("/language")
    await organizer.press("Español")
    _, spanish = await stats(organizer, "")
    assert spanish != all_cases and len(drawings) == 3 and drawings[-1][0] != "all campaigns"


async def test_requests_during_a_drawing_share_it(store, drawings):
    charts_ = StatsCharts(clock=lambda: 1_000.0)
    figures = await store.campaign_stats(CASE, today=date(2018, 9, 15))
    pictures = await asyncio.gather(*(charts_.png(CASE, figures, "UA 150.18") for _ in range(5)))
    assert len(set(pictures)) == 1 and len(drawings) == 1


async def test_a_failed_drawing_is_tried_again(store, monkeypatch):
    attempts = []

    def flaky(stats, title):
        attempts.append(title)
        if len(attempts) == 1:
            raise RuntimeError("matplotlib failed")
        return b"\x89PNG drawn"

    monkeypatch.setattr(charts, "stats_chart_png", flaky)
    charts_ = StatsCharts(clock=lambda: 1_000.0)
    figures = await store.campaign_stats(CASE, today=date(2018, 9, 15))
    with pytest.raises(RuntimeError, match="matplotlib failed"):
        await charts_.png(CASE, figures, "UA 150.18")
    assert await charts_.png(CASE, figures, "UA 150.18") == b"\x89PNG drawn"
    assert len(attempts) == 2


async def test_a_new_day_redraws_even_a_quiet_case(bot, clock, drawings):
    """No actions at all: the bars stay at zero, but the dates under them move."""
    sim, _ = bot
    organizer = sim.user(user_id=ORGANIZER_ID)
    _, first = await stats(organizer)
    clock.advance(3_600)
    assert (await stats(organizer))[1] == first and len(drawings) == 1
    clock.advance(86_400)
    assert (await stats(organizer))[1] != first and len(drawings) == 2


# -- whole numbers on the count axes ----------------------------------------------------


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
