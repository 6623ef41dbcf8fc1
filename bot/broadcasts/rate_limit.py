"""Telegram's sending limits, kept by one object per process.

Telegram lets a bot send about 30 messages a second across chats and one a
second to the same chat, and answers 429 with `retry_after` when it goes
faster, after which every request waits. Broadcasts and reminders share one
`RateLimiter` so that together they stay under the limits.

Why spacing instead of a token bucket: a bucket lets a burst through (a full
bucket of 25 followed by the steady 25/s puts 50 messages in one second).
Turns are granted `1/rate` seconds apart, which keeps the average at the
rate; and because what happens between a turn and its request (the broadcast
commits "sending" there) takes a little longer some times than others, each
request also waits, if it must, until the one `rate` sends before it is more
than a second old. So no one-second window ever holds more than `rate` sends
(with a few milliseconds to spare for the time a request takes to leave).

Why a `Pacer` rather than `time.time` and `asyncio.sleep`: tests pass a
controllable clock and a sleep that only records. The pacer remembers how far
it has slept, so code that waits "until t" sees time reach t even when the
sleep returned at once; with the real clock it is the real clock.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

PER_CHAT_INTERVAL = 1.0  # seconds between two messages to the same chat
DEFAULT_RATE = 25.0  # messages per second across all chats (Telegram allows about 30)
WINDOW_MARGIN = 0.005  # seconds: the one-second window is kept as 1.005 s


class Pacer:
    """Now, and sleeping until a moment, on an injectable clock."""

    def __init__(self, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep):
        self.clock = clock
        self._sleep = sleep
        self._floor = 0.0

    def now(self) -> float:
        return max(self.clock(), self._floor)

    async def sleep_until(self, moment: float) -> None:
        delay = moment - self.now()
        if delay > 0:
            await self._sleep(delay)
        self._floor = max(self._floor, moment)


class RateLimiter:
    """Global spacing (`rate` per second, None for no limit), one message a
    second per chat, and a pause for everyone after a 429."""

    def __init__(self, rate: float | None = DEFAULT_RATE, pacer: Pacer | None = None,
                 per_chat_interval: float = PER_CHAT_INTERVAL):
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive (or None for no limit)")
        self.rate = rate
        self.interval = 1.0 / rate if rate else 0.0
        self.per_chat_interval = per_chat_interval
        self.pacer = pacer or Pacer()
        self._lock = asyncio.Lock()
        self._next_free = 0.0
        self._paused_until = 0.0
        self._chat_free: dict[int, float] = {}
        self._recent: deque[float] = deque(maxlen=max(1, math.floor(rate)) if rate else 1)

    def pause(self, seconds: float) -> None:
        """Telegram said "retry after `seconds`": nobody sends until then."""
        self._paused_until = max(self._paused_until, self.pacer.now() + seconds)

    @property
    def paused_until(self) -> float:
        return self._paused_until

    @asynccontextmanager
    async def turn(self, chat_id: int) -> AsyncIterator[None]:
        """Wait for this chat's turn; the send starts as the block exits.

        The body runs while the turn is held (the broadcast marks the
        recipient as being sent there), so the next turn is spaced from the
        moment the body finished, right before the request goes out.
        """
        chat_free = self._chat_free.get(chat_id, 0.0)
        if chat_free > self.pacer.now():
            await self.pacer.sleep_until(chat_free)
        async with self._lock:
            while True:
                moment = max(self.pacer.now(), self._next_free, self._paused_until)
                await self.pacer.sleep_until(moment)
                if self._paused_until <= self.pacer.now():  # no new pause arrived while asleep
                    break
            self._next_free = self.pacer.now() + self.interval
            yield
            if self.rate and len(self._recent) == self._recent.maxlen:
                await self.pacer.sleep_until(self._recent[0] + 1.0 + WINDOW_MARGIN)
            sent = self.pacer.now()
            self._recent.append(sent)
            self._chat_free[chat_id] = sent + self.per_chat_interval
            if len(self._chat_free) > 50_000:
                self._chat_free = {c: t for c, t in self._chat_free.items() if t > sent}
