"""Concurrent updates, each supporter's in order.

python-telegram-bot handles one update at a time by default, so while the
bot waits for Telegram (tens of milliseconds per Bot API call over HTTPS) or
for the database, every other supporter waits too: a campaign going viral
would queue behind round trips, not behind work. With `concurrent_updates`
raised, updates run side by side, but two quick taps of one supporter could
then overtake each other and a conversation step would run against the
wrong state.

`PerSupporterUpdateProcessor` runs updates of different supporters
concurrently (up to `limit` at a time) and one supporter's updates strictly
one after another, in the order they arrived. The key is the Telegram user
(the same key conversations and `user_data` use in a private chat); an
update with no user (a channel post) is keyed by its chat.

Messages a handler queued in its chat's outbox (bot/chat/outbox.py: spaced by
the chat's send budget, bot/chat/send_budget.py) are sent after the
update's place is given back; the supporter's next update waits for them,
so what it sends comes after them, but no other supporter does.

**A place given back while the handler only waits** (``place_released``): a
question waiting for the semantic tier's ranking (its worker thread, tens of
milliseconds under load) does no work and makes no Bot API call, yet held one
of the 16 places, so with 300 people asking at once everyone else, /start
included, queued behind the rankings (docs/ask-evaluation.md, "Speed and
memory": 61-71% of the slowest answers' time was that queue). The handler gives
its place back for the wait and takes one again to reply, ahead of updates
that have not started (``Places``: those coming back are served first, so
a question's answer is not queued behind newcomers a second time). The
supporter's own next update still waits for the whole update, so their
updates stay in order; at most ``limit`` updates run (and call the Bot API)
at a time. And at most ``limit`` updates wait at once (``Places.waits``), as
many as could when every wait held a place: one more waits for its turn in
its place. Why: the tier ranks up to 16 questions a batch, and each question
waits ``rank_batcher.WAIT_S`` at most before the lexical tier answers it
alone; with no such bound, a burst (the mix benchmark feeds a thousand
updates at once) put hundreds of questions in the tier's queue and the last
ones ran out of time, answered less well (the mix's two bots of ours then
answered differently); with half the places lendable, 24 at once, it still
happened on a busy machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.chat.outbox import Outbox

# Each update makes its Bot API calls one after another, so this many updates
# need at most this many connections: the HTTPS pool (16 in app.py) never
# makes an update wait for a connection.
DEFAULT_LIMIT = 16


def ordering_key(update: object) -> int | None:
    """The supporter an update belongs to, or None if it has no user or chat."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    if update.effective_chat is not None:
        return update.effective_chat.id
    return None


class Places:
    """``limit`` places; an update coming back to one (``take(back=True)``,
    after ``place_released``) is served before updates that have not started.
    Each queue is first come, first served."""

    __slots__ = ("_back", "_free", "_lent", "_limit", "_new", "waits")

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._free = limit
        self._back: deque[asyncio.Future] = deque()
        self._new: deque[asyncio.Future] = deque()
        self._lent = 0
        self.waits = asyncio.Semaphore(limit)  # updates inside ``place_released`` at once

    @property
    def taken(self) -> int:
        return self._limit - self._free

    @property
    def lent(self) -> int:
        """How many updates wait without their place now."""
        return self._lent

    def lend(self) -> None:
        """Give a place back for a wait; ``returned()`` once the wait is over."""
        self._lent += 1
        self.give()

    def returned(self) -> None:
        self._lent -= 1

    async def take(self, back: bool = False) -> None:
        if self._free > 0 and not self._back and (back or not self._new):
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        (self._back if back else self._new).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():  # handed a place, then cancelled: pass it on
                self.give()
            else:
                with contextlib.suppress(ValueError):  # give() may have dropped it already
                    (self._back if back else self._new).remove(waiter)
            raise

    def give(self) -> None:
        for waiters in (self._back, self._new):
            while waiters:
                waiter = waiters.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the place goes straight to it
                    return
        self._free += 1


class _Held:
    """The place one update holds, if it holds one now."""

    __slots__ = ("held", "places")

    def __init__(self, places: Places) -> None:
        self.places = places
        self.held = False


_holding: contextvars.ContextVar[_Held | None] = contextvars.ContextVar("ordering_place", default=None)


@asynccontextmanager
async def place_released() -> AsyncIterator[None]:
    """Inside, the running update holds no place (others may run in it); on the
    way out it takes one again, before updates that have not started. At most
    ``limit`` updates are inside at once: one more first waits for its turn,
    in its place. Outside the update processor (the console, tests calling
    handlers), nothing."""
    held = _holding.get()
    if held is None or not held.held:
        yield  # outside the processor
        return
    await held.places.waits.acquire()  # at most `limit` at once; beyond, the turn is awaited in the place
    held.places.lend()
    held.held = False
    try:
        yield
    finally:
        held.places.returned()
        held.places.waits.release()  # first: the places may be held by updates waiting for this turn
        await held.places.take(back=True)
        held.held = True


class PerSupporterUpdateProcessor(BaseUpdateProcessor):
    """At most `limit` updates at a time; per supporter, one at a time, in order.

    The base class's semaphore is set out of reach on purpose: an update
    first waits for the supporter's previous one and only then takes one of
    the `limit` slots, so a supporter tapping fast never holds slots that
    other supporters' updates could use.
    """

    __slots__ = ("_limit", "_outbox", "_slots", "_tails")

    def __init__(self, limit: int = DEFAULT_LIMIT, outbox: Outbox | None = None):
        if limit < 1:
            raise ValueError("limit must be a positive integer")
        super().__init__(max_concurrent_updates=sys.maxsize)
        self._limit = limit
        self._outbox = outbox
        self._slots = Places(limit)
        # per supporter: a future done when their latest update so far is done
        self._tails: dict[int, asyncio.Future] = {}

    @property
    def limit(self) -> int:
        return self._limit

    @property
    def taken(self) -> int:
        """How many places updates hold now (information, for benchmarks)."""
        return self._slots.taken

    async def _run(self, coroutine: Awaitable[Any]) -> None:
        """``coroutine`` in a place (given back while it waits: ``place_released``)."""
        held = _Held(self._slots)
        try:
            await self._slots.take()
        except BaseException:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting for a place (shutdown): never run
            raise
        held.held = True
        token = _holding.set(held)
        try:
            await coroutine
        finally:
            _holding.reset(token)
            if held.held:
                self._slots.give()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            await self._run(coroutine)
            return
        previous = self._tails.get(key)
        mine = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        started = False
        try:
            if previous is not None and not previous.done():
                # asyncio.wait, not await: cancelling this update must not cancel the previous one
                await asyncio.wait((previous,))
            started = True  # from here _run closes it if it never runs
            await self._run(coroutine)
            chat = update.effective_chat
            if self._outbox is not None and chat is not None:
                await self._outbox.sent(chat.id)  # the place is free; the supporter's next update waits
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled while waiting its turn (shutdown): never run
            mine.set_result(None)
            if self._tails.get(key) is mine:
                del self._tails[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
