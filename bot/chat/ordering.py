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

Messages a handler queued in its chat's outbox (bot/chat/outbox.py: the
pauses Telegram asks between messages to one chat) are sent after the
update's place is given back; the supporter's next update waits for them,
so what it sends comes after them, but no other supporter does.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
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
        self._slots = asyncio.Semaphore(limit)
        # per supporter: a future done when their latest update so far is done
        self._tails: dict[int, asyncio.Future] = {}

    @property
    def limit(self) -> int:
        return self._limit

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = ordering_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        previous = self._tails.get(key)
        mine = asyncio.get_running_loop().create_future()
        self._tails[key] = mine
        started = False
        try:
            if previous is not None and not previous.done():
                # asyncio.wait, not await: cancelling this update must not cancel the previous one
                await asyncio.wait((previous,))
            async with self._slots:
                started = True
                await coroutine
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
