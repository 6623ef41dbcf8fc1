"""The bot's clock: real time, or real time moved to another date (`--as-of`).

Everything that depends on the date (deadlines, which case updates are out,
the letter's date, reminders) reads `Services.clock`, so an organizer can see
the bot as it stood, or will stand, on a given day by moving that one clock.
A moved clock still advances with real time, so timeouts and rate limits
behave as they do in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime

Clock = Callable[[], float]  # seconds since the epoch
AS_OF_HOUR = 12  # noon UTC: the same calendar day in every timezone from UTC-11 to UTC+11


def clock_from(as_of: date | None, real: Clock = time.time,
               elapsed: Callable[[], float] = time.monotonic) -> Clock:
    """`real` when `as_of` is None, else a clock that reads noon UTC on `as_of`
    now and moves on at the pace of `elapsed` (monotonic: a wall-clock jump
    does not move it)."""
    if as_of is None:
        return real
    origin = datetime(as_of.year, as_of.month, as_of.day, AS_OF_HOUR, tzinfo=UTC).timestamp()
    started = elapsed()

    def moved() -> float:
        return origin + (elapsed() - started)

    return moved


def day_of(clock: Clock) -> date:
    """The date `clock` reads now, in UTC (the bot's calendar)."""
    return datetime.fromtimestamp(clock(), tz=UTC).date()
