"""--as-of's clock: noon UTC on the date, then real time's pace; real time without it."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

from bot.core.clocks import clock_from, day_of


def test_a_moved_clock_starts_at_noon_utc_and_moves_with_elapsed_time():
    elapsed = [500.0]
    clock = clock_from(date(2018, 9, 10), real=lambda: 0.0, elapsed=lambda: elapsed[0])
    assert datetime.fromtimestamp(clock(), tz=UTC) == datetime(2018, 9, 10, 12, tzinfo=UTC)
    elapsed[0] += 11 * 3600 + 59 * 60
    assert day_of(clock) == date(2018, 9, 10)  # 23:59 the same day
    elapsed[0] += 60
    assert day_of(clock) == date(2018, 9, 11)


def test_without_a_date_the_real_clock_decides():
    assert clock_from(None) is time.time
